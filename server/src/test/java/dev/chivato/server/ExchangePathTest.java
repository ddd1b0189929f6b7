package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.ExchangePath;
import dev.chivato.server.network.Recorder;
import dev.chivato.server.network.Service;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Bytes in, bytes out through the exchange path: FORMERR for what does not decode, drops, and the UDP size limit. */
class ExchangePathTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5353);
    private final ExchangePath exchanges = ExchangePath.standalone(new Service(
            new QueryHandler(TestServer.seedAndBig(), QueryHandler.UnknownPolicy.NXDOMAIN, false, 300),
            QueryLog.off()));

    private Optional<Message> process(byte[] packet, Transport transport) throws WireFormatException {
        ByteBuffer out = ByteBuffer.allocate(65535);
        int length = exchanges.answer(ByteBuffer.wrap(packet), out, transport, CLIENT);
        if (length < 0) {
            return Optional.empty();
        }
        assertEquals(length, out.position());
        return Optional.of(Message.decode(ByteBuffer.wrap(out.array(), 0, length)));
    }

    @Test
    void malformedBodyGetsFormerrWithTheSameId() throws WireFormatException {
        byte[] packet = Message.query(0xbeef, true, Question.of("example.com", RRType.A), Optional.empty()).toWire();
        packet[packet.length - 1] = 0; // fine so far; now claim a second question that is not there
        packet[5] = 2;
        Message response = process(packet, Transport.UDP).orElseThrow();
        assertEquals(Rcode.FORMERR, response.rcode());
        assertEquals(0xbeef, response.header().id());
        assertTrue(response.header().qr());
    }

    @Test
    void packetShorterThanAHeaderIsDropped() throws WireFormatException {
        assertTrue(process(new byte[] {1, 2, 3}, Transport.UDP).isEmpty());
    }

    @Test
    void malformedResponseIsDropped() throws WireFormatException {
        byte[] packet = {0, 1, (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        assertTrue(process(packet, Transport.UDP).isEmpty());
    }

    @Test
    void udpAnswerWithoutEdnsIsTruncatedAt512() throws WireFormatException {
        byte[] query = Message.query(1, true, Question.of("big.example.com", RRType.A), Optional.empty()).toWire();
        Message response = process(query, Transport.UDP).orElseThrow();
        assertTrue(response.header().tc());
        assertTrue(response.answers().isEmpty());
    }

    @Test
    void tcpAnswerIsNeverTruncated() throws WireFormatException {
        byte[] query = Message.query(1, true, Question.of("big.example.com", RRType.A), Optional.empty()).toWire();
        Message response = process(query, Transport.TCP).orElseThrow();
        assertEquals(100, response.answers().size());
    }

    @Test
    void ednsSizeIsClampedBetween512And1232() {
        assertEquals(512, QueryHandler.responseLimit(Optional.of(Edns.of(100, false)), Transport.UDP));
        assertEquals(1232, QueryHandler.responseLimit(Optional.of(Edns.of(4096, false)), Transport.UDP));
        assertEquals(1000, QueryHandler.responseLimit(Optional.of(Edns.of(1000, false)), Transport.UDP));
        assertEquals(512, QueryHandler.responseLimit(Optional.empty(), Transport.UDP));
    }

    @Test
    void bugInTheHandlerCostsOneServfailNotTheServer() throws WireFormatException {
        QueryHandler failing = TestServer.failingHandler(new IllegalStateException("simulated bug"));
        List<String> warnings = new ArrayList<>();
        ExchangePath failingPath = ExchangePath.standalone(new Service(failing, QueryLog.off(), warnings::add));
        // The handler fails on ANY.
        byte[] query = Message.query(77, true, Question.of("example.com", RRType.ANY), Optional.empty()).toWire();
        ByteBuffer out = ByteBuffer.allocate(65535);
        int length = failingPath.answer(ByteBuffer.wrap(query), out, Transport.UDP, CLIENT);
        Message response = Message.decode(ByteBuffer.wrap(out.array(), 0, length));
        assertEquals(Rcode.SERVFAIL, response.rcode());
        assertEquals(77, response.header().id());
        assertEquals(List.of(Question.of("example.com", RRType.ANY)), response.questions(), "the question echoed");
        assertEquals(List.of("chivato: internal error answering 127.0.0.1:5353: "
                + "java.lang.IllegalStateException: simulated bug"), warnings);
        // and the next query is answered as usual
        out.clear();
        byte[] next = Message.query(78, true, Question.of("example.com", RRType.A), Optional.empty()).toWire();
        length = failingPath.answer(ByteBuffer.wrap(next), out, Transport.UDP, CLIENT);
        assertEquals(2, Message.decode(ByteBuffer.wrap(out.array(), 0, length)).answers().size());
    }

    @Test
    void anAnswerTheTransportCouldNotSendIsLoggedAsUnsent() throws Exception {
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        QueryLog log = QueryLog.writingTo(text, LogFormat.JSON, QueryLog.Overflow.BLOCK);
        ExchangePath path = ExchangePath.standalone(new Service(new QueryHandler(RecordStore.defaults(),
                QueryHandler.UnknownPolicy.NXDOMAIN, false, 300), log));
        byte[] query = Message.query(5, true, Question.of("example.com", RRType.A), Optional.empty()).toWire();
        path.receive(ByteBuffer.wrap(query), Transport.UDP, CLIENT,
                Recorder.refusing("the socket's send buffer is full"));
        log.close();
        String entry = text.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertTrue(entry.endsWith("\"unsent\":\"the socket's send buffer is full\"}"), entry);
    }

    @Test
    void anAnswerTheSocketDidNotTakeIsCounted() throws Exception {
        dev.chivato.server.metrics.Metrics metrics = new dev.chivato.server.metrics.Metrics();
        ExchangePath path = ExchangePath.standalone(new Service(new QueryHandler(RecordStore.defaults(),
                QueryHandler.UnknownPolicy.NXDOMAIN, false, 300), QueryLog.off(), line -> { }, metrics));
        byte[] query = Message.query(5, true, Question.of("example.com", RRType.A), Optional.empty()).toWire();
        path.receive(ByteBuffer.wrap(query), Transport.UDP, CLIENT, Recorder.refusing("No buffer space available"));
        path.receive(ByteBuffer.wrap(query), Transport.UDP, CLIENT, new Recorder());
        var http = metrics.serve(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
        try {
            String exposition = MetricsTest.scrape(http.getPort());
            assertTrue(exposition.contains("chivato_dns_responses_unsent_total 1.0"), exposition);
        } finally {
            http.stop();
        }
    }

    /**
     * A query is walked once before the lookup: one view on every path, one decode on a miss, none on a hit, and the
     * log's writer reads the query through its view (no decode of its own).
     */
    @Test
    void aQueryIsViewedOnceAndDecodedAtMostOnce() throws Exception {
        try (TestServer server = TestServer.start(RecordStore.defaults());
                java.net.DatagramSocket client = new java.net.DatagramSocket()) {
            client.setSoTimeout(3000);
            byte[] query = Message.query(1, true, Question.of("example.com", RRType.A), Optional.empty()).toWire();
            long[] miss = countsOf(() -> exchange(client, server.port(), query));
            assertEquals(1, miss[0], "one view");
            assertEquals(1, miss[1], "one decode, on a miss");
            long[] hit = countsOf(() -> exchange(client, server.port(), query));
            assertEquals(1, hit[0], "one view");
            assertEquals(0, hit[1], "no decode, from the answer cache");
            long decodes = Message.decodes();
            List<String> log = server.stopAndReadLog();
            assertEquals(2, log.size());
            assertEquals(decodes, Message.decodes(), "the log writer decodes nothing");
        }
    }

    /** Views and decodes made while {@code action} ran. */
    private static long[] countsOf(Runnable action) {
        dev.chivato.protocol.QueryView.countPasses();
        Message.countDecodes();
        long views = dev.chivato.protocol.QueryView.passes();
        long decodes = Message.decodes();
        action.run();
        return new long[] {dev.chivato.protocol.QueryView.passes() - views, Message.decodes() - decodes};
    }

    private static void exchange(java.net.DatagramSocket client, int port, byte[] query) {
        try {
            client.send(new java.net.DatagramPacket(query, query.length, java.net.InetAddress.getLoopbackAddress(),
                    port));
            client.receive(new java.net.DatagramPacket(new byte[512], 512)); // not decoded here: it would count
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
