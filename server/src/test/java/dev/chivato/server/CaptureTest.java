package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chivato explain CAPTURE} on what tcpdump captured of dig and kdig talking to the real server. */
class CaptureTest {
    @TempDir
    Path dir;

    private static String chivato(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), args);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        return out;
    }

    @Test
    void tcpdumpsCaptureOfDigAndKdigIsExplainedEveryMessagePairedWithTheRightAddresses() throws Exception {
        ExternalTool.require("tcpdump");
        Path capture = dir.resolve("lo.pcap");
        String port;
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "off")) {
            port = Integer.toString(server.port);
            Process tcpdump = new ProcessBuilder("tcpdump", "-i", "lo", "-U", "--immediate-mode", "-n", "-w",
                    capture.toString(), "port " + server.port).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("tcpdump.txt").toFile()).start();
            // the same traffic on the "any" device: Linux cooked (SLL2) frames, nanosecond times
            // (-B: a kernel buffer large enough that the "any" device loses nothing, as it sometimes did)
            Process anyDevice = new ProcessBuilder("tcpdump", "-i", "any", "-B", "16384", "-U", "--immediate-mode",
                    "-n", "--time-stamp-precision=nano", "-w", dir.resolve("any.pcap").toString(),
                    "port " + server.port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("tcpdump-any.txt").toFile()).start();
            try {
                Wait.within(Duration.ofSeconds(5), () -> said(dir.resolve("tcpdump.txt")).contains("listening")
                        && said(dir.resolve("tcpdump-any.txt")).contains("listening"));
                ExternalTool.dig(server.port, "+short", "example.com");
                ExternalTool.dig(server.port, "+short", "+tcp", "-x", "1.2.3.5");
                ExternalTool.run("kdig", "@127.0.0.1", "-p", Integer.toString(server.port), "+tcp", "example.my");
                Wait.within(Duration.ofSeconds(5), () -> messagesIn(capture, port) >= 6); // the last packets in
            } finally {
                for (Process process : List.of(tcpdump, anyDevice)) {
                    process.destroy(); // SIGTERM: tcpdump writes out what it holds
                    assertTrue(process.waitFor(10, TimeUnit.SECONDS), "tcpdump stops");
                }
            }
        }
        String brief = chivato("explain", "--brief", "--port", port, capture.toString());
        List<String> lines = brief.lines().takeWhile(l -> !l.isEmpty() && !l.startsWith(";;")).toList();
        assertEquals(6, lines.size(), brief);
        assertEquals(3, lines.stream().filter(l -> l.contains("  query id=")).count(), brief);
        assertEquals(3, lines.stream().filter(l -> l.contains("  response id=") && l.contains("rtt=")).count(),
                brief);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" udp  query ") && l.contains("example.com. IN A")),
                brief);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" tcp  response ")
                && l.contains("5.3.2.1.in-addr.arpa. IN PTR answer=2")), brief);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" tcp  response ") && l.contains("example.my. IN A")),
                brief);
        assertTrue(lines.stream().allMatch(l -> l.contains("127.0.0.1:")), brief);
        assertTrue(brief.contains(";; 6 DNS messages in "), brief);
        String full = chivato("explain", "--port", port, capture.toString());
        assertEquals(6, full.lines().filter(l -> l.startsWith(";; frame ")).count(), full);
        String any = chivato("explain", "--brief", "--port", port, dir.resolve("any.pcap").toString());
        List<String> expected = lines.stream().map(CaptureTest::withoutFrameAndTime).toList();
        List<String> cooked = any.lines().takeWhile(l -> !l.isEmpty() && !l.startsWith(";;"))
                .map(CaptureTest::withoutFrameAndTime).toList();
        if (droppedByKernel(dir.resolve("tcpdump-any.txt")) == 0) {
            assertEquals(expected, cooked, "the cooked capture says the same: " + any);
        } else {
            // the "any" device sometimes loses packets in the kernel (tcpdump says how many): what it kept agrees
            assertTrue(!cooked.isEmpty() && expected.containsAll(cooked.stream()
                    .map(l -> l.replaceAll("  \\(no query seen\\)", "")).toList()), "the cooked capture: " + any);
        }
    }

    private static String said(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** DNS messages in the capture so far, on the port given. */
    private static long messagesIn(Path capture, String port) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Main.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), "explain", "--brief", "--port", port,
                capture.toString());
        return bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("frame ")).count();
    }

    /** What tcpdump said at its end the kernel dropped before it could capture them. */
    private static int droppedByKernel(Path tcpdumpOutput) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) packets? dropped by kernel")
                .matcher(Files.readString(tcpdumpOutput));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** A brief line without what differs between two captures of the same traffic: frame numbers and times. */
    private static String withoutFrameAndTime(String line) {
        return line.replaceAll("^frame \\d+  \\S+  ", "").replaceAll("  rtt=.*", "");
    }

    @Test
    void aFileNamedAsACaptureThatIsNotOneIsOneLineAndExitOne() throws Exception {
        Path notCapture = dir.resolve("photo.pcap");
        Files.writeString(notCapture, "GIF89a, not a capture at all\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), "explain", notCapture.toString());
        assertEquals(1, code);
        assertEquals(List.of("chivato explain: " + notCapture + ": not a pcap or pcapng file (its first octets are "
                + "no capture's magic number)"), bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    /**
     * Our own capture of a forwarded question holds all four messages, in the order they happened: the client's
     * query, ours to the upstream, its answer (to our end of the upstream socket), ours to the client.
     */
    @Test
    void ourCaptureOfAForwardedQuestionHoldsTheUpstreamsAnswerInOrder() throws Exception {
        Path capture = dir.resolve("forward.pcap");
        try (ForwardTest.FakeUpstream upstream = ForwardTest.FakeUpstream.answering("192.0.2.7");
                ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "off", "--capture",
                        capture.toString(), "--forward", "127.0.0.1:" + upstream.address().getPort())) {
            assertEquals(List.of("192.0.2.7"), ExternalTool.dig(server.port, "+short", "www.elsewhere.test").lines());
            assertEquals(0, server.terminate(10), server.stderrText());
            String upstreamEnd = "127.0.0.1:" + upstream.address().getPort();
            String serverEnd = "127.0.0.1:" + server.port;
            List<String> lines = chivato("explain", "--brief", capture.toString()).lines()
                    .filter(l -> l.startsWith("frame ")).toList();
            assertEquals(4, lines.size(), String.join("\n", lines));
            assertTrue(lines.get(0).contains("-> " + serverEnd + "  udp  query "), lines.get(0));
            assertTrue(lines.get(1).contains("-> " + upstreamEnd + "  udp  query "), lines.get(1));
            assertTrue(lines.get(2).contains("  " + upstreamEnd + " -> ") && lines.get(2).contains(" response "),
                    lines.get(2));
            assertTrue(lines.get(3).contains("  " + serverEnd + " -> ") && lines.get(3).contains(" response "),
                    lines.get(3));
        }
    }
}
