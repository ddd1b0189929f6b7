package dev.chivato.server;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Hex;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.WireFormatException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Bytes in, bytes out, for both transports: decodes, asks the {@link QueryHandler}, encodes within the size the
 * client allows, and logs. The one place where a {@link WireFormatException} becomes FORMERR.
 */
public final class PacketProcessor {
    /** Returned instead of a length when nothing is to be sent. */
    public static final int DROP = -1;
    /** The plain DNS UDP limit (RFC 1035 section 4.2.1), and the floor for any EDNS size (RFC 6891 6.2.5). */
    public static final int CLASSIC_UDP_SIZE = 512;
    private static final int LOGGED_PREFIX = 32;

    private final QueryHandler handler;
    private final QueryLog log;

    public PacketProcessor(QueryHandler handler, QueryLog log) {
        this.handler = handler;
        this.log = log;
    }

    /**
     * Answers the message in {@code packet} (position to limit) into {@code out} from its position.
     *
     * @return the response length, or {@link #DROP}
     */
    public int process(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client) {
        long startNanos = System.nanoTime();
        Message query;
        try {
            query = Message.decode(packet);
        } catch (WireFormatException e) {
            return malformed(packet, out, transport, client, e, startNanos);
        }
        QueryHandler.Reply reply = handler.handle(query, transport);
        int length = DROP;
        Message response = null;
        if (reply.response().isPresent()) {
            response = reply.response().get();
            length = response.encode(out, responseLimit(query.edns(), transport));
        }
        if (log.enabled()) {
            // What went out, read back from the header just written: TC and ANCOUNT after truncation.
            int start = out.position() - Math.max(length, 0);
            boolean truncated = length != DROP && (out.get(start + 2) & 0x02) != 0;
            int answers = length == DROP ? 0 : out.getShort(start + 6) & 0xffff;
            Header header = query.header();
            log.log(new LogEntry.Query(System.currentTimeMillis(), transport, client, header.id(), header.opcode(),
                    header.rd(), header.cd(), query.edns().map(Edns::dnssecOk).orElse(false), query.question(),
                    query.edns().map(Edns::udpPayloadSize).orElse(-1),
                    Optional.ofNullable(response).map(Message::rcode), answers, reply.source(), truncated,
                    Math.max(length, 0), micros(startNanos), wire(packet, out, length)));
        }
        return length;
    }

    /** The most the response may take: the client's EDNS size within [512, 1232] over UDP, 65535 over TCP. */
    static int responseLimit(Optional<Edns> edns, Transport transport) {
        if (transport == Transport.TCP) {
            return Message.MAX_LENGTH;
        }
        return edns.map(e -> Math.max(CLASSIC_UDP_SIZE, Math.min(e.udpPayloadSize(),
                QueryHandler.OUR_UDP_PAYLOAD_SIZE))).orElse(CLASSIC_UDP_SIZE);
    }

    private int malformed(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client,
            WireFormatException problem, long start) {
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
            byte[] prefix = new byte[Math.min(LOGGED_PREFIX, packet.remaining())];
            packet.get(packet.position(), prefix);
            log.log(new LogEntry.Malformed(System.currentTimeMillis(), transport, client, packet.remaining(), id,
                    problem.reason(), problem.offset(), Hex.format(prefix), length != DROP, micros(start),
                    wire(packet, out, length)));
        }
        return length;
    }

    /** Copies of the query and the response just written, when the log prints them. */
    private Optional<LogEntry.Wire> wire(ByteBuffer packet, ByteBuffer out, int length) {
        if (!log.wantsWire()) {
            return Optional.empty();
        }
        byte[] query = new byte[packet.remaining()];
        packet.get(packet.position(), query);
        Optional<byte[]> response = Optional.empty();
        if (length != DROP) {
            byte[] bytes = new byte[length];
            out.get(out.position() - length, bytes);
            response = Optional.of(bytes);
        }
        return Optional.of(new LogEntry.Wire(query, response));
    }

    private static long micros(long startNanos) {
        return (System.nanoTime() - startNanos) / 1000;
    }
}
