package dev.chivato.server;

import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.Rcode;
import java.net.InetSocketAddress;
import java.util.Optional;

/** One line of the query log: a query that was answered (or dropped), or a packet that could not be read. */
public sealed interface LogEntry {
    long timeMillis();

    Transport transport();

    InetSocketAddress client();

    /**
     * A query that decoded.
     *
     * @param ednsSize      the client's UDP payload size, or -1 when it sent no EDNS
     * @param rcode         what we answered, empty when the message was dropped
     * @param responseSize  octets sent, 0 when dropped
     * @param wire          the query and response bytes, kept only for {@code --log explain}
     */
    record Query(long timeMillis, Transport transport, InetSocketAddress client, int id, Opcode opcode,
                 boolean rd, boolean cd, boolean dnssecOk, Optional<Question> question, int ednsSize,
                 Optional<Rcode> rcode, int answerCount, AnswerSource source, boolean truncated, int responseSize,
                 long micros, Optional<Wire> wire) implements LogEntry {
    }

    /** The bytes of an exchange; {@code response} is empty when nothing was sent. */
    record Wire(byte[] query, Optional<byte[]> response) {
    }

    /**
     * A packet that did not decode.
     *
     * @param id       the header's id, or -1 when not even the header was there
     * @param answered whether a FORMERR went back (the header parsed and was a query), or the packet was dropped
     */
    record Malformed(long timeMillis, Transport transport, InetSocketAddress client, int size, int id,
                     String reason, int offset, String firstBytesHex, boolean answered, long micros,
                     Optional<Wire> wire) implements LogEntry {
    }
}
