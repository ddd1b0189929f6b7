package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: one clear line for bad input, and a real process that stops cleanly on SIGTERM. */
class MainTest {
    @TempDir
    Path dir;

    /** Runs the command line in this JVM (only for arguments that make it exit) and returns code and stderr. */
    private static String[] runFailing(String... args) {
        PrintStream savedErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setErr(savedErr);
        }
        return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
    }

    private static void assertOneLine(String text) {
        assertEquals(1, text.lines().count(), "one line: " + text);
    }

    @Test
    void unknownFlagIsOneLineAndExit2() {
        String[] result = runFailing("--frobnicate");
        assertEquals("2", result[0]);
        assertOneLine(result[1]);
        assertTrue(result[1].contains("--frobnicate"), result[1]);
    }

    @Test
    void badListenAddressIsOneLine() {
        String[] result = runFailing("--listen", "localhost:53");
        assertEquals("2", result[0]);
        assertOneLine(result[1]);
        assertTrue(result[1].contains("localhost:53"), result[1]);
    }

    @Test
    void badUnknownPolicyIsOneLine() {
        String[] result = runFailing("--unknown", "servfail");
        assertEquals("2", result[0]);
        assertOneLine(result[1]);
    }

    @Test
    void badLogFormatIsOneLine() {
        String[] result = runFailing("--log", "xml");
        assertEquals("2", result[0]);
        assertEquals("chivato: --log xml: expected text, json, explain or off", result[1].strip());
    }

    @Test
    void badRecordsLineNamesFileAndLine() throws Exception {
        Path records = dir.resolve("records");
        Files.writeString(records, "1.2.3.4 fine.example\n\n# comment\nnot-an-address name.example\n");
        String[] result = runFailing("--records", records.toString());
        assertEquals("1", result[0]);
        assertOneLine(result[1]);
        assertTrue(result[1].startsWith(records + ":4: "), result[1]);
    }

    @Test
    void badRecordFlagIsNamed() {
        String[] result = runFailing("--record", "1.2.3 x.example");
        assertEquals("1", result[0]);
        assertTrue(result[1].startsWith("--record:1: "), result[1]);
    }

    @Test
    void serverProcessAnswersLogsAndExitsZeroOnSigterm() throws Exception {
        Path records = dir.resolve("records");
        Files.writeString(records, "192.0.2.7 host.example\n");
        Path log = dir.resolve("log.json");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--listen", "127.0.0.1:0", "--records", records.toString(),
                "--record", "192.0.2.8 other.example", "--log", "json", "--log-file", log.toString(), "--threads", "1"));
        Process process = new ProcessBuilder(command).redirectError(new File("/dev/null")).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String udp = out.readLine();
            String tcp = out.readLine();
            Matcher m = Pattern.compile("listening udp 127\\.0\\.0\\.1:(\\d+)").matcher(udp);
            assertTrue(m.matches(), udp);
            assertEquals("listening tcp 127.0.0.1:" + m.group(1), tcp);
            int port = Integer.parseInt(m.group(1));
            assertEquals(List.of("192.0.2.7"), ExternalTool.dig(port, "+short", "host.example").lines());
            assertEquals(List.of("192.0.2.8"), ExternalTool.dig(port, "+short", "+tcp", "other.example").lines());
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "stopped within 10 s");
            assertEquals(0, process.exitValue());
            List<String> lines = Files.readAllLines(log);
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(1).contains("\"qname\":\"other.example.\""), lines.get(1));
        } finally {
            process.destroyForcibly();
        }
    }
}
