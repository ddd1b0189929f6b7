package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code chivato query} and {@code chivato explain} against the real server. */
class LearningToolsTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer(TestServer::seedAndBig);

    @TempDir
    Path dir;



    private record Run(int exitCode, String out) {
        List<String> lines() {
            return out.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static Run chivato(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), args);
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private static Run query(String... args) {
        List<String> all = new ArrayList<>(List.of("query", "@127.0.0.1", "-p", Integer.toString(server.port())));
        all.addAll(List.of(args));
        return chivato(all.toArray(String[]::new));
    }

    @Test
    void queryGivesTheSameAnswersAsDigOnTheSeedSession() {
        String[][] questions = {{"example.com"}, {"example.my"}, {"nowhere.com"}, {"-x", "1.2.3.4"},
                {"-x", "1.2.3.5"}, {"-x", "1.2.3.6"}};
        for (String[] question : questions) {
            List<String> digArgs = new ArrayList<>(List.of("+short"));
            digArgs.addAll(List.of(question));
            Set<String> fromDig = new HashSet<>(ExternalTool.dig(server.port(), digArgs.toArray(String[]::new))
                    .lines());
            List<String> ours = new ArrayList<>(List.of(question));
            ours.add("+short");
            Run run = query(ours.toArray(String[]::new));
            assertEquals(0, run.exitCode());
            assertEquals(fromDig, new HashSet<>(run.lines()), String.join(" ", question));
        }
    }

    @Test
    void queryPrintsSectionsAsDigDoes() {
        Run run = query("example.com");
        assertTrue(run.out().contains(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: "), run.out());
        assertTrue(run.out().contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1"),
                run.out());
        assertTrue(run.out().contains("example.com.\t\t300\tIN\tA\t1.2.3.4"), run.out());
        assertTrue(run.out().contains(";; SERVER: 127.0.0.1#" + server.port() + " (UDP)"), run.out());
    }

    @Test
    void queryRetriesOverTcpWhenTruncated() {
        Run run = query("big.example.com", "+noedns");
        assertTrue(run.out().contains(";; Truncated, retrying in TCP mode."), run.out());
        assertTrue(run.out().contains("ANSWER: 100,"), run.out());
        assertTrue(run.out().contains("(TCP)"), run.out());
    }

    @Test
    void queryExplainShowsBothMessagesByteByByte() {
        Run run = query("example.com", "+explain", "+short");
        assertTrue(run.out().contains(";; QUERY SENT over UDP"), run.out());
        assertTrue(run.out().contains(";; RESPONSE RECEIVED over UDP"), run.out());
        assertTrue(run.out().contains("compression pointer to offset 12: the name written there, example.com."),
                run.out());
        assertTrue(run.out().contains("A address 1.2.3.5"), run.out());
    }

    @Test
    void queryWithoutAServerFailsWithNineAsDigDoes() {
        Run run = chivato("query", "@127.0.0.1", "-p", "9", "example.com", "+timeout=0.3", "+tries=1");
        assertEquals(9, run.exitCode());
        assertTrue(run.out().startsWith(";; "), run.out());
    }

    @Test
    void explainReadsHexFromAFile() throws Exception {
        Path file = dir.resolve("query.hex");
        Files.writeString(file, "12 34 01 00 00 01 00 00 00 00 00 00\n07 65 78 61 6d 70 6c 65 03 63 6f 6d 00\n"
                + "00 01 00 01\n");
        Run run = chivato("explain", file.toString());
        assertEquals(0, run.exitCode(), run.out());
        assertTrue(run.out().contains("label of 7 octets: \"example\""), run.out());
        assertTrue(run.out().contains("QTYPE 1 (A)"), run.out());
    }

    @Test
    void explainOfAMalformedMessageExitsOne() throws Exception {
        Path file = dir.resolve("bad.bin");
        Files.write(file, new byte[] {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0x41, 0, 0, 0, 1, 0, 1});
        Run run = chivato("explain", file.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.out().contains("!! offset 12: label type 0x40"), run.out());
    }

    @Test
    void queryTakesAHostNameForTheServerAsDigDoes() {
        Run run = chivato("query", "@localhost", "-p", Integer.toString(server.port()), "+short", "example.com");
        assertEquals(0, run.exitCode(), run.out());
        assertEquals(List.of("1.2.3.4", "1.2.3.5"), run.lines());
    }

    @Test
    void queryWithTwoTypesTwoNamesOrABadFlagIsOneLineAndExit2() {
        String port = Integer.toString(server.port());
        String[][] cases = {{"query", "-p", port, "example.com", "A", "-t", "AAAA"},
                {"query", "-p", port, "-x", "1.2.3.5", "example.com"}, {"query", "-p", port},
                {"query", "-p", port, "example.com", "+bufsize=70000"}, {"query", "-p", port, "example.com", "+qr"},
                {"query", "-p", port, "example.com", "+tries=x"}, {"query", "-p", port, "example.com", "A", "extra"}};
        for (String[] args : cases) {
            String[] result = runWithStderr(args);
            assertEquals("2", result[0], String.join(" ", args));
            assertEquals(1, result[1].lines().count(), result[1]);
            assertTrue(result[1].startsWith("chivato query: "), result[1]);
        }
    }

    @Test
    void queryTakesTheTypeFromMinusTAndPtrForMinusX() {
        Run aaaa = query("-t", "AAAA", "example.com", "+short");
        assertEquals(0, aaaa.exitCode(), aaaa.out());
        Set<String> fromDig = new HashSet<>(ExternalTool.dig(server.port(), "+short", "-t", "AAAA", "example.com")
                .lines());
        assertEquals(fromDig, new HashSet<>(aaaa.lines()));
        Run ptr = query("-x", "1.2.3.5", "+noall", "+answer");
        assertEquals(0, ptr.exitCode(), ptr.out());
        assertTrue(ptr.lines().stream().allMatch(l -> l.contains("\tPTR\t")), ptr.out());
        assertEquals(2, ptr.lines().size(), ptr.out());
    }

    @Test
    void queryWithABadServerOrPortIsOneLineAndExit2() {
        for (String[] args : new String[][] {{"query", "@999.1.1.1", "example.com"},
                {"query", "-p", "99999", "example.com"}, {"query", "@no-such-host.invalid", "example.com"}}) {
            String[] result = runWithStderr(args);
            assertEquals("2", result[0], String.join(" ", args));
            assertEquals(1, result[1].lines().count(), result[1]);
            assertTrue(result[1].startsWith("chivato query: "), result[1]);
        }
    }

    @Test
    void explainRefusesInputLongerThanAMessageCanBe() throws Exception {
        Path big = dir.resolve("big.bin");
        Files.write(big, new byte[ExplainCommand.MAX_INPUT + 1]);
        String[] result = runWithStderr("explain", big.toString());
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("a DNS message is at most 65535 octets"), result[1]);
        Path raw = dir.resolve("raw.bin");
        Files.write(raw, new byte[70_000]);
        result = runWithStderr("explain", raw.toString());
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("holds 70000 octets"), result[1]);
    }

    /** Runs the command line and returns its exit code and what it wrote on stderr. */
    private static String[] runWithStderr(String... args) {
        java.io.PrintStream savedErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), args);
        } finally {
            System.setErr(savedErr);
        }
        return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
    }
}
