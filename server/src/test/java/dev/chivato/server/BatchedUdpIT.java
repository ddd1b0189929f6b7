package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar on a JDK 22 or later (the Temurin 25 beside the JDK 17 baseline) reads UDP in batches through
 * {@code recvmmsg} (src/main/java22), and answers as the JDK 17 path does: the seed's session, a malformed query's
 * FORMERR, bursts larger than one batch, IPv6, a delayed answer sent later from the loop, and SIGTERM. On JDK 17 the
 * same jar says it reads one datagram at a time. Runs after {@code package} (failsafe).
 */
class BatchedUdpIT {
    /** The JDK 22 or later the tests run the jar on; JAVA25 in the environment overrides it. */
    private static final String JAVA25 = System.getenv().getOrDefault("JAVA25",
            "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    /** recvmmsg's system call number, which /proc shows a thread blocked in it waiting on. */
    private static final String RECVMMSG = "aarch64".equals(System.getProperty("os.arch")) ? "243" : "299";
    private static final Path JAR = Path.of("target/chivato.jar");

    @TempDir
    Path dir;

    private static String java25() {
        ExternalTool.require(JAVA25);
        return JAVA25;
    }

    @Test
    void onJdk25TheJarSaysItReadsUdpInBatches() {
        ExternalTool.Result version = ExternalTool.run(java25(), "-jar", JAR.toString(), "--version");
        assertEquals(0, version.exitCode(), version.stderr());
        assertTrue(version.stdout().contains("UDP read in batches (recvmmsg)"), version.stdout());
    }

    @Test
    void onJdk17TheSameJarSaysItReadsOneDatagramAtATime() {
        String java17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ExternalTool.Result version = ExternalTool.run(java17, "-jar", JAR.toString(), "--version");
        assertEquals(0, version.exitCode(), version.stderr());
        assertTrue(version.stdout().contains("UDP read one datagram at a time (recvmmsg needs JDK 22 or later"),
                version.stdout());
    }

    @Test
    void batchesCanBeTurnedOff() {
        ExternalTool.Result version = ExternalTool.run(java25(), "-Dchivato.udp.batches=off", "-jar",
                JAR.toString(), "--version");
        assertTrue(version.stdout().contains("one datagram at a time (turned off with -Dchivato.udp.batches=off)"),
                version.stdout());
    }

    @Test
    void theSeedsSessionAndAMalformedQueryAreAnsweredFromABatchAndSigtermStopsIt() throws Exception {
        ExternalTool.require("dig");
        try (Running server = start("127.0.0.1:0")) {
            assertTrue(server.threadBlockedIn(RECVMMSG), "a reader waits in recvmmsg");
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(server.port, "+short", "example.com")
                    .lines());
            assertEquals(List.of("example.com.", "example.my."), ExternalTool.dig(server.port, "+short", "-x",
                    "1.2.3.5").lines());
            byte[] cutShort = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w'};
            byte[] formerr = exchange(server.address(), List.of(cutShort)).get(0);
            assertEquals(0x1234, ((formerr[0] & 0xff) << 8) | (formerr[1] & 0xff), "the same id");
            assertEquals(1, formerr[3] & 0x0f, "FORMERR");
            server.stop();
        }
    }

    @Test
    void aBurstOfManyBatchesIsAnsweredInFull() throws Exception {
        try (Running server = start("127.0.0.1:0")) {
            List<byte[]> queries = new ArrayList<>();
            for (int id = 0; id < 500; id++) { // RecvmmsgReader.BATCH is 32
                queries.add(Message.query(id, true, Question.of("example.com", RRType.A), Optional.empty())
                        .toWire());
            }
            Set<Integer> ids = new HashSet<>();
            for (byte[] answer : exchange(server.address(), queries)) {
                ids.add(((answer[0] & 0xff) << 8) | (answer[1] & 0xff));
                assertEquals(2, ((answer[6] & 0xff) << 8) | (answer[7] & 0xff), "two answers");
            }
            assertEquals(500, ids.size(), "each query answered once");
        }
    }

    @Test
    void itListensOnIpv6Loopback() throws Exception {
        ExternalTool.require("dig");
        try (Running server = start("[::1]:0")) {
            ExternalTool.Result dig = ExternalTool.run("dig", "@::1", "-p", Integer.toString(server.port),
                    "+time=2", "+tries=2", "+short", "example.com");
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), dig.lines(), dig.stderr());
        }
    }

    @Test
    void aDelayedAnswerGoesOutLaterFromTheLoopOverTheReadersSocket() {
        String classPath = JAR.toAbsolutePath() + ":" + Path.of("target/test-classes").toAbsolutePath();
        ExternalTool.Result probe = ExternalTool.run(java25(), "--enable-native-access=ALL-UNNAMED", "-cp",
                classPath, DelayedAnswerProbe.class.getName());
        assertEquals(0, probe.exitCode(), probe.stderr());
        List<String> lines = probe.lines();
        assertEquals("UDP read in batches (recvmmsg)", lines.get(0));
        Matcher late = Pattern.compile("(\\d+) ms 192\\.0\\.2\\.1").matcher(lines.get(1));
        assertTrue(late.matches(), probe.stdout());
        assertTrue(Integer.parseInt(late.group(1)) >= 300, "answered before its delay: " + lines.get(1));
    }

    /** Sends every query from one socket, then reads as many answers. */
    private static List<byte[]> exchange(InetSocketAddress server, List<byte[]> queries) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setReceiveBufferSize(4 << 20);
            socket.setSoTimeout(5000);
            for (byte[] query : queries) {
                socket.send(new DatagramPacket(query, query.length, server));
            }
            List<byte[]> answers = new ArrayList<>();
            byte[] buffer = new byte[0xffff];
            while (answers.size() < queries.size()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                answers.add(Arrays.copyOf(buffer, packet.getLength()));
            }
            return answers;
        }
    }

    private Running start(String listen) throws IOException {
        Process process = new ProcessBuilder(java25(), "-jar", JAR.toString(), "--listen", listen, "--log", "off")
                .redirectError(dir.resolve("stderr").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        Matcher listening = Pattern.compile("listening udp (\\S+):(\\d+)").matcher(String.valueOf(out.readLine()));
        if (!listening.matches()) {
            process.destroyForcibly();
            fail("no listening line: " + Files.readString(dir.resolve("stderr")));
        }
        String host = listening.group(1).replaceAll("^\\[|\\]$", "");
        return new Running(process, host, Integer.parseInt(listening.group(2)));
    }

    private record Running(Process process, String host, int port) implements AutoCloseable {
        InetSocketAddress address() {
            return new InetSocketAddress(host, port);
        }

        /** Whether one of the server's threads comes to wait in system call {@code number} within 5 s. */
        boolean threadBlockedIn(String number) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!oneWaitsIn(number)) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(10); // the reader starts after the listening line
            }
            return true;
        }

        /** Whether one of the server's threads waits in system call {@code number} now, as /proc/PID/task shows. */
        private boolean oneWaitsIn(String number) throws IOException {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    String syscall = Files.readString(task.resolve("syscall")).trim();
                    if (syscall.startsWith(number + " ")) {
                        return true;
                    }
                }
            }
            return false;
        }

        void stop() throws InterruptedException {
            ExternalTool.run("kill", "-TERM", Long.toString(process.pid()));
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the server stops on SIGTERM");
            assertEquals(0, process.exitValue());
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
