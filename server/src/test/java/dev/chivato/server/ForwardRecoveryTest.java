package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.ForwardTest.FakeUpstream;
import dev.chivato.server.core.Cidr;
import dev.chivato.server.forward.Forwarder;
import dev.chivato.server.forward.Forwarding;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the red team did to the forwarder, each on loopback against a small upstream written here: none of it may
 * crash the server, hang a client past its deadline, or leave a question without its deadline timer.
 */
class ForwardRecoveryTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final List<Cidr> LOOPBACK_ONLY = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1"));

    @TempDir
    Path dir;

    private static Forwarding quick(InetSocketAddress... upstreams) {
        List<String> specs = Arrays.stream(upstreams).map(u -> "127.0.0.1:" + u.getPort()).toList();
        return new Forwarding(Forwarding.routes(specs), LOOPBACK_ONLY, Duration.ofMillis(300), Duration.ofMillis(1200),
                10_000, false);
    }

    private static Message query(int id, String name, boolean cd) {
        Message plain = Message.query(id, true, new Question(Name.parse(name), RRType.A, RRClass.IN),
                Optional.of(Edns.of(1232, false)));
        Header h = plain.header();
        return plain.withHeader(new Header(h.id(), false, h.opcode(), false, false, true, false, false, false, cd,
                Rcode.NOERROR));
    }

    /** Asks over UDP; the answer and how long it took, or fails after 5 s. */
    private static Timed ask(int port, Message query) throws Exception {
        byte[] wire = query.toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(5000);
            long start = System.nanoTime();
            socket.send(new DatagramPacket(wire, wire.length, LOOPBACK, port));
            DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
            socket.receive(packet);
            Message answer = Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
            assertEquals(query.header().id(), answer.header().id());
            return new Timed(answer, (System.nanoTime() - start) / 1_000_000);
        }
    }

    private record Timed(Message answer, long millis) {
    }

    /** Every question in flight still has its deadline armed, and (once all is answered) none waits. */
    private static void assertForwardersSettle(TestServer server) throws InterruptedException {
        for (Forwarder forwarder : server.server.forwarders()) {
            assertEquals(0, forwarder.unfinishedWithoutDeadline(), "a question without its deadline");
        }
        Wait.until(Duration.ofSeconds(5), () -> server.server.forwarders().stream()
                .allMatch(f -> f.waiting() == 0 && f.pending() == 0), "nothing left waiting upstream");
    }

    @Test
    void aTcpClientPipeliningForwardedQueriesGetsEveryAnswerAndTheServerLives() throws Exception {
        ScheduledExecutorService later = Executors.newScheduledThreadPool(4);
        try (FakeUpstream upstream = new FakeUpstream((q, socket, from) -> later.schedule(() -> {
                    FakeUpstream.send(socket, from, FakeUpstream.answer(q, "192.0.2.7"));
                    return null;
                }, 20, TimeUnit.MILLISECONDS));
                TestServer server = TestServer.startForwarding(quick(upstream.address()));
                Socket socket = new Socket(LOOPBACK, server.port())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            int sent = 150;
            for (int i = 0; i < sent; i++) {
                byte[] wire = query(i, "p" + i + ".elsewhere.test", false).toWire();
                out.writeShort(wire.length);
                out.write(wire);
            }
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < sent; i++) {
                byte[] answer = new byte[in.readUnsignedShort()];
                in.readFully(answer);
                Message message = Message.decode(answer);
                assertEquals(Rcode.NOERROR, message.rcode());
                assertEquals("p" + message.header().id() + ".elsewhere.test.",
                        message.questions().get(0).name().toString(), "each answer to its own question");
                ids.add(message.header().id());
            }
            assertEquals(sent, ids.size());
            assertFalse(server.server.failure().isDone(), "every loop goes on");
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(server.port(), "+short", "example.com")
                    .lines());
            List<String> log = server.stopAndReadLog();
            long good = log.stream().filter(l -> l.contains("\"source\":\"forwarded\"") && l.contains("NOERROR"))
                    .filter(l -> l.matches(".*\"id\":(\\d+).*\"qname\":\"p\\1\\.elsewhere\\.test\\.\".*")).count();
            assertEquals(sent, good, "each log entry reads its own query: " + log.subList(0, 3));
            assertTrue(server.warnings.isEmpty(), server.warnings.toString());
        } finally {
            later.shutdownNow();
        }
    }

    /**
     * The red team's bad upstream, one form a query in turn: no answer, noise, another ID, an octet changed, cut
     * short, a question pointing at itself, 255 answers claimed and none there, good with 3,000 octets after it,
     * noise with the right ID before a good one, a good one.
     */
    private static void brokenAnswer(Message query, DatagramSocket socket, SocketAddress from, int form, Random random)
            throws java.io.IOException {
        byte[] good = FakeUpstream.answer(query, "192.0.2.7").toWire();
        byte[] wire = switch (form) {
            case 0 -> null;
            case 1 -> randomOctets(random, random.nextInt(101));
            case 2 -> withId(good, query.header().id() ^ 1);
            case 3 -> {
                byte[] changed = good.clone();
                changed[2 + random.nextInt(good.length - 2)] ^= (byte) (1 + random.nextInt(255));
                yield changed;
            }
            case 4 -> Arrays.copyOf(good, random.nextInt(good.length));
            case 5 -> concat(Arrays.copyOf(good, 12), new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1});
            case 6 -> {
                byte[] claimed = Arrays.copyOf(good, good.length - 16); // the question, not its answer
                claimed[7] = (byte) 255;
                yield claimed;
            }
            case 7 -> concat(good, new byte[3000]);
            case 8 -> {
                send(socket, from, withId(randomOctets(random, 40), query.header().id()));
                yield good;
            }
            default -> good;
        };
        if (wire != null) {
            send(socket, from, wire);
        }
    }

    @Test
    void anUpstreamSendingEveryKindOfBrokenAnswerCostsOnlyThoseAnswers() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        Random random = new Random(30);
        try (FakeUpstream broken = new FakeUpstream((q, socket, from) ->
                        brokenAnswer(q, socket, from, seen.getAndIncrement() % 10, random));
                TestServer server = TestServer.startForwarding(quick(broken.address()));
                DatagramSocket client = new DatagramSocket()) {
            int sent = 100;
            for (int id = 0; id < sent; id++) {
                byte[] wire = query(id, "b" + id + ".elsewhere.test", false).toWire();
                client.send(new DatagramPacket(wire, wire.length, LOOPBACK, server.port()));
            }
            client.setSoTimeout(5000); // the deadline is 1.2 s: every question is answered well before this
            Set<Integer> answered = new HashSet<>();
            Set<Rcode> rcodes = new HashSet<>();
            while (answered.size() < sent) {
                DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
                client.receive(packet);
                Message answer = Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
                int id = answer.header().id();
                assertEquals("b" + id + ".elsewhere.test.", answer.questions().get(0).name().toString(),
                        "each answer to its own question");
                assertTrue(answered.add(id), "one answer a question: " + id);
                rcodes.add(answer.rcode());
            }
            assertTrue(rcodes.contains(Rcode.NOERROR) && rcodes.contains(Rcode.SERVFAIL), rcodes.toString());
            assertFalse(server.server.failure().isDone(), "every loop goes on");
            assertForwardersSettle(server);
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(server.port(), "+short", "example.com")
                    .lines());
        }
    }

    private static byte[] randomOctets(Random random, int length) {
        byte[] octets = new byte[length];
        random.nextBytes(octets);
        return octets;
    }

    private static byte[] withId(byte[] message, int id) {
        byte[] copy = message.length < 2 ? Arrays.copyOf(message, 2) : message.clone();
        copy[0] = (byte) (id >>> 8);
        copy[1] = (byte) id;
        return copy;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static void send(DatagramSocket socket, SocketAddress to, byte[] wire) throws java.io.IOException {
        socket.send(new DatagramPacket(wire, wire.length, to));
    }

    @Test
    void aSilentUpstreamAndOneAnsweringServfailEndInServfailWithoutWaitingForTheDeadline() throws Exception {
        try (FakeUpstream silent = FakeUpstream.silent();
                FakeUpstream failing = servfailing();
                TestServer server = TestServer.startForwarding(quick(silent.address(), failing.address()))) {
            Timed first = ask(server.port(), query(1, "www.elsewhere.test", false));
            assertEquals(Rcode.SERVFAIL, first.answer().rcode());
            assertTrue(first.millis() < 1000, "after the silent one's try, not at the deadline: " + first.millis());
            assertEquals(1, failing.queries.get());
            Timed again = ask(server.port(), query(2, "www.elsewhere.test", false));
            assertEquals(Rcode.SERVFAIL, again.answer().rcode(), "a later identical question is answered too");
            assertForwardersSettle(server);
        }
    }

    @Test
    void anUpstreamThatLosesTheFirstQueryAndFailsTheRetryIsAnsweredServfail() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        try (FakeUpstream flaky = new FakeUpstream((q, socket, from) -> {
                    if (seen.incrementAndGet() > 1) {
                        FakeUpstream.send(socket, from, withRcode(FakeUpstream.answer(q, "192.0.2.1"),
                                Rcode.SERVFAIL));
                    }
                });
                TestServer server = TestServer.startForwarding(quick(flaky.address()))) {
            Timed answer = ask(server.port(), query(1, "www.elsewhere.test", false));
            assertEquals(Rcode.SERVFAIL, answer.answer().rcode());
            assertTrue(answer.millis() < 1000, "when the retry failed: " + answer.millis());
            assertForwardersSettle(server);
        }
    }

    @Test
    void anUpstreamAnswerWithAHugeTsigIsPassedOnWithoutItAndStopsNothing() throws Exception {
        try (FakeUpstream signing = new FakeUpstream((q, socket, from) -> {
                    Message answer = FakeUpstream.answer(q, "192.0.2.9");
                    ResourceRecord tsig = new ResourceRecord(Name.parse("key.example"), RRClass.ANY, 0,
                            new RData.Unknown(RRType.TSIG, new byte[1400]));
                    FakeUpstream.send(socket, from, new Message(answer.header(), answer.questions(),
                            answer.answers(), List.of(), List.of(tsig), answer.edns()));
                });
                TestServer server = TestServer.startForwarding(quick(signing.address()))) {
            Message answer = ask(server.port(), query(1, "www.elsewhere.test", false)).answer();
            assertEquals(Rcode.NOERROR, answer.rcode());
            assertEquals("192.0.2.9", answer.answers().get(0).data().toString());
            assertTrue(answer.additional().isEmpty(), "the upstream's TSIG is not ours to pass on");
            assertFalse(server.server.failure().isDone());
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(server.port(), "+short", "example.com")
                    .lines());
        }
    }

    @Test
    void anAnswerFetchedWithCdIsNotServedToAClientWithoutIt() throws Exception {
        try (FakeUpstream validating = new FakeUpstream((q, socket, from) -> FakeUpstream.send(socket, from,
                q.header().cd() ? FakeUpstream.answer(q, "192.0.2.66")
                        : withRcode(FakeUpstream.answer(q, "192.0.2.66"), Rcode.SERVFAIL)));
                TestServer server = TestServer.startForwarding(quick(validating.address()))) {
            Message withCd = ask(server.port(), query(1, "bogus.elsewhere.test", true)).answer();
            assertEquals("192.0.2.66", withCd.answers().get(0).data().toString());
            assertTrue(withCd.header().cd());
            Message withoutCd = ask(server.port(), query(2, "bogus.elsewhere.test", false)).answer();
            assertEquals(Rcode.SERVFAIL, withoutCd.rcode(), "data a validator refused, asked without CD");
            assertEquals(2, validating.queries.get(), "asked upstream again, not taken from the cache");
        }
    }

    @Test
    void anUpstreamStreamingEndlessEmptyFramesCannotHoldTheLoop() throws Exception {
        java.util.concurrent.CountDownLatch flooding = new java.util.concurrent.CountDownLatch(1);
        try (FakeUpstream truncating = FakeUpstream.truncatingWithTcp(10);
                ServerSocket tcp = truncating.tcp();
                TestServer server = TestServer.startForwarding(quick(truncating.address()), null, 1)) {
            Thread flood = new Thread(() -> {
                try (Socket connection = tcp.accept()) {
                    OutputStream out = connection.getOutputStream();
                    byte[] frames = new byte[64 * 1024]; // frames of length 0, as fast as the socket takes them
                    long end = System.nanoTime() + 3_000_000_000L;
                    flooding.countDown();
                    while (System.nanoTime() < end) {
                        out.write(frames);
                    }
                } catch (Exception closed) {
                    // the server closed the connection, as it should
                }
            });
            flood.setDaemon(true);
            flood.start();
            java.util.concurrent.CompletableFuture<Timed> forwarded = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return ask(server.port(), query(1, "www.elsewhere.test", false));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
            assertTrue(flooding.await(5, TimeUnit.SECONDS), "the question went over TCP to the flood");
            Timed local = ask(server.port(), query(2, "example.com", false));
            assertEquals(2, local.answer().answers().size(), "the one loop still answers our own names");
            assertTrue(local.millis() < 1000, local.millis() + " ms");
            assertEquals(Rcode.SERVFAIL, forwarded.get(5, TimeUnit.SECONDS).answer().rcode());
            flood.join(5000);
        }
    }

    @Test
    void anUpstreamThatDoesNotKnowEdnsIsAskedAgainWithoutIt() throws Exception {
        List<Boolean> withEdns = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (FakeUpstream old = new FakeUpstream((q, socket, from) -> {
                    withEdns.add(q.edns().isPresent());
                    Message answer = FakeUpstream.answer(q, "192.0.2.5");
                    FakeUpstream.send(socket, from, q.edns().isPresent()
                            ? new Message(answer.header().withRcode(Rcode.FORMERR), q.questions(), List.of(),
                                    List.of(), List.of(), Optional.empty())
                            : answer);
                });
                TestServer server = TestServer.startForwarding(quick(old.address()))) {
            Message answer = ask(server.port(), query(1, "www.elsewhere.test", false)).answer();
            assertEquals("192.0.2.5", answer.answers().get(0).data().toString());
            assertEquals(List.of(true, false), withEdns, "FORMERR to EDNS, then asked without (RFC 6891 section 7)");
        }
    }

    /**
     * The red team's heap exhaustion: 64 KB queries (a question and 5,900 empty records) waiting for a silent
     * upstream. Each waits holding its header and question only, so 300 of them hold a few dozen KB, not 19 MB.
     */
    @Test
    void largeQueriesWaitingForASilentUpstreamHoldOnlyWhatTheirReplyNeeds() throws Exception {
        try (FakeUpstream silent = FakeUpstream.silent();
                TestServer server = TestServer.startForwarding(quick(silent.address()), null, 1)) {
            int sent = 300;
            List<Socket> clients = new java.util.ArrayList<>();
            try {
                for (int c = 0; c < 3; c++) {
                    Socket socket = new Socket(LOOPBACK, server.port());
                    clients.add(socket);
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    for (int i = 0; i < sent / 3; i++) {
                        byte[] large = withEmptyRecords(query(c * 1000 + i, "q" + c + "-" + i + ".elsewhere.test",
                                false), 5_900);
                        out.writeShort(large.length);
                        out.write(large);
                    }
                    out.flush();
                }
                Forwarder forwarder = server.server.forwarders().get(0);
                Wait.until(Duration.ofSeconds(5), () -> forwarder.waiting() == sent, "every query waiting");
                assertTrue(forwarder.waitingOctets() < sent * 400L, forwarder.waitingOctets() + " octets held for "
                        + sent + " queries of 64 KB");
                for (Socket socket : clients) {
                    socket.setSoTimeout(5000);
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    for (int i = 0; i < sent / 3; i++) {
                        byte[] reply = new byte[in.readUnsignedShort()];
                        in.readFully(reply);
                        assertEquals(Rcode.SERVFAIL, Message.decode(reply).rcode());
                    }
                }
            } finally {
                for (Socket socket : clients) {
                    socket.close();
                }
            }
        }
    }

    /** The query with {@code count} empty records (root owner, a private type, no data) in its additional section. */
    private static byte[] withEmptyRecords(Message query, int count) {
        byte[] head = new Message(query.header(), query.questions(), List.of(), List.of(), List.of(),
                Optional.empty()).toWire();
        java.nio.ByteBuffer wire = java.nio.ByteBuffer.allocate(head.length + 11 * count).put(head);
        wire.putShort(10, (short) count);
        for (int i = 0; i < count; i++) {
            wire.put((byte) 0).putShort((short) 65280).putShort((short) 1).putInt(0).putShort((short) 0);
        }
        return wire.array();
    }

    private static FakeUpstream servfailing() throws java.io.IOException {
        return new FakeUpstream((q, socket, from) -> FakeUpstream.send(socket, from,
                withRcode(FakeUpstream.answer(q, "192.0.2.1"), Rcode.SERVFAIL)));
    }

    private static Message withRcode(Message answer, Rcode rcode) {
        return new Message(answer.header().withRcode(rcode), answer.questions(), List.of(), List.of(), List.of(),
                answer.edns());
    }
}
