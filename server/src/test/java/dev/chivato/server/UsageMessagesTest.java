package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.embed.Chivato;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The natural mistakes, each answered with one line that says what to do. */
class UsageMessagesTest {
    @TempDir
    Path dir;

    private static CommandRun run(String... args) {
        return CommandRun.of(args);
    }

    private static void assertOneLineSaying(CommandRun run, int code, String... parts) {
        assertEquals(code, run.code(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        for (String part : parts) {
            assertTrue(run.err().contains(part), run.err());
        }
    }

    @Test
    void portSuggestsListen() {
        assertOneLineSaying(run("--port", "30053"), 2, "'--port'", "did you mean --listen ADDR:PORT?");
        assertOneLineSaying(run("-p", "30053"), 2, "did you mean --listen ADDR:PORT?");
    }

    @Test
    void aMisspelledOptionSuggestsTheNearest() {
        assertOneLineSaying(run("--lisen", "127.0.0.1:0"), 2, "did you mean --listen?");
    }

    @Test
    void durationsTakeUnitsAsZoneFilesDo() {
        assertOneLineSaying(run("--ttl", "1x"), 2, "'1x' is not a duration", "1h, 30m");
        assertOneLineSaying(run("--ttl", "1h", "--cache-max-ttl", "3000000000", "--forward", "192.0.2.1"), 2,
                "--cache-max-ttl 3000000000: must be 0..2147483647");
    }

    @Test
    void aCacheValueOutOfRangeNamesOnlyItself() {
        CommandRun run = run("--forward", "192.0.2.1", "--cache", "-5");
        assertOneLineSaying(run, 2, "--cache -5: must be 0..100000000");
        assertTrue(!run.err().contains("--cache-memory") && !run.err().contains("--cache-max-ttl"), run.err());
    }

    @Test
    void aRecordWithTheNameFirstSaysTheAddressComesFirst() {
        assertOneLineSaying(run("--record", "example.com 1.2.3.4", "--listen", "127.0.0.1:0"), 1,
                "the address comes first: \"1.2.3.4 example.com\"");
    }

    @Test
    void aConfigLineWithDashesIsTaken() throws Exception {
        Path conf = Files.writeString(dir.resolve("c.conf"), "--ttl=1x\n");
        assertOneLineSaying(run("--config", conf.toString()), 2, "'1x' is not a duration");
    }

    @Test
    void queryTakesDigsDashTAndNoallAnswer() {
        try (Chivato dns = Chivato.builder().zone("example.org.", """
                @    300 SOA ns.example.org. admin.example.org. 1 7200 900 1209600 300
                     300 MX  10 mail
                """).start()) {
            CommandRun run = run("query", "-t", "MX", "-p", Integer.toString(dns.port()), "example.org", "+noall",
                    "+answer");
            assertEquals(0, run.code(), run.err());
            assertEquals(1, run.out().lines().count(), "the answer section only: " + run.out());
            assertTrue(run.out().contains("MX") && run.out().contains("10 mail.example.org."), run.out());
        }
    }

    @Test
    void queryNamesTheDigFlagsItLacks() {
        assertOneLineSaying(run("query", "example.com", "+trace"), 2, "+trace is one of dig's",
                "+noall +answer");
    }

    @Test
    void reportOnATextLogSaysToLogJson() throws Exception {
        Path log = Files.writeString(dir.resolve("text.log"),
                "2026-12-06T01:00:00.000Z udp 127.0.0.1:5353 example.com. A NOERROR records 2 71b 30us\n");
        assertOneLineSaying(run("report", log.toString()), 1, "is a text log", "--log json");
    }
}
