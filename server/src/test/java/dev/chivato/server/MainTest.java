package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void timeoutsOutOfRangeAreOneLineAndExit2() {
        for (String[] args : new String[][] {{"--idle-timeout", "1e10"}, {"--io-timeout", "0"},
                {"--io-timeout", "NaN"}, {"--tcp-memory", "0"}, {"--max-connections", "0"}, {"--threads", "0"}}) {
            String[] result = runFailing(args);
            assertEquals("2", result[0], String.join(" ", args));
            assertOneLine(result[1]);
            assertTrue(result[1].startsWith("chivato: " + args[0] + " "), result[1]);
        }
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
    void rateLimitingOptionsOutOfRangeAreOneLineAndExit2() {
        for (String[] args : new String[][] {{"--rrl", "-1"}, {"--rrl", "10", "--rrl-slip", "11"},
                {"--rrl", "10", "--rrl-window", "0"}, {"--rrl", "10", "--rrl-exempt", "192.0.2.0/33"},
                {"--rrl-exempt", "192.0.2.0/24"}}) {
            String[] result = runFailing(args);
            assertEquals("2", result[0], String.join(" ", args));
            assertOneLine(result[1]);
            assertTrue(result[1].startsWith("chivato: --rrl"), result[1]);
        }
    }

    @Test
    void aCookieSecretThatIsNotOneIsItsFileAndLineAndExit1() throws Exception {
        Path secret = Files.writeString(dir.resolve("cookie.secret"), "not a secret at all\n");
        String[] result = runFailing("--listen", "127.0.0.1:0", "--cookie-secret", secret.toString());
        assertEquals("1", result[0]);
        assertOneLine(result[1]);
        assertTrue(result[1].startsWith(secret + ":1: not a 128-bit secret"), result[1]);
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
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--records", records.toString(),
                "--record", "192.0.2.8 other.example", "--log", "json", "--log-file", log.toString(),
                "--threads", "1")) {
            assertEquals(List.of("192.0.2.7"), ExternalTool.dig(server.port, "+short", "host.example").lines());
            assertEquals(List.of("192.0.2.8"),
                    ExternalTool.dig(server.port, "+short", "+tcp", "other.example").lines());
            assertEquals(0, server.terminate(10), "stopped within 10 s, exit 0");
            List<String> lines = Files.readAllLines(log);
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(1).contains("\"qname\":\"other.example.\""), lines.get(1));
        }
    }
}
