package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.server.dnstap.DnstapFrames;
import dev.chivato.server.dnstap.proto.DnstapProto.Dnstap;
import dev.chivato.server.dnstap.proto.DnstapProto.Message.Type;
import dev.chivato.server.dnstap.proto.DnstapProto.SocketProtocol;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --dnstap}: the frames, read back by the real readers (the dnstap tool, fstrm_capture) and, for the exact
 * bytes, by the Frame Streams format itself.
 */
class DnstapTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    /** An exchange as our own client saw it: the bytes it sent and received, and its port. */
    private record Exchange(byte[] query, byte[] response, int clientPort) {
    }

    private static Exchange ask(int port, String name, RRType type) throws IOException {
        byte[] query = Message.query(new java.util.Random().nextInt(0x10000), true,
                new Question(Name.parse(name), type, RRClass.IN), Optional.of(Edns.of(1232, false))).toWire();
        try (DatagramSocket socket = new DatagramSocket(0, LOOPBACK)) {
            socket.setSoTimeout(3000);
            socket.send(new DatagramPacket(query, query.length, LOOPBACK, port));
            DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
            socket.receive(packet);
            return new Exchange(query, Arrays.copyOf(packet.getData(), packet.getLength()), socket.getLocalPort());
        }
    }

    /** The YAML documents {@code dnstap -r FILE -y} prints, one per frame. */
    private static List<String> yaml(Path file) {
        ExternalTool.Result result = ExternalTool.run("dnstap", "-r", file.toString(), "-y");
        assertEquals(0, result.exitCode(), result.stderr());
        return Arrays.stream(result.stdout().split("(?m)^---$")).map(String::strip).filter(s -> !s.isEmpty())
                .toList();
    }

    private static long count(List<String> documents, String line) {
        return documents.stream().filter(d -> d.contains(line)).count();
    }

    @Test
    void theFileHoldsOneQueryAndOneResponsePerQueryWithTheirAddressesAndBytes() throws Exception {
        Path file = dir.resolve("chivato.dnstap");
        List<Exchange> exchanges = new ArrayList<>();
        int port;
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "off", "--dnstap", "file:" + file,
                "--dnstap-identity", "test-box")) {
            port = server.port;
            exchanges.add(ask(port, "example.com", RRType.A));
            exchanges.add(ask(port, "nowhere.example", RRType.MX));
            exchanges.add(ask(port, "5.3.2.1.in-addr.arpa", RRType.PTR));
            ExternalTool.Result dig = ExternalTool.dig(port, "+tcp", "+short", "example.com");
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), dig.lines());
            assertEquals(0, server.terminate(10), server.stderrText());
        }
        List<String> documents = yaml(file);
        assertEquals(8, documents.size(), String.join("\n---\n", documents));
        assertEquals(4, count(documents, "type: AUTH_QUERY"));
        assertEquals(4, count(documents, "type: AUTH_RESPONSE"));
        assertEquals(6, count(documents, "socket_protocol: UDP"));
        assertEquals(2, count(documents, "socket_protocol: TCP"));
        assertEquals(8, count(documents, "identity: \"test-box\""));
        assertEquals(8, count(documents, "query_address: 127.0.0.1"));
        assertEquals(8, count(documents, "response_port: " + port));
        for (Exchange exchange : exchanges) {
            assertEquals(2, count(documents, "query_port: " + exchange.clientPort()));
        }
        assertEquals(1, count(documents, "status: NXDOMAIN"), "nowhere.example's answer, as the reader decodes it");

        // The exact bytes: each query as our client sent it, each response as it received it.
        List<Dnstap> frames = DnstapFrames.read(file);
        for (Exchange exchange : exchanges) {
            var query = frameWith(frames, Type.AUTH_QUERY, exchange.query());
            var response = frameWith(frames, Type.AUTH_RESPONSE, exchange.response());
            assertEquals(SocketProtocol.UDP, response.getSocketProtocol());
            assertEquals(exchange.clientPort(), response.getQueryPort());
            assertTrue(response.getResponseTimeSec() * 1_000_000_000L + response.getResponseTimeNsec()
                    >= query.getQueryTimeSec() * 1_000_000_000L + query.getQueryTimeNsec(), "answered after asked");
        }
    }

    /**
     * The one frame of this type whose message is {@code wire}. Frames are matched by content, not place: two event
     * loops may hand over the frames of consecutive queries in either order, as in any multi-threaded server.
     */
    private static dev.chivato.server.dnstap.proto.DnstapProto.Message frameWith(List<Dnstap> frames, Type type,
            byte[] wire) {
        List<dev.chivato.server.dnstap.proto.DnstapProto.Message> found = frames.stream().map(Dnstap::getMessage)
                .filter(m -> m.getType() == type)
                .filter(m -> Arrays.equals(wire, (m.hasResponseMessage() ? m.getResponseMessage()
                        : m.getQueryMessage()).toByteArray()))
                .toList();
        assertEquals(1, found.size(), type + " frames holding the exchange's bytes, in " + frames);
        return found.get(0);
    }

    @Test
    void forwardedQueriesAreClientAndForwarderFrames() throws Exception {
        Path file = dir.resolve("forward.dnstap");
        try (ForwardTest.FakeUpstream upstream = ForwardTest.FakeUpstream.answering("192.0.2.7");
             ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "off", "--dnstap", "file:" + file,
                     "--seed", "--forward", "127.0.0.1:" + upstream.address().getPort())) {
            Exchange forwarded = ask(server.port, "www.elsewhere.test", RRType.A);
            Exchange cached = ask(server.port, "www.elsewhere.test", RRType.A);
            Exchange local = ask(server.port, "example.com", RRType.A);
            assertEquals(1, upstream.queries.get(), "the second came from the cache");
            assertEquals(0, server.terminate(10), server.stderrText());
            List<Dnstap> frames = DnstapFrames.read(file);
            assertEquals("AUTH_QUERY=1 AUTH_RESPONSE=1 CLIENT_QUERY=2 CLIENT_RESPONSE=2 FORWARDER_QUERY=1 "
                    + "FORWARDER_RESPONSE=1", frames.stream().map(f -> f.getMessage().getType().name())
                    .collect(Collectors.groupingBy(t -> t, java.util.TreeMap::new, Collectors.counting()))
                    .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(" ")));
            assertEquals(List.of(Type.CLIENT_QUERY, Type.FORWARDER_QUERY, Type.FORWARDER_RESPONSE,
                    Type.CLIENT_RESPONSE), frames.subList(0, 4).stream().map(f -> f.getMessage().getType()).toList(),
                    "in the order they happened");
            var upstreamQuery = frames.get(1).getMessage();
            var upstreamAnswer = frames.get(2).getMessage();
            assertEquals(upstream.address().getPort(), upstreamQuery.getResponsePort());
            assertEquals(upstream.address().getPort(), upstreamAnswer.getResponsePort());
            assertTrue(upstreamAnswer.getQueryPort() > 0 && upstreamAnswer.getQueryPort()
                    == upstreamQuery.getQueryPort(), "the answer names our end of the upstream socket too");
            assertTrue(upstreamAnswer.hasQueryAddress(), "and its address");
            frameWith(frames, Type.CLIENT_QUERY, forwarded.query());
            frameWith(frames, Type.CLIENT_RESPONSE, forwarded.response());
            frameWith(frames, Type.CLIENT_QUERY, cached.query());
            frameWith(frames, Type.CLIENT_RESPONSE, cached.response());
            frameWith(frames, Type.AUTH_RESPONSE, local.response());
            List<String> documents = yaml(file);
            assertEquals(1, count(documents, "type: FORWARDER_QUERY"));
            assertEquals(1, count(documents, "type: FORWARDER_RESPONSE"));
        }
    }

    /** fstrm_capture on a Unix socket in {@code dir}, writing what it receives to {@code output}. */
    private Process capture(Path socket, Path output) throws Exception {
        ExternalTool.require("fstrm_capture");
        Files.deleteIfExists(socket);
        Process process = new ProcessBuilder("fstrm_capture", "-t", "protobuf:dnstap.Dnstap", "-u",
                socket.toString(), "-w", output.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("fstrm_capture.txt").toFile()).start();
        Wait.within(Duration.ofSeconds(2), () -> Files.exists(socket));
        assertTrue(Files.exists(socket), "fstrm_capture listens on " + socket);
        return process;
    }

    private static void stop(Process capture) throws InterruptedException {
        capture.destroy(); // SIGTERM: fstrm_capture closes its file cleanly
        assertTrue(capture.waitFor(10, TimeUnit.SECONDS), "fstrm_capture stops");
    }

    private static List<String> quiet(Path file) {
        ExternalTool.Result result = ExternalTool.run("dnstap", "-r", file.toString(), "-q");
        assertEquals(0, result.exitCode(), result.stderr());
        return result.lines();
    }

    @Test
    void aCollectorOnAUnixSocketReceivesTheSameStream() throws Exception {
        Path socket = dir.resolve("dnstap.sock");
        Path output = dir.resolve("captured.fstrm");
        Process capture = capture(socket, output);
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "off", "--dnstap",
                "unix:" + socket)) {
            for (int i = 0; i < 10; i++) {
                ask(server.port, "example.com", RRType.A);
            }
            ExternalTool.dig(server.port, "+tcp", "+short", "-x", "1.2.3.5");
            assertEquals(0, server.terminate(10), server.stderrText()); // STOP, and the collector's FINISH
        } finally {
            stop(capture);
        }
        List<String> lines = quiet(output);
        assertEquals(22, lines.size(), String.join("\n", lines));
        assertEquals(11, lines.stream().filter(l -> l.contains(" AQ ")).count());
        assertEquals(11, lines.stream().filter(l -> l.contains(" AR ")).count());
        assertEquals(2, lines.stream().filter(l -> l.contains(" TCP ") && l.contains("\"5.3.2.1.in-addr.arpa.\""))
                .count());
    }

    @Test
    void aCollectorThatRestartsLosesNothingWhileTheQueueHoldsWhatWaits() throws Exception {
        Path socket = dir.resolve("dnstap.sock");
        Path first = dir.resolve("first.fstrm");
        Path second = dir.resolve("second.fstrm");
        Process capture = capture(socket, first);
        int metrics = Nsd.freePort();
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "off", "--dnstap",
                "unix:" + socket, "--metrics", "127.0.0.1:" + metrics)) {
            for (int i = 0; i < 5; i++) {
                ask(server.port, "example.com", RRType.A);
            }
            awaitWritten(metrics, 10); // the first collector has them all
            stop(capture);
            for (int i = 0; i < 7; i++) {
                ask(server.port, "example.com", RRType.AAAA); // answered at once while the collector is away
            }
            capture = capture(socket, second);
            awaitWritten(metrics, 24); // the writer came back within its backoff and sent what waited
            for (int i = 0; i < 3; i++) {
                ask(server.port, "example.com", RRType.MX);
            }
            assertEquals(0, server.terminate(15), server.stderrText());
            String stderr = server.stderrText();
            assertTrue(stderr.contains("lost the collector") && stderr.contains("connected to the collector"),
                    stderr);
        } finally {
            stop(capture);
        }
        List<String> before = quiet(first);
        List<String> after = quiet(second);
        assertEquals(10, before.size(), String.join("\n", before));
        assertEquals(20, after.size(), String.join("\n", after));
        assertEquals("A=10 AAAA=14 MX=6", typeCounts(before, after));
    }

    /** Waits until the server says (in its metrics) it has written {@code frames} dnstap frames. */
    private static void awaitWritten(int metricsPort, int frames) throws InterruptedException {
        String written = "chivato_dnstap_frames_total{result=\"written\"} " + frames + ".0";
        Wait.until(Duration.ofSeconds(10), () -> {
            try {
                return MetricsTest.scrape(metricsPort).contains(written);
            } catch (Exception | AssertionError e) {
                return false;
            }
        }, written);
    }

    /** How many frames of each query type two captures hold together ({@code A=10 AAAA=14}). */
    private static String typeCounts(List<String> before, List<String> after) {
        List<String> all = new ArrayList<>(before);
        all.addAll(after);
        return all.stream().map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .collect(Collectors.groupingBy(t -> t, java.util.TreeMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }
}
