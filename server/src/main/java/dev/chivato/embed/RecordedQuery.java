package dev.chivato.embed;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.core.Transport;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One query the embedded server received and what it answered, as {@link Chivato#takeQuery} and
 * {@link Chivato#queries()} give them. Immutable: the octets are copied in and out.
 */
public final class RecordedQuery {
    private final Instant time;
    private final Transport transport;
    private final InetSocketAddress client;
    private final byte[] query;
    private final byte[] answer;
    private final String name;
    private final String type;

    RecordedQuery(Instant time, Transport transport, InetSocketAddress client, byte[] query, byte[] answer) {
        this.time = time;
        this.transport = transport;
        this.client = client;
        this.query = query;
        this.answer = answer;
        String askedName = null;
        String askedType = null;
        try {
            QueryView view = QueryView.of(query);
            if (view.hasQuestion()) {
                askedName = Name.fromWire(query, view.nameOffset(), view.nameLength()).toString();
                askedType = RRType.of(view.qtype()).toString();
            }
        } catch (WireFormatException | RuntimeException malformed) {
            // a query that does not decode has no name or type to give
        }
        this.name = askedName;
        this.type = askedType;
    }

    /** The question's name as the client wrote it (its case kept), ending in a dot; null when it had none. */
    public String name() {
        return name;
    }

    /** The question's type, {@code "A"} or {@code "TYPE65534"}; null when it had no question. */
    public String type() {
        return type;
    }

    /** {@code "udp"} or {@code "tcp"}. */
    public String transport() {
        return transport.label();
    }

    public InetSocketAddress client() {
        return client;
    }

    /** When it was answered (or dropped). */
    public Instant time() {
        return time;
    }

    /**
     * The rcode answered, {@code "NOERROR"}, {@code "NXDOMAIN"} (with EDNS's upper bits, {@code "BADCOOKIE"});
     * null when nothing was sent (a drop, a closed connection), {@code "garbage"} when what was sent does not decode.
     */
    public String rcode() {
        if (answer == null) {
            return null;
        }
        try {
            return Message.decode(answer).rcode().toString();
        } catch (WireFormatException | RuntimeException undecodable) {
            return answer.length >= Header.LENGTH ? "garbage" : null;
        }
    }

    /** Whether an answer was sent. */
    public boolean answered() {
        return answer != null;
    }

    /** The query's octets, as received. */
    public byte[] query() {
        return query.clone();
    }

    /** The answer's octets, as sent; empty when nothing was. */
    public byte[] answer() {
        return answer == null ? new byte[0] : answer.clone();
    }

    /** The query decoded (for its EDNS options, flags, ID). */
    public Message queryMessage() throws WireFormatException {
        return Message.decode(query);
    }

    /** The answer decoded; thrown for none or one that does not decode (a fault's garbage). */
    public Message answerMessage() throws WireFormatException {
        if (answer == null) {
            throw new WireFormatException(0, "nothing was answered");
        }
        return Message.decode(answer);
    }

    /** {@code udp 127.0.0.1:41000 db.internal. A NOERROR}, for a failed assertion's message. */
    @Override
    public String toString() {
        return transport.label() + " " + client.getAddress().getHostAddress() + ":" + client.getPort() + " " + name
                + " " + type + " " + (answer == null ? "(no answer)" : rcode());
    }
}
