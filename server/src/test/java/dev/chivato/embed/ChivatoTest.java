package dev.chivato.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The embedded server on a real loopback socket, asked by our own codec over UDP and TCP. */
class ChivatoTest {
    static final String ZONE = """
            $TTL 3600
            @     SOA  ns.example.org. admin.example.org. 1 7200 900 1209600 300
                  NS   ns
                  MX   10 mail
            ns    A    192.0.2.53
            mail  A    192.0.2.25
            www   CNAME mail
            """;
    private static Chivato dns;

    @BeforeAll
    static void start() {
        dns = Chivato.builder().record("192.0.2.1 db.internal").record("192.0.2.2 flaky.internal")
                .zone("example.org.", ZONE).start();
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    @BeforeEach
    void clean() {
        dns.clearFaults();
        dns.clearQueries();
    }

    /** One query over UDP with our codec; the answer's octets, or null after {@code timeout}. */
    static byte[] udp(InetSocketAddress server, int id, String name, RRType type, Duration timeout) throws IOException {
        byte[] query = Message.query(id, true, Question.of(name, type), Optional.empty()).toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server);
            socket.setSoTimeout((int) timeout.toMillis());
            socket.send(new DatagramPacket(query, query.length));
            byte[] buffer = new byte[0xffff];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return Arrays.copyOf(buffer, packet.getLength());
        }
    }

    static Message udp(String name, RRType type) throws Exception {
        byte[] answer = udp(dns.address(), 7, name, type, Duration.ofSeconds(2));
        assertNotNull(answer, "no answer over UDP for " + name);
        return Message.decode(answer);
    }

    /** One query over TCP; the answer's octets (EOFException when the server closes without one). */
    static byte[] tcp(String name, RRType type) throws IOException {
        byte[] query = Message.query(9, true, Question.of(name, type), Optional.empty()).toWire();
        try (Socket socket = new Socket()) {
            socket.connect(dns.address(), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] {(byte) (query.length >>> 8), (byte) query.length});
            out.write(query);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            return answer;
        }
    }

    @Test
    void aRecordIsAnsweredAndItsQueryRecordedWithEveryField() throws Exception {
        byte[] answer = udp(dns.address(), 4242, "DB.internal", RRType.A, Duration.ofSeconds(2));
        RecordedQuery q = dns.takeQuery(Duration.ofSeconds(1));
        assertNotNull(q);
        assertEquals("DB.internal.", q.name(), "the name as the client wrote it");
        assertEquals("A", q.type());
        assertEquals("udp", q.transport());
        assertEquals("127.0.0.1", q.client().getAddress().getHostAddress());
        assertEquals("NOERROR", q.rcode());
        assertEquals(4242, q.queryMessage().header().id());
        assertArrayEquals(answer, q.answer(), "the octets the client received");
        assertEquals("192.0.2.1", q.answerMessage().answers().get(0).data().toString());
    }

    @Test
    void theReverseNameOfARecordIsAnswered() throws Exception {
        Message answer = udp("1.2.0.192.in-addr.arpa", RRType.PTR);
        assertEquals("db.internal.", answer.answers().get(0).data().toString());
    }

    @Test
    void aZoneIsAnsweredOverTcp() throws Exception {
        Message answer = Message.decode(tcp("example.org", RRType.MX));
        assertEquals("10 mail.example.org.", answer.answers().get(0).data().toString());
        assertTrue(answer.header().aa());
        assertEquals("tcp", dns.takeQuery(Duration.ofSeconds(1)).transport());
    }

    @Test
    void aQueryIsRecordedBeforeItsAnswerArrives() throws Exception {
        udp("db.internal", RRType.A);
        assertEquals(1, dns.queries().size(), "no waiting needed once the client holds its answer");
    }

    @Test
    void takeQueryGivesQueriesInTheOrderTheyCame() throws Exception {
        for (String name : List.of("a.internal", "b.internal", "c.internal")) {
            udp(name, RRType.A);
        }
        assertEquals("a.internal.", dns.takeQuery(Duration.ofSeconds(1)).name());
        assertEquals("b.internal.", dns.takeQuery(Duration.ofSeconds(1)).name());
        assertEquals("c.internal.", dns.takeQuery(Duration.ofSeconds(1)).name());
        assertEquals(3, dns.queries().size(), "queries() keeps the ones taken");
    }

    @Test
    void takeQueryReturnsNullWhenNoneCameInTime() {
        assertNull(dns.takeQuery(Duration.ofMillis(50)));
    }

    @Test
    void aNameOutsideTheZonesIsRefusedAsNsdDoes() throws Exception {
        udp("nobody.internal", RRType.AAAA);
        RecordedQuery q = dns.takeQuery(Duration.ofSeconds(1));
        assertEquals("REFUSED", q.rcode());
        assertEquals("AAAA", q.type());
    }

    @Test
    void unknownNamesCanBeAnsweredNxdomainInstead() throws Exception {
        try (Chivato nx = Chivato.builder().zone("example.org.", ZONE).unknown("nxdomain").start()) {
            byte[] answer = udp(nx.address(), 1, "nobody.internal", RRType.A, Duration.ofSeconds(2));
            assertEquals("NXDOMAIN", Message.decode(answer).rcode().toString());
        }
    }

    @Test
    void clearQueriesForgetsTakenAndUntaken() throws Exception {
        udp("db.internal", RRType.A);
        dns.clearQueries();
        assertTrue(dns.queries().isEmpty());
        assertNull(dns.takeQuery(Duration.ZERO));
    }

    @Test
    void recordedQueriesAreBoundedAndTheDroppedCounted() throws Exception {
        try (Chivato small = Chivato.builder().keepQueries(5).record("192.0.2.1 db.internal").start()) {
            for (int i = 0; i < 8; i++) {
                assertNotNull(udp(small.address(), i, "q" + i + ".internal", RRType.A, Duration.ofSeconds(2)));
            }
            List<RecordedQuery> kept = small.queries();
            assertEquals(5, kept.size());
            assertEquals("q3.internal.", kept.get(0).name(), "the oldest are the ones dropped");
            assertEquals(3, small.droppedQueries());
            assertEquals("q3.internal.", small.takeQuery(Duration.ZERO).name(), "untaken ones are bounded too");
        }
    }

    @Test
    void theQueryLogGoesToTheConsumerGiven() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (Chivato logged = Chivato.builder().record("192.0.2.1 db.internal").logTo(lines::add).start()) {
            udp(logged.address(), 1, "db.internal", RRType.A, Duration.ofSeconds(2));
        }
        assertEquals(1, lines.size(), "one line per query, flushed by close: " + lines);
        assertTrue(lines.get(0).contains("db.internal"), lines.get(0));
    }

    @Test
    void namesNotHeldAreForwardedToTheUpstreamGiven() throws Exception {
        try (Chivato upstream = Chivato.builder().record("198.51.100.7 far.example").start();
             Chivato forwarding = Chivato.builder().forward("127.0.0.1:" + upstream.port()).start()) {
            byte[] answer = udp(forwarding.address(), 3, "far.example", RRType.A, Duration.ofSeconds(3));
            assertEquals("198.51.100.7", Message.decode(answer).answers().get(0).data().toString());
            assertEquals("far.example.", upstream.takeQuery(Duration.ofSeconds(1)).name(), "the upstream was asked");
        }
    }

    @Test
    void aRecordLineWithoutAnAddressFirstIsRefusedSayingWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Chivato.builder().record("db.internal 192.0.2.1").start());
        assertTrue(e.getMessage().contains("--record"), e.getMessage());
    }

    @Test
    void aBrokenZoneIsRefusedWithItsLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Chivato.builder().zone("example.org.", ZONE + "bad A 300.1.1.1\n").start());
        assertTrue(e.getMessage().startsWith("zone example.org.:8:"), e.getMessage());
    }

    // faults

    @Test
    void servfailRefusedAndNxdomainFaultsAnswerWithThatRcode() throws Exception {
        dns.fault("flaky.internal", Fault.servfail());
        assertEquals("SERVFAIL", udp("flaky.internal", RRType.A).rcode().toString());
        dns.fault("flaky.internal", Fault.refused());
        assertEquals("REFUSED", udp("flaky.internal", RRType.A).rcode().toString());
        dns.fault("flaky.internal", Fault.nxdomain());
        assertEquals("NXDOMAIN", udp("flaky.internal", RRType.A).rcode().toString());
        assertEquals("NXDOMAIN", dns.queries().get(2).rcode());
    }

    @Test
    void aFaultCoversTheNamesBelowItAndNotOthers() throws Exception {
        dns.fault("example.org", Fault.servfail());
        assertEquals("SERVFAIL", udp("www.EXAMPLE.org", RRType.A).rcode().toString());
        assertEquals("NOERROR", udp("db.internal", RRType.A).rcode().toString());
    }

    @Test
    void clearFaultsAnswersAsUsualAgain() throws Exception {
        dns.fault("db.internal", Fault.servfail());
        dns.clearFaults();
        assertEquals("NOERROR", udp("db.internal", RRType.A).rcode().toString());
    }

    @Test
    void aCountedFaultAppliesToTheNextQueriesOnly() throws Exception {
        dns.fault("db.internal", Fault.times(2, Fault.servfail()));
        assertEquals("SERVFAIL", udp("db.internal", RRType.A).rcode().toString());
        assertEquals("SERVFAIL", udp("db.internal", RRType.A).rcode().toString());
        assertEquals("NOERROR", udp("db.internal", RRType.A).rcode().toString());
    }

    @Test
    void aDroppedQueryGetsNoAnswerAndIsRecordedWithoutOne() throws Exception {
        dns.fault("db.internal", Fault.drop());
        assertNull(udp(dns.address(), 1, "db.internal", RRType.A, Duration.ofMillis(300)));
        RecordedQuery q = dns.takeQuery(Duration.ofSeconds(1));
        assertFalse(q.answered());
        assertNull(q.rcode());
        assertEquals(0, q.answer().length);
    }

    @Test
    void aDelayedAnswerComesAfterTheDelay() throws Exception {
        dns.fault("db.internal", Fault.delay(Duration.ofMillis(300)));
        long start = System.nanoTime();
        Message answer = udp("db.internal", RRType.A);
        assertTrue(System.nanoTime() - start >= 300_000_000L, "answered before the delay");
        assertEquals("192.0.2.1", answer.answers().get(0).data().toString());
    }

    @Test
    void aTruncatedAnswerOverUdpIsWholeOverTcp() throws Exception {
        dns.fault("example.org", Fault.truncate());
        Message overUdp = udp("example.org", RRType.MX);
        assertTrue(overUdp.header().tc());
        assertTrue(overUdp.answers().isEmpty());
        Message overTcp = Message.decode(tcp("example.org", RRType.MX));
        assertFalse(overTcp.header().tc());
        assertEquals(1, overTcp.answers().size());
    }

    @Test
    void garbageHasTheQueryIdAndDoesNotDecode() throws Exception {
        dns.fault("db.internal", Fault.garbage());
        byte[] answer = udp(dns.address(), 0x1234, "db.internal", RRType.A, Duration.ofSeconds(2));
        assertEquals(0x1234, ((answer[0] & 0xff) << 8) | (answer[1] & 0xff));
        assertThrows(dev.chivato.protocol.WireFormatException.class, () -> Message.decode(answer));
        assertEquals("garbage", dns.takeQuery(Duration.ofSeconds(1)).rcode());
    }

    @Test
    void closeTcpClosesTheConnectionWithoutAnAnswer() throws Exception {
        dns.fault("db.internal", Fault.closeTcp());
        assertThrows(EOFException.class, () -> tcp("db.internal", RRType.A));
        dns.clearFaults();
        assertEquals(1, Message.decode(tcp("db.internal", RRType.A)).answers().size(), "the server goes on");
    }
}
