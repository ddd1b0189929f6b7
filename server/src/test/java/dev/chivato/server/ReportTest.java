package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chivato report} on a generated log, against golden outputs in {@code src/test/resources/report} (rewrite
 * them with {@code -Dchivato.golden.update=true} after a change meant to alter them, and read the diff), and on a
 * log the real server wrote.
 */
class ReportTest {
    private static final Path GOLDEN = Path.of("src/test/resources/report");

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run chivato(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream savedErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(savedErr);
        }
    }

    /**
     * A log as the server writes it, from a fixed seed: 3,000 messages over 91 minutes from 12 clients, names
     * skewed as real ones are, NXDOMAIN for the names under {@code typo.example}, malformed packets, a reload, two
     * rate-limit summaries, the listening lines, one line that is not JSON, and a last line cut short.
     */
    static Path generatedLog(Path dir) throws IOException {
        Random random = new Random(20261126);
        List<String> lines = new ArrayList<>();
        lines.add("{\"kind\":\"listening\",\"transport\":\"udp\",\"address\":\"127.0.0.1:10053\"}");
        lines.add("{\"kind\":\"listening\",\"transport\":\"tcp\",\"address\":\"127.0.0.1:10053\"}");
        String[] types = {"A", "A", "A", "AAAA", "AAAA", "PTR", "MX", "TXT", "HTTPS"};
        Instant start = Instant.parse("2026-11-26T08:00:00Z");
        for (int i = 0; i < 3000; i++) {
            // a steady 30 a minute, and a burst of 300 in about a minute after the first hour
            long millis = i < 2000 ? i * 2000L : i < 2300 ? 4_000_000L + (i - 2000) * 200L
                    : 4_060_000L + (i - 2300) * 2000L;
            Instant ts = start.plusMillis(millis + random.nextInt(190));
            int clientNumber = (int) Math.min(11, Math.abs(random.nextGaussian() * 3));
            String client = (clientNumber == 11 ? "[2001:db8::11]" : "10.0.0." + (clientNumber + 1)) + ":"
                    + (1024 + random.nextInt(60000));
            if (i % 250 == 7) {
                lines.add(String.format(Locale.ROOT, "{\"ts\":\"%s\",\"transport\":\"udp\",\"client\":\"%s\","
                        + "\"kind\":\"malformed\",\"id\":%d,\"size\":%d,\"reason\":\"a name runs past the message "
                        + "end at offset %d\",\"offset\":%d,\"bytes\":\"1234\",\"rcode\":\"FORMERR\",\"us\":40,"
                        + "\"unsent\":null}", ts, client, i, 20 + i % 9, 12 + i % 5, 12 + i % 5));
                continue;
            }
            if (i == 2100 || i == 2101) { // the burst trips rate limiting, which sums itself up once a second
                lines.add("{\"ts\":\"" + ts + "\",\"kind\":\"rate-limit\",\"dropped\":" + (120 + i % 2)
                        + ",\"slipped\":119,\"seconds\":1}");
            }
            if (i == 1500) {
                lines.add("{\"ts\":\"" + ts + "\",\"kind\":\"reload\",\"ok\":true,\"zones\":[],\"records\":3,"
                        + "\"ms\":12,\"failures\":[]}");
                lines.add("this line is not JSON at all");
            }
            int rank = (int) Math.min(40, Math.abs(random.nextGaussian() * 8));
            boolean typo = rank >= 17;
            String name = typo ? "host" + rank + ".typo.example." : rank == 0 ? "Example.COM." : "host" + rank
                    + ".example.com.";
            String rcode = typo ? "NXDOMAIN" : rank % 13 == 12 ? "SERVFAIL" : "NOERROR";
            String source = typo || rcode.equals("SERVFAIL") ? "none" : rank % 3 == 0 ? "zone" : "records";
            lines.add(String.format(Locale.ROOT, "{\"ts\":\"%s\",\"transport\":\"%s\",\"client\":\"%s\","
                    + "\"kind\":\"query\",\"id\":%d,\"opcode\":\"QUERY\",\"rd\":true,\"cd\":false,\"do\":false,"
                    + "\"qname\":\"%s\",\"qtype\":\"%s\",\"qclass\":\"IN\",\"edns_size\":1232,\"rcode\":\"%s\","
                    + "\"answers\":%d,\"source\":\"%s\",\"tc\":false,\"size\":80,\"us\":30,\"unsent\":null}",
                    ts, i % 10 == 0 ? "tcp" : "udp", client, i & 0xffff, name, types[random.nextInt(types.length)],
                    rcode, rcode.equals("NOERROR") ? 1 : 0, source));
        }
        Path log = dir.resolve("generated.jsonl");
        Files.writeString(log, String.join("\n", lines) + "\n{\"ts\":\"2026-11-26T09:35:00Z\",\"transport\":\"u");
        return log;
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path golden = GOLDEN.resolve(name);
        if (Boolean.getBoolean("chivato.golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, actual);
        }
        assertEquals(Files.readString(golden), actual, "differs from " + golden);
    }

    @Test
    void aGeneratedLogReportsAsTheGoldenText() throws IOException {
        Path log = generatedLog(dir);
        Run run = chivato("report", log.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertGolden("generated.txt", run.out().replace(log.toString(), "generated.jsonl"));
    }

    @Test
    void theJsonFormIsTheSameReportForPrograms() throws IOException {
        Path log = generatedLog(dir);
        Run run = chivato("report", "--json", "--top", "3", log.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertGolden("generated.json", run.out().replace(log.toString(), "generated.jsonl"));
        Path json = dir.resolve("report.json");
        Files.writeString(json, run.out());
        ExternalTool.Result parsed = ExternalTool.run("python3", "-c", "import json,sys; r=json.load(open(sys.argv[1]));"
                + " print(r['queries'], r['malformed'], r['rcodes']['top'][0]['value'])", json.toString());
        assertEquals("2988 12 NOERROR", parsed.stdout().strip(), parsed.stderr());
    }

    @Test
    void aBudgetTooSmallForTheNamesApproximatesAndSaysSo() throws IOException {
        Path log = generatedLog(dir);
        Run run = chivato("report", "--distinct", "20", "--top", "5", log.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Top names (approximate: more than 20 distinct values"), run.out());
        assertGolden("approximate.txt", run.out().replace(log.toString(), "generated.jsonl"));
    }

    @Test
    void sinceUntilAndClientChooseTheEntriesCounted() throws IOException {
        Path log = generatedLog(dir);
        Run run = chivato("report", "--since", "2026-11-26T08:30", "--until", "2026-11-26T08:40:00Z", "--client",
                "10.0.0.0/30", "--top", "3", log.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertGolden("filtered.txt", run.out().replace(log.toString(), "generated.jsonl"));
    }

    @Test
    void aTimeOfNoKnownFormIsOneLineAndExitTwo() {
        Run run = chivato("report", "--since", "yesterday", "-");
        assertEquals(2, run.exitCode());
        assertEquals("chivato report: --since yesterday: expected 2026-11-26T16:52:08Z, 2026-11-26T16:52 or "
                + "2026-11-26", run.err().strip());
    }

    @Test
    void aLogThatCannotBeReadIsOneLineAndExitTwo() {
        Run run = chivato("report", dir.resolve("missing.jsonl").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().strip().startsWith("chivato report: cannot read ") && run.err().strip().lines()
                .count() == 1, run.err());
    }

    @Test
    void theRealServersLogOfTheSeedsDigExampleIsReported() throws Exception {
        Path log = dir.resolve("query.jsonl");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "json", "--log-file",
                log.toString())) {
            ExternalTool.dig(server.port, "+short", "example.com");
            ExternalTool.dig(server.port, "+short", "-x", "1.2.3.5");
            ExternalTool.dig(server.port, "+short", "exmaple.com");
            ExternalTool.dig(server.port, "+short", "+tcp", "example.my", "AAAA");
            assertEquals(0, server.terminate(10), server.stderrText());
        }
        Run run = chivato("report", log.toString());
        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        assertTrue(out.contains(": 4 queries, 0 malformed"), out);
        assertTrue(out.contains("Names answered NXDOMAIN, per client\n  127.0.0.1: 1\n    exmaple.com.  1"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("  PTR +1 +25\\.0%")), out);
    }
}
