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
import dev.chivato.server.core.Cidr;
import dev.chivato.server.forward.Forwarding;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forwarding what we do not hold: to NSD, and to small upstreams written here that misbehave on purpose. */
class ForwardTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final List<Cidr> LOOPBACK_ONLY = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1"));

    @TempDir
    Path dir;

    private static Forwarding forwarding(List<Cidr> allowed, Duration tryTimeout, Duration deadline, int maxPending,
            InetSocketAddress... upstreams) {
        List<String> specs = Arrays.stream(upstreams).map(u -> "127.0.0.1:" + u.getPort()).toList();
        return new Forwarding(Forwarding.routes(specs), allowed, tryTimeout, deadline, maxPending, false);
    }

    private static Forwarding quick(InetSocketAddress... upstreams) {
        return forwarding(LOOPBACK_ONLY, Duration.ofMillis(300), Duration.ofMillis(1200), 10_000, upstreams);
    }

    /** A query as dig sends it, with a random ID, asked over UDP; the decoded answer, or empty after 3 s. */
    static Optional<Message> ask(int port, String name, RRType type) throws Exception {
        Message query = Message.query(new java.util.Random().nextInt(0x10000), true,
                new Question(Name.parse(name), type, RRClass.IN), Optional.of(Edns.of(1232, false)));
        byte[] wire = query.toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(3000);
            socket.send(new DatagramPacket(wire, wire.length, LOOPBACK, port));
            DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
            socket.receive(packet);
            Message answer = Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
            assertEquals(query.header().id(), answer.header().id(), "the client's own ID comes back");
            return Optional.of(answer);
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
    }

    private static List<String> addresses(Message message) {
        return message.answers().stream().map(r -> r.data().toString()).sorted().toList();
    }

    @Test
    void namesWeDoNotHoldGetTheUpstreamAnswerAndOurNamesOurs() throws Exception {
        Path zone = dir.resolve("example.net.zone");
        Files.writeString(zone, """
                $ORIGIN example.net.
                $TTL 300
                @ 3600 SOA ns1 hostmaster 1 7200 3600 1209600 60
                @ NS ns1
                ns1 A 192.0.2.53
                www A 192.0.2.80
                """);
        try (Nsd nsd = Nsd.start(dir, "example.net", zone);
                TestServer server = TestServer.startForwarding(forwarding(LOOPBACK_ONLY, Forwarding.TRY_TIMEOUT,
                        Forwarding.DEADLINE, Forwarding.MAX_PENDING, new InetSocketAddress(LOOPBACK, nsd.port)))) {
            Message direct = Nsd.ask(nsd.port, "www.example.net", "A").orElseThrow();
            Message forwarded = ask(server.port(), "www.example.net", RRType.A).orElseThrow();
            assertEquals(addresses(direct), addresses(forwarded));
            assertTrue(forwarded.header().ra() && !forwarded.header().aa(), "RA set, AA clear");
            assertTrue(forwarded.answers().get(0).ttl() <= direct.answers().get(0).ttl());
            Message missing = ask(server.port(), "nowhere.example.net", RRType.A).orElseThrow();
            assertEquals(Rcode.NXDOMAIN, missing.rcode());
            assertEquals(60, missing.authority().get(0).ttl(), "NSD's negative answer, SOA and all");
            Message local = ask(server.port(), "example.com", RRType.A).orElseThrow();
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), addresses(local));
            assertTrue(local.header().aa(), "our own data stays authoritative");
            assertEquals(List.of("192.0.2.80"), ExternalTool.dig(server.port(), "+short", "www.example.net").lines());
            String kdig = ExternalTool.run("kdig", "@127.0.0.1", "-p", Integer.toString(server.port()),
                    "+timeout=2", "+retry=0", "+tcp", "www.example.net", "A").stdout();
            assertTrue(kdig.contains("NOERROR") && kdig.contains("192.0.2.80") && kdig.contains("ra"), kdig);
            // UDP answers are logged by the socket's reader, forwarded ones by the loop: find each by its name
            List<String> log = server.stopAndReadLog();
            String www = entryFor(log, "www.example.net.");
            assertTrue(www.contains("\"source\":\"forwarded\"") && www.contains(
                    "\"upstream\":\"127.0.0.1:" + nsd.port + "\"") && www.contains("\"tries\":1"), www);
            assertTrue(entryFor(log, "example.com.").contains("\"source\":\"records\""), log.toString());
        }
    }

    /** The first log entry for {@code qname}. */
    private static String entryFor(List<String> log, String qname) {
        return log.stream().filter(line -> line.contains("\"qname\":\"" + qname + "\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no entry for " + qname + " in " + log));
    }

    @Test
    void answersAreKeptForTheirTtlAndNegativeOnesForTheSoaNegativeTtl() throws Exception {
        Path zone = dir.resolve("example.net.zone");
        Files.writeString(zone, """
                $ORIGIN example.net.
                @ 2 SOA ns1 hostmaster 1 7200 3600 1209600 60
                @ 300 NS ns1
                ns1 300 A 192.0.2.53
                www 300 A 192.0.2.80
                """); // the SOA's TTL (2) is below its MINIMUM (60): negative answers are kept 2 s
        try (Nsd nsd = Nsd.start(dir, "example.net", zone);
                TestServer server = TestServer.startForwarding(forwarding(LOOPBACK_ONLY, Forwarding.TRY_TIMEOUT,
                        Forwarding.DEADLINE, Forwarding.MAX_PENDING, new InetSocketAddress(LOOPBACK, nsd.port)))) {
            long first = ask(server.port(), "www.example.net", RRType.A).orElseThrow().answers().get(0).ttl();
            assertEquals(Rcode.NXDOMAIN, ask(server.port(), "gone.example.net", RRType.A).orElseThrow().rcode());
            Thread.sleep(2500); // what is tested is time passing: whole seconds counted off the kept TTLs
            long later = ask(server.port(), "WWW.example.net", RRType.A).orElseThrow().answers().get(0).ttl();
            assertTrue(later <= first - 2 && later >= first - 4, first + " then " + later);
            long same = ask(server.port(), "www.example.net", RRType.A).orElseThrow().answers().get(0).ttl();
            assertTrue(same <= first - 2 && same >= first - 4, "from the answer's own bytes: " + first + " then "
                    + same);
            assertEquals(Rcode.NXDOMAIN, ask(server.port(), "gone.example.net", RRType.A).orElseThrow().rcode());
            assertEquals(Rcode.NXDOMAIN, ask(server.port(), "gone.example.net", RRType.A).orElseThrow().rcode());
            List<String> sources = server.stopAndReadLog().stream()
                    .map(l -> l.replaceAll(".*\"source\":\"([a-z-]+)\".*", "$1")).toList();
            assertEquals(List.of("forwarded", "forwarded", "cache", "cache", "forwarded", "cache"), sources);
        }
    }

    @Test
    void aFailureIsKeptOneSecond() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.silent();
                TestServer server = TestServer.startForwarding(quick(upstream.address()))) {
            assertEquals(Rcode.SERVFAIL, ask(server.port(), "www.example.net", RRType.A).orElseThrow().rcode());
            int asked = upstream.queries.get();
            long start = System.nanoTime();
            assertEquals(Rcode.SERVFAIL, ask(server.port(), "www.example.net", RRType.A).orElseThrow().rcode());
            assertTrue(System.nanoTime() - start < 500_000_000L, "from the cache, not after another deadline");
            assertEquals(asked, upstream.queries.get());
            String line = server.stopAndReadLog().get(1);
            assertTrue(line.contains("\"source\":\"cache\""), line);
        }
    }

    @Test
    void aClientOutsideAllowRecursionIsRefusedForForwardedNamesOnly() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.answering("192.0.2.99");
                TestServer server = TestServer.startForwarding(forwarding(List.of(Cidr.parse("192.0.2.0/24")),
                        Forwarding.TRY_TIMEOUT, Forwarding.DEADLINE, 10, upstream.address()))) {
            assertEquals(Rcode.REFUSED, ask(server.port(), "www.example.net", RRType.A).orElseThrow().rcode());
            assertEquals(List.of("1.2.3.4", "1.2.3.5"),
                    addresses(ask(server.port(), "example.com", RRType.A).orElseThrow()));
            assertEquals(0, upstream.queries.get());
            String line = server.stopAndReadLog().get(0);
            assertTrue(line.contains("\"rcode\":\"REFUSED\"") && line.contains("--allow-recursion"), line);
        }
    }

    @Test
    void anAnswerKeptForOneClientIsNotServedToAClientOutsideAllowRecursion() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.answering("192.0.2.99");
                TestServer server = TestServer.startForwarding(forwarding(List.of(Cidr.parse("127.0.0.1/32")),
                        Forwarding.TRY_TIMEOUT, Forwarding.DEADLINE, 10, upstream.address()))) {
            byte[] query = Message.query(7, true, new Question(Name.parse("www.example.net"), RRType.A, RRClass.IN),
                    Optional.of(Edns.of(1232, false))).toWire();
            assertEquals(List.of("192.0.2.99"), addresses(askFrom("127.0.0.1", server.port(), query)));
            Message other = askFrom("127.0.0.2", server.port(), query); // the very same query, octet for octet
            assertEquals(Rcode.REFUSED, other.rcode());
            assertEquals(1, upstream.queries.get());
        }
    }

    private static Message askFrom(String source, int port, byte[] query) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(source), 0))) {
            socket.setSoTimeout(3000);
            socket.send(new DatagramPacket(query, query.length, LOOPBACK, port));
            DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
            socket.receive(packet);
            return Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
        }
    }

    @Test
    void silentUpstreamsAreTriedInTurnAndTheClientGetsServfailAtTheDeadline() throws Exception {
        try (FakeUpstream first = FakeUpstream.silent(); FakeUpstream second = FakeUpstream.silent();
                TestServer server = TestServer.startForwarding(quick(first.address(), second.address()))) {
            long start = System.nanoTime();
            Message answer = ask(server.port(), "www.example.net", RRType.A).orElseThrow();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Rcode.SERVFAIL, answer.rcode());
            assertTrue(millis >= 1100 && millis < 2900, millis + " ms: at the 1.2 s deadline");
            assertTrue(first.queries.get() >= 2 && second.queries.get() >= 1,
                    first.queries + " and " + second.queries + " tries");
            String line = server.stopAndReadLog().get(0);
            assertTrue(line.contains("\"tries\":4") && line.contains("did not answer"), line);
        }
    }

    @Test
    void metricsTimeTheUpstreamAnswers() throws Exception {
        dev.chivato.server.metrics.Metrics metrics = new dev.chivato.server.metrics.Metrics();
        try (FakeUpstream upstream = FakeUpstream.answering("192.0.2.5");
                TestServer server = TestServer.startForwarding(quick(upstream.address()), metrics)) {
            assertEquals(List.of("192.0.2.5"), addresses(ask(server.port(), "www.example.net", RRType.A)
                    .orElseThrow()));
            var http = metrics.serve(new InetSocketAddress(LOOPBACK, 0));
            try {
                String exposition = MetricsTest.scrape(http.getPort());
                assertTrue(exposition.contains(
                        "chivato_forward_upstream_duration_seconds_count{proto=\"udp\"} 1"), exposition);
            } finally {
                http.stop();
            }
        }
    }

    @Test
    void metricsCountTriesTimeoutsAndForwardedResponses() throws Exception {
        dev.chivato.server.metrics.Metrics metrics = new dev.chivato.server.metrics.Metrics();
        try (FakeUpstream upstream = FakeUpstream.silent();
                TestServer server = TestServer.startForwarding(quick(upstream.address()), metrics)) {
            assertEquals(Rcode.SERVFAIL, ask(server.port(), "www.example.net", RRType.A).orElseThrow().rcode());
            var http = metrics.serve(new InetSocketAddress(LOOPBACK, 0));
            try {
                String exposition = MetricsTest.scrape(http.getPort());
                for (String expected : List.of("chivato_forward_tries_total 4.0",
                        "chivato_forward_tries_failed_total{reason=\"timeout\"} 4.0",
                        "chivato_dns_answers_total{source=\"forwarded\"} 1.0",
                        "chivato_dns_responses_total{rcode=\"SERVFAIL\"} 1.0")) {
                    assertTrue(exposition.contains(expected), expected + " in " + exposition);
                }
            } finally {
                http.stop();
            }
        }
    }

    @Test
    void answersFromElsewhereWithAnotherIdOrQuestionOrNotDnsAreDroppedAndTheRealOneTaken() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream((query, socket, from) -> {
                    Message good = FakeUpstream.answer(query, "192.0.2.99");
                    try (DatagramSocket other = new DatagramSocket(0, LOOPBACK)) {
                        FakeUpstream.send(other, from, FakeUpstream.answer(query, "192.0.2.66"));
                    }
                    FakeUpstream.send(socket, from, good.withHeader(withId(good.header(),
                            (good.header().id() + 1) & 0xffff)));
                    FakeUpstream.send(socket, from, new Message(good.header(), List.of(new Question(
                            Name.parse("evil.example"), RRType.A, RRClass.IN)), good.answers(), List.of(), List.of(),
                            Optional.empty()));
                    byte[] garbage = {1, 2, 3};
                    socket.send(new DatagramPacket(garbage, garbage.length, from));
                    FakeUpstream.send(socket, from, good);
                });
                TestServer server = TestServer.startForwarding(quick(upstream.address()))) {
            Message answer = ask(server.port(), "www.example.net", RRType.A).orElseThrow();
            assertEquals(List.of("192.0.2.99"), addresses(answer));
            server.stopAndReadLog();
            assertTrue(server.warnings.stream().anyMatch(w -> w.contains("dropped an answer")), server.warnings
                    .toString());
        }
    }

    private static Header withId(Header h, int id) {
        return new Header(id, h.qr(), h.opcode(), h.aa(), h.tc(), h.rd(), h.ra(), h.z(), h.ad(), h.cd(), h.rcode());
    }

    @Test
    void anUpstreamWithNothingOnItsPortIsPassedOverAtOnceNotAfterTheTryTimeout() throws Exception {
        InetSocketAddress closed;
        try (DatagramSocket socket = new DatagramSocket(0, LOOPBACK)) {
            closed = (InetSocketAddress) socket.getLocalSocketAddress(); // nothing listens there once it closes
        }
        try (FakeUpstream good = FakeUpstream.answering("192.0.2.2");
                TestServer server = TestServer.startForwarding(forwarding(LOOPBACK_ONLY, Duration.ofSeconds(2),
                        Duration.ofSeconds(4), 10_000, closed, good.address()))) {
            long start = System.nanoTime();
            assertEquals(List.of("192.0.2.2"), addresses(ask(server.port(), "www.example.net", RRType.A)
                    .orElseThrow()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 1000, millis + " ms: the ICMP port unreachable moved on, not the 2 s try timeout");
            String line = server.stopAndReadLog().get(0);
            assertTrue(line.contains("\"tries\":2") && line.contains(":" + good.address().getPort()), line);
        }
    }

    @Test
    void servfailFromOneUpstreamMovesToTheNext() throws Exception {
        try (FakeUpstream failing = new FakeUpstream((query, socket, from) -> FakeUpstream.send(socket, from,
                FakeUpstream.answer(query, "192.0.2.1").withRcode(Rcode.SERVFAIL)));
                FakeUpstream good = FakeUpstream.answering("192.0.2.2");
                TestServer server = TestServer.startForwarding(quick(failing.address(), good.address()))) {
            assertEquals(List.of("192.0.2.2"), addresses(ask(server.port(), "www.example.net", RRType.A)
                    .orElseThrow()));
            String line = server.stopAndReadLog().get(0);
            assertTrue(line.contains("\"tries\":2") && line.contains(":" + good.address().getPort()), line);
        }
    }

    @Test
    void aTruncatedAnswerIsAskedAgainOverTcpFromTheSameUpstream() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.truncatingWithTcp(1);
                java.net.ServerSocket tcp = upstream.tcp();
                TestServer server = TestServer.startForwarding(quick(upstream.address()))) {
            Thread stream = new Thread(() -> {
                try (Socket connection = tcp.accept()) {
                    DataInputStream in = new DataInputStream(connection.getInputStream());
                    byte[] wire = new byte[in.readUnsignedShort()];
                    in.readFully(wire);
                    Message query = Message.decode(wire);
                    List<ResourceRecord> many = new ArrayList<>();
                    for (int i = 1; i <= 40; i++) {
                        many.add(ResourceRecord.in(query.questions().get(0).name(), 60, RData.A.parse("10.0.0." + i)));
                    }
                    byte[] answer = new Message(FakeUpstream.answer(query, "10.0.0.1").header(), query.questions(),
                            many, List.of(), List.of(), query.edns()).toWire();
                    DataOutputStream out = new DataOutputStream(connection.getOutputStream());
                    out.writeShort(answer.length);
                    out.write(answer);
                    out.flush();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            stream.start();
            Message answer = ask(server.port(), "many.example.net", RRType.A).orElseThrow();
            assertEquals(40, answer.answers().size());
            assertFalse(answer.header().tc());
            stream.join(3000);
            String line = server.stopAndReadLog().get(0);
            assertTrue(line.contains("\"tries\":2"), line);
        }
    }

    @Test
    void truncatedAnswersAreAskedAgainOverOneKeptConnection() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (FakeUpstream upstream = FakeUpstream.truncatingWithTcp(1);
                java.net.ServerSocket tcp = upstream.tcp();
                TestServer server = TestServer.startForwarding(quick(upstream.address()))) {
            Thread stream = new Thread(() -> {
                try {
                    while (!tcp.isClosed()) {
                        Socket connection = tcp.accept();
                        connections.incrementAndGet();
                        DataInputStream in = new DataInputStream(connection.getInputStream());
                        DataOutputStream out = new DataOutputStream(connection.getOutputStream());
                        while (true) {
                            byte[] wire = new byte[in.readUnsignedShort()];
                            in.readFully(wire);
                            byte[] answer = FakeUpstream.answer(Message.decode(wire), "10.0.0.9").toWire();
                            out.writeShort(answer.length);
                            out.write(answer);
                            out.flush();
                        }
                    }
                } catch (Exception e) {
                    // the test is over
                }
            });
            stream.setDaemon(true);
            stream.start();
            for (String name : new String[] {"one.example.net", "two.example.net", "three.example.net"}) {
                assertEquals(List.of("10.0.0.9"), addresses(ask(server.port(), name, RRType.A).orElseThrow()));
            }
            assertEquals(1, connections.get(), "one connection for the three");
        }
    }

    @Test
    void anAnswerKeptOnOneEventLoopAnswersTheQuestionOnTheOthers() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.answering("192.0.2.9");
                TestServer server = TestServer.startForwarding(quick(upstream.address()), null, 2)) {
            Message first = ask(server.port(), "kept.example.net", RRType.A).orElseThrow();
            assertEquals(List.of("192.0.2.9"), addresses(first));
            // The same question in other octets (capitals, no EDNS), so the answer cache's copy of the first answer
            // does not answer it; from 40 sockets, which the kernel spreads over both loops' sockets.
            for (int i = 0; i < 40; i++) {
                try (DatagramSocket client = new DatagramSocket()) {
                    client.setSoTimeout(3000);
                    byte[] wire = Message.query(i, true, new Question(Name.parse("KEPT.example.NET"), RRType.A,
                            RRClass.IN), Optional.empty()).toWire();
                    client.send(new DatagramPacket(wire, wire.length, LOOPBACK, server.port()));
                    DatagramPacket packet = new DatagramPacket(new byte[512], 512);
                    client.receive(packet);
                    Message answer = Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
                    assertEquals(List.of("192.0.2.9"), addresses(answer));
                }
            }
            assertEquals(1, upstream.queries.get(), "the question went upstream once, whichever loop was asked");
        }
    }

    @Test
    void identicalQuestionsInFlightGoUpstreamOnce() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream((query, socket, from) -> {
                    Thread.sleep(200); // a slow upstream: the other four clients ask meanwhile
                    FakeUpstream.send(socket, from, FakeUpstream.answer(query, "192.0.2.7"));
                });
                TestServer server = TestServer.startForwarding(quick(upstream.address()))) {
            List<DatagramSocket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    DatagramSocket client = new DatagramSocket();
                    client.setSoTimeout(3000);
                    clients.add(client);
                    byte[] wire = Message.query(i, true, new Question(Name.parse(i % 2 == 0 ? "same.example.net"
                            : "SAME.example.NET"), RRType.A, RRClass.IN), Optional.empty()).toWire();
                    client.send(new DatagramPacket(wire, wire.length, LOOPBACK, server.port()));
                }
                for (int i = 0; i < 5; i++) {
                    DatagramPacket packet = new DatagramPacket(new byte[512], 512);
                    clients.get(i).receive(packet);
                    Message answer = Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
                    assertEquals(i, answer.header().id());
                    assertEquals(List.of("192.0.2.7"), addresses(answer));
                    assertEquals(i % 2 == 0 ? "same.example.net." : "SAME.example.NET.",
                            answer.questions().get(0).name().toString(), "each client's own case");
                }
            } finally {
                clients.forEach(DatagramSocket::close);
            }
            assertEquals(1, upstream.queries.get(), "one upstream query for five clients");
        }
    }

    @Test
    void slowAndFastAnswersForOneTcpClientGoOutAsTheyComplete() throws Exception {
        java.util.concurrent.ScheduledExecutorService later = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        try (FakeUpstream upstream = new FakeUpstream((query, socket, from) -> {
                    boolean slow = query.questions().get(0).name().toString().startsWith("slow");
                    later.schedule(() -> {
                        FakeUpstream.send(socket, from, FakeUpstream.answer(query, slow ? "192.0.2.1" : "192.0.2.2"));
                        return null;
                    }, slow ? 600 : 0, TimeUnit.MILLISECONDS);
                });
                TestServer server = TestServer.startForwarding(quick(upstream.address()));
                Socket socket = new Socket(LOOPBACK, server.port())) {
            socket.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            for (String name : new String[] {"slow.example.net", "fast.example.net"}) {
                byte[] wire = Message.query(name.length(), true, new Question(Name.parse(name), RRType.A,
                        RRClass.IN), Optional.empty()).toWire();
                out.writeShort(wire.length);
                out.write(wire);
            }
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                byte[] message = new byte[in.readUnsignedShort()];
                in.readFully(message);
                order.add(Message.decode(message).questions().get(0).name().toString());
            }
            assertEquals(List.of("fast.example.net.", "slow.example.net."), order);
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void pastThePendingCapQueriesGetServfailAtOnce() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.silent();
                TestServer server = TestServer.startForwarding(forwarding(LOOPBACK_ONLY, Duration.ofMillis(500),
                        Duration.ofMillis(1500), 2, upstream.address()))) {
            List<Long> millis = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String name = "n" + i + ".example.net";
                Thread client = new Thread(() -> {
                    try {
                        long start = System.nanoTime();
                        assertEquals(Rcode.SERVFAIL, ask(server.port(), name, RRType.A).orElseThrow().rcode());
                        millis.add((System.nanoTime() - start) / 1_000_000);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                clients.add(client);
                client.start();
            }
            for (Thread client : clients) {
                client.join(5000);
            }
            assertEquals(6, millis.size());
            long quick = millis.stream().filter(m -> m < 1000).count();
            assertTrue(quick >= 2, "at least the queries past the cap (2 per loop) are refused at once: " + millis);
            assertFalse(millis.stream().allMatch(m -> m < 1000), "the others wait for the deadline: " + millis);
        }
    }

    @Test
    void twentyThousandQueriesToASilentUpstreamHoldTheCapAndAllGetServfailByTheDeadline() throws Exception {
        int total = 20_000;
        try (FakeUpstream upstream = FakeUpstream.silent();
                TestServer server = TestServer.startForwarding(forwarding(LOOPBACK_ONLY, Forwarding.TRY_TIMEOUT,
                        Forwarding.DEADLINE, Forwarding.MAX_PENDING, upstream.address()));
                DatagramSocket client = new DatagramSocket()) {
            client.setReceiveBufferSize(8 << 20);
            client.setSoTimeout(6000);
            AtomicInteger servfail = new AtomicInteger();
            AtomicInteger other = new AtomicInteger();
            Thread reader = new Thread(() -> {
                DatagramPacket packet = new DatagramPacket(new byte[512], 512);
                try {
                    while (servfail.get() + other.get() < total) {
                        client.receive(packet);
                        Message answer = Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
                        (answer.rcode().equals(Rcode.SERVFAIL) ? servfail : other).incrementAndGet();
                    }
                } catch (Exception e) {
                    // the timeout: whoever is left unanswered is counted below
                }
            });
            reader.start();
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                byte[] wire = Message.query(i & 0xffff, true, new Question(Name.parse("n" + i + ".example.net"),
                        RRType.A, RRClass.IN), Optional.empty()).toWire();
                client.send(new DatagramPacket(wire, wire.length, LOOPBACK, server.port()));
                if (i % 20 == 19) {
                    Thread.sleep(2); // about 10,000 a second, not one burst the socket buffers would drop
                }
            }
            Message local = ask(server.port(), "example.com", RRType.A).orElseThrow();
            assertEquals(2, local.answers().size(), "our own names are answered all the while");
            reader.join(10_000);
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            List<String> log = server.stopAndReadLog();
            assertEquals(0, other.get());
            assertEquals(total, servfail.get(), "every query gets SERVFAIL, within " + seconds + " s; the server "
                    + "logged " + log.size() + " " + server.warnings.stream().limit(5).toList());
            long refusedAtOnce = log.stream().filter(l -> l.contains("too many forwarded queries wait")).count();
            // sent within about 2 s, while the first wait their 4 s: the cap holds 10,000, the rest are refused at
            // once (a few fewer if the sending took so long that the first ones reached their deadline meanwhile)
            assertTrue(refusedAtOnce <= total - Forwarding.MAX_PENDING && refusedAtOnce >= 9_000,
                    refusedAtOnce + " refused at once");
        }
    }

    /** The README's recipe for watching a host: --forward alone must not feed it the seed's fake names. */
    @Test
    void withForwardAloneTheSeedIsNotServedAndSeedBringsItBack() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.answering("192.0.2.7")) {
            String forward = "127.0.0.1:" + upstream.address().getPort();
            try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "off", "--forward", forward)) {
                assertEquals(List.of("192.0.2.7"), ExternalTool.dig(server.port, "+short", "example.com").lines(),
                        "the real answer, from upstream");
                assertEquals(0, server.terminate(10));
            }
            try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "off", "--forward", forward,
                    "--seed")) {
                assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(server.port, "+short", "example.com")
                        .lines());
                assertEquals(List.of("192.0.2.7"), ExternalTool.dig(server.port, "+short", "www.elsewhere.test")
                        .lines());
                assertEquals(0, server.terminate(10));
            }
        }
    }

    @Test
    void aForwarderThatIsOneOfOurAddressesIsRefusedAtStart() throws Exception {
        int port = Nsd.freePort();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int code;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            code = Main.run(new String[] {"--listen", "127.0.0.1:" + port, "--forward", "127.0.0.1:" + port});
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code);
        assertTrue(err.toString().contains("would come back to us"), err.toString());
    }

    @Test
    void oneTcpClientHasAtMostItsCapOfQueriesUpstreamAndTheRestIsReadAsTheyEnd() throws Exception {
        int sent = Forwarding.MAX_PER_CONNECTION + 50;
        try (FakeUpstream upstream = FakeUpstream.silent();
             TestServer server = TestServer.startForwarding(quick(upstream.address()));
             Socket socket = new Socket(LOOPBACK, server.port())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            for (int i = 0; i < sent; i++) { // distinct names: nothing is merged
                byte[] query = Message.query(i, true, new Question(Name.parse("q" + i + ".elsewhere.test"), RRType.A,
                        RRClass.IN), Optional.empty()).toWire();
                out.writeShort(query.length);
                out.write(query);
            }
            out.flush();
            long start = System.nanoTime();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            long[] answeredAfterMillis = new long[sent];
            for (int i = 0; i < sent; i++) {
                byte[] answer = new byte[in.readUnsignedShort()];
                in.readFully(answer);
                Message message = Message.decode(answer);
                assertEquals(Rcode.SERVFAIL, message.rcode(), "the upstream never answers");
                answeredAfterMillis[message.header().id()] = (System.nanoTime() - start) / 1_000_000;
            }
            // The first hundred wait out one deadline (1.2 s); the last fifty are read only once those end, so
            // they wait out a second one.
            for (int i = 0; i < Forwarding.MAX_PER_CONNECTION; i++) {
                assertTrue(answeredAfterMillis[i] >= 1000 && answeredAfterMillis[i] < 2200,
                        "query " + i + " answered after " + answeredAfterMillis[i] + " ms");
            }
            for (int i = Forwarding.MAX_PER_CONNECTION; i < sent; i++) {
                assertTrue(answeredAfterMillis[i] >= 2200, "query " + i + " was held back by the cap, answered after "
                        + answeredAfterMillis[i] + " ms");
            }
        }
    }

    /** An upstream on loopback that does what the test says with each query, on a thread of its own. */
    static final class FakeUpstream implements AutoCloseable {
        interface Behaviour {
            void answer(Message query, DatagramSocket socket, SocketAddress from) throws Exception;
        }

        final AtomicInteger queries = new AtomicInteger();
        private final DatagramSocket socket;
        private final Thread thread;

        /** The TCP listener on the same port, for the tests that ask again over TCP; null when there is none. */
        private final java.net.ServerSocket tcp;

        FakeUpstream(Behaviour behaviour) throws IOException {
            this(new DatagramSocket(0, LOOPBACK), null, behaviour);
        }

        private FakeUpstream(DatagramSocket socket, java.net.ServerSocket tcp, Behaviour behaviour) {
            this.socket = socket;
            this.tcp = tcp;
            thread = new Thread(() -> {
                byte[] buffer = new byte[65535];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        socket.receive(packet);
                        queries.incrementAndGet();
                        behaviour.answer(Message.decode(Arrays.copyOf(packet.getData(), packet.getLength())),
                                socket, packet.getSocketAddress());
                    } catch (Exception e) {
                        // closed, or a query the behaviour did not expect: keep going until closed
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        static FakeUpstream silent() throws IOException {
            return new FakeUpstream((query, socket, from) -> { });
        }

        /** Answers every query over UDP with TC set and no records: ask me over TCP. */
        static FakeUpstream truncating() throws IOException {
            return new FakeUpstream(TRUNCATING);
        }

        private static final Behaviour TRUNCATING = (query, socket, from) -> {
            Header h = answer(query, "192.0.2.1").header();
            send(socket, from, new Message(new Header(h.id(), true, h.opcode(), false, true, h.rd(), true, false,
                    false, false, Rcode.NOERROR), query.questions(), List.of(), List.of(), List.of(), query.edns()));
        };

        /**
         * {@link #truncating}, with a TCP listener on the same port ({@link #tcp}): a port whose UDP side is free may
         * have its TCP side taken (another test's connection), so ports are drawn until both are had.
         */
        static FakeUpstream truncatingWithTcp(int backlog) throws IOException {
            for (int attempt = 1; ; attempt++) {
                DatagramSocket socket = new DatagramSocket(0, LOOPBACK);
                try {
                    java.net.ServerSocket tcp = new java.net.ServerSocket(socket.getLocalPort(), backlog, LOOPBACK);
                    return new FakeUpstream(socket, tcp, TRUNCATING);
                } catch (java.net.BindException taken) {
                    socket.close();
                    if (attempt == 20) {
                        throw taken;
                    }
                }
            }
        }

        java.net.ServerSocket tcp() {
            return tcp;
        }

        static FakeUpstream answering(String address) throws IOException {
            return new FakeUpstream((query, socket, from) -> send(socket, from, answer(query, address)));
        }

        /** The answer a resolver would give: the query's ID and question, RA, one A record. */
        static Message answer(Message query, String address) {
            Header header = new Header(query.header().id(), true, query.header().opcode(), false, false,
                    query.header().rd(), true, false, false, false, Rcode.NOERROR);
            Question question = query.questions().get(0);
            return new Message(header, List.of(question), List.of(ResourceRecord.in(question.name(), 120,
                    RData.A.parse(address))), List.of(), List.of(), query.edns());
        }

        static void send(DatagramSocket socket, SocketAddress to, Message message) throws IOException {
            byte[] wire = message.toWire();
            socket.send(new DatagramPacket(wire, wire.length, to));
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() {
            socket.close();
            if (tcp != null) {
                try {
                    tcp.close();
                } catch (IOException e) {
                    // closing a listener does not fail in a way that matters here
                }
            }
            try {
                thread.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
