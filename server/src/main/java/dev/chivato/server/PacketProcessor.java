package dev.chivato.server;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Bytes in, bytes out, for both transports. The common query goes through the {@link FastPath}; every other one is
 * decoded, handed to the {@link QueryHandler} and encoded within the size the client allows. The one place where a
 * {@link WireFormatException} becomes FORMERR. Every message is logged, whichever way it went.
 */
public final class PacketProcessor {
    /** Returned instead of a length when nothing is to be sent. */
    public static final int DROP = -1;
    /** The plain DNS UDP limit (RFC 1035 section 4.2.1), and the floor for any EDNS size (RFC 6891 6.2.5). */
    public static final int CLASSIC_UDP_SIZE = 512;

    private final QueryHandler handler;
    private final FastPath fastPath;
    private final QueryLog log;

    public PacketProcessor(QueryHandler handler, QueryLog log) {
        this.handler = handler;
        this.fastPath = handler.fastPath();
        this.log = log;
    }

    /**
     * Answers the message in {@code packet} (position to limit) into {@code out} from its position.
     *
     * @return the response length, or {@link #DROP}
     */
    public int process(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client) {
        long startNanos = log.enabled() ? System.nanoTime() : 0; // only the log reads the clock
        int outStart = out.position();
        try {
            int length = fastPath.answer(packet, out, transport);
            if (length == FastPath.NOT_HANDLED) {
                length = slowPath(packet, out, transport, client, startNanos);
            } else if (log.enabled()) {
                logQuery(packet, out, transport, client, length, Optional.empty(), startNanos);
            }
            return length;
        } catch (RuntimeException bug) {
            // A bug must cost one answer, never the event loop: SERVFAIL, and a loud line for the operator.
            out.position(outStart);
            return internalError(packet, out, transport, client, bug, startNanos);
        }
    }

    private int internalError(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client,
            RuntimeException bug, long startNanos) {
        System.err.println("chivato: internal error answering " + LogFormat.address(client) + ": " + bug);
        int length = DROP;
        int id = -1;
        try {
            Header header = Message.decodeHeader(packet);
            id = header.id();
            if (!header.qr()) {
                Message failure = QueryHandler.formatError(header).withRcode(Rcode.SERVFAIL);
                length = failure.encode(out, CLASSIC_UDP_SIZE);
            }
        } catch (WireFormatException | RuntimeException unreadable) {
            // nothing more can be said
        }
        if (log.enabled()) {
            log.log(new LogEntry.Malformed(System.currentTimeMillis(), transport, client, copy(packet), id,
                    "internal error: " + bug, 0, length != DROP ? Rcode.SERVFAIL.value() : -1, micros(startNanos),
                    response(out, length)));
        }
        return length;
    }

    /** Everything the fast path does not take: decode, handle, encode, log. */
    private int slowPath(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client,
            long startNanos) {
        Message query;
        try {
            query = Message.decode(packet);
        } catch (WireFormatException e) {
            return malformed(packet, out, transport, client, e, startNanos);
        }
        QueryHandler.Reply reply = handler.handle(query, transport);
        int length = reply.response().isPresent()
                ? reply.response().get().encode(out, responseLimit(query.edns(), transport)) : DROP;
        if (log.enabled()) {
            logQuery(packet, out, transport, client, length, Optional.of(reply), startNanos);
        }
        return length;
    }

    /** The most the response may take: the client's EDNS size within [512, 1232] over UDP, 65535 over TCP. */
    static int responseLimit(Optional<dev.chivato.protocol.Edns> edns, Transport transport) {
        if (transport == Transport.TCP) {
            return Message.MAX_LENGTH;
        }
        return edns.map(e -> Math.max(CLASSIC_UDP_SIZE, Math.min(e.udpPayloadSize(),
                QueryHandler.OUR_UDP_PAYLOAD_SIZE))).orElse(CLASSIC_UDP_SIZE);
    }

    /**
     * Logs an answered (or dropped) query. What was sent is read back from the header just written, so both paths
     * log the same way; the query's name and flags are left for the log's writer thread to read.
     */
    private void logQuery(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client,
            int length, Optional<QueryHandler.Reply> reply, long startNanos) {
        int rcode = -1;
        int answers = 0;
        boolean truncated = false;
        AnswerSource source = AnswerSource.NONE;
        if (length != DROP) {
            int start = out.position() - length;
            rcode = out.get(start + 3) & 0xf;
            truncated = (out.get(start + 2) & 0x02) != 0;
            answers = out.getShort(start + 6) & 0xffff;
            if (reply.isPresent()) {
                rcode = reply.get().response().orElseThrow().rcode().value();
                source = reply.get().source();
            } else if (answers > 0) {
                // The fast path answers from records; PTR answers are the synthesized ones.
                int qtype = packet.getShort(packet.position() + 12 + nameLength(packet)) & 0xffff;
                source = qtype == RRType.PTR.value() ? AnswerSource.SYNTHESIZED_PTR : AnswerSource.RECORDS;
            }
        }
        log.log(new LogEntry.Query(System.currentTimeMillis(), transport, client, copy(packet), rcode, answers,
                source, truncated, Math.max(length, 0), micros(startNanos), response(out, length)));
    }

    /** The length of the uncompressed question name at offset 12 (the fast path only takes those). */
    private static int nameLength(ByteBuffer packet) {
        int at = packet.position() + 12;
        while (packet.get(at) != 0) {
            at += 1 + (packet.get(at) & 0xff);
        }
        return at + 1 - (packet.position() + 12);
    }

    private int malformed(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client,
            WireFormatException problem, long startNanos) {
        int length = DROP;
        int id = -1;
        try {
            Header header = Message.decodeHeader(packet);
            id = header.id();
            if (!header.qr()) {
                length = QueryHandler.formatError(header).encode(out, CLASSIC_UDP_SIZE);
            }
        } catch (WireFormatException shorterThanAHeader) {
            // nothing to answer to: dropped
        }
        if (log.enabled()) {
            log.log(new LogEntry.Malformed(System.currentTimeMillis(), transport, client, copy(packet), id,
                    problem.reason(), problem.offset(), length != DROP ? Rcode.FORMERR.value() : -1,
                    micros(startNanos), response(out, length)));
        }
        return length;
    }

    private static byte[] copy(ByteBuffer packet) {
        byte[] bytes = new byte[packet.remaining()];
        packet.get(packet.position(), bytes);
        return bytes;
    }

    /** A copy of the response just written, when the log prints it. */
    private Optional<byte[]> response(ByteBuffer out, int length) {
        if (!log.wantsWire() || length == DROP) {
            return Optional.empty();
        }
        byte[] bytes = new byte[length];
        out.get(out.position() - length, bytes);
        return Optional.of(bytes);
    }

    private static long micros(long startNanos) {
        return (System.nanoTime() - startNanos) / 1000;
    }
}
