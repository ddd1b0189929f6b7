package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the red team did to a running server process, each as a test: it must keep answering, or stop loudly. */
class ProcessHardeningTest {
    @TempDir
    Path dir;

    private static byte[] query(int id, String name) {
        return Message.query(id, true, Question.of(name, RRType.A), Optional.empty()).toWire();
    }

    private static byte[] framed(byte[] message) {
        return ByteBuffer.allocate(2 + message.length).putShort((short) message.length).put(message).array();
    }

    /**
     * {@code count} UDP queries, each waiting for its answer (so none is lost in a full socket buffer and each makes
     * a log line): far more lines than a pipe holds.
     */
    private static void flood(int port, int count) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(200);
            byte[] query = query(1, "example.com");
            DatagramPacket packet = new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(), port);
            DatagramPacket answer = new DatagramPacket(new byte[512], 512);
            long deadline = System.nanoTime() + 20_000_000_000L;
            for (int answered = 0; answered < count && System.nanoTime() < deadline; ) {
                socket.send(packet);
                try {
                    socket.receive(answer);
                    answered++;
                } catch (java.net.SocketTimeoutException lost) {
                    // asked again
                }
            }
        }
    }

    private static void assertAnswers(int port) {
        assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(port, "+short", "example.com").lines());
        assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(port, "+short", "+tcp", "example.com").lines());
    }

    private static void assertNoStackTrace(String stderr) {
        assertFalse(stderr.contains("\tat ") || stderr.contains("Exception in thread"), stderr);
    }

    @Test
    void clientsThatSendMuchAndNeverReadCannotExhaustTheHeap() throws Exception {
        Path records = dir.resolve("big");
        StringBuilder lines = new StringBuilder("1.2.3.4 example.com\n1.2.3.5 example.com example.my\n");
        for (int i = 0; i < 1000; i++) {
            lines.append("10.0.").append(i / 256).append('.').append(i % 256).append(" big.example\n");
        }
        Files.writeString(records, lines);
        try (ServerProcess server = ServerProcess.start(dir, List.of("-Xmx512m"), "--records", records.toString(),
                "--log", "off")) {
            // 400 clients: one 65,535-octet junk frame, then 16 KiB answers asked for as fast as they go out
            byte[] junk = new byte[2 + 0xffff];
            junk[0] = (byte) 0xff;
            junk[1] = (byte) 0xff;
            byte[] pipelined = framed(query(7, "big.example")); // 1,000 A records: a 16 KiB answer
            ByteBuffer many = ByteBuffer.allocate(pipelined.length * 1800);
            for (int i = 0; i < 1800; i++) {
                many.put(pipelined);
            }
            List<SocketChannel> clients = new ArrayList<>();
            List<ByteBuffer> toSend = new ArrayList<>();
            try {
                for (int i = 0; i < 400; i++) {
                    SocketChannel client = SocketChannel.open();
                    client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                    client.connect(new InetSocketAddress("127.0.0.1", server.port));
                    client.configureBlocking(false);
                    clients.add(client);
                    toSend.add(ByteBuffer.allocate(junk.length + many.capacity()).put(junk).put(many.array()).flip());
                }
                long end = System.nanoTime() + 8_000_000_000L;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < clients.size(); i++) {
                        try {
                            clients.get(i).write(toSend.get(i));
                        } catch (IOException closedByTheServer) {
                            toSend.get(i).position(toSend.get(i).limit());
                        }
                    }
                    Thread.sleep(5); // the clients' pace: 200 rounds a second for eight seconds
                }
                assertTrue(server.process.isAlive(), server.stderrText());
                assertAnswers(server.port);
            } finally {
                for (SocketChannel client : clients) {
                    client.close();
                }
            }
            assertAnswers(server.port);
            String stderr = server.stderrText();
            assertFalse(stderr.contains("OutOfMemoryError"), stderr);
            assertEquals(0, server.terminate(10), stderr);
        }
    }

    @Test
    void aSecondServerOnTheSamePortRefusesToStart() throws Exception {
        try (ServerProcess first = ServerProcess.start(dir, List.of(), "--log", "off");
             ServerProcess second = ServerProcess.launch(dir, List.of(), "--listen", "127.0.0.1:" + first.port,
                     "--log", "off")) {
            assertEquals(1, second.waitFor(20));
            String stderr = second.stderrText();
            assertEquals(1, stderr.lines().count(), stderr);
            assertTrue(stderr.contains("cannot listen on 127.0.0.1:" + first.port), stderr);
            assertAnswers(first.port);
        }
    }

    @Test
    void sighupReloadsAndLosesNothing() throws Exception {
        Path log = dir.resolve("log");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log-file", log.toString())) {
            assertAnswers(server.port);
            server.signal("HUP");
            Wait.until(Duration.ofSeconds(10), () -> server.stderrText().contains("chivato: reloaded in "),
                    "the reload");
            assertTrue(server.process.isAlive(), "SIGHUP did not stop the server");
            assertAnswers(server.port);
            assertEquals(0, server.terminate(10));
            assertTrue(server.stderrText().contains("chivato: reloaded in "), server.stderrText());
            List<String> lines = Files.readAllLines(log);
            assertEquals(5, lines.size(), "4 queries and the reload, no entry lost: " + lines);
            assertEquals(1, lines.stream().filter(l -> l.contains(" reload ok ")).count(), lines.toString());
        }
    }

    @Test
    void aLogOnStdoutNobodyReadsNeitherStopsAnswersNorShutdown() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, List.of())) { // the default: the log on stdout
            flood(server.port, 3_000); // far more lines than the pipe holds; the test never reads them
            assertAnswers(server.port);
            long start = System.nanoTime();
            int code = server.terminate(15);
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "stopped within the 5 s bound and a margin");
            assertEquals(1, code, "entries were lost: exit 1. " + server.stderrText());
            assertTrue(server.stderrText().contains("entries dropped because the writer fell behind"),
                    server.stderrText());
            assertNoStackTrace(server.stderrText());
        }
    }

    @Test
    void blockModeOnAStalledStdoutStillStopsInBoundedTime() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log-overflow", "block")) {
            flood(server.port, 3_000);
            long start = System.nanoTime();
            int code = server.terminate(20);
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "stopped within the 7 s bound and a margin");
            assertEquals(1, code, server.stderrText());
            assertTrue(server.stderrText().contains("did not take them"), server.stderrText());
            assertNoStackTrace(server.stderrText());
        }
    }

    @Test
    void aJsonLogOnStdoutIsNothingButJsonLines() throws Exception {
        try (ServerProcess server = ServerProcess.launch(dir, List.of(), "--listen", "127.0.0.1:0", "--log",
                "json", "--log-overflow", "block")) {
            String first = server.stdout.readLine();
            assertTrue(first.startsWith("{\"kind\":\"listening\",\"transport\":\"udp\""), first);
            int port = Integer.parseInt(first.replaceAll(".*:(\\d+)\"}$", "$1"));
            String second = server.stdout.readLine();
            assertAnswers(port);
            assertEquals(0, server.terminate(10));
            Path out = dir.resolve("stdout.jsonl");
            Files.writeString(out, first + "\n" + second + "\n" + String.join("\n", server.stdout.lines().toList()) + "\n");
            ExternalTool.Result parsed = ExternalTool.run("python3", "-c",
                    "import json,sys\nn=0\nfor l in open(sys.argv[1]): json.loads(l); n+=1\nprint(n)",
                    out.toString());
            assertEquals(0, parsed.exitCode(), parsed.stderr());
            assertEquals("4", parsed.stdout().strip(), "2 listening lines and 2 queries, all JSON");
        }
    }

    @Test
    void anUnwritableLogSaysWhyCountsWhatWasLostAndExitsNonZero() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log-file", "/dev/full")) {
            assertAnswers(server.port);
            int code = server.terminate(10);
            String stderr = server.stderrText();
            assertNotEquals(0, code, stderr);
            assertTrue(stderr.contains("No space left on device"), stderr);
            assertTrue(stderr.contains("lost"), stderr);
            assertNoStackTrace(stderr);
        }
    }

    @Test
    void aLogInAMissingDirectorySaysWhy() throws Exception {
        try (ServerProcess server = ServerProcess.launch(dir, List.of(), "--log-file", "/nonexistent/dir/log")) {
            assertEquals(1, server.waitFor(20));
            assertEquals("chivato: cannot write the log to /nonexistent/dir/log: no such file or directory",
                    server.stderrText().strip());
        }
    }
}
