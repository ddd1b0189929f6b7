package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Response rate limiting against a real flood over loopback: one client address floods one name, another asks its
 * own, TCP goes on; the log sums the flood up rather than repeating it.
 */
class RateLimitTest {
    private static final int RATE = 50;
    private static final int FLOOD_PER_SECOND = 5000;
    private static final double SECONDS = 3;
    static final String ZONE = """
            $ORIGIN rrl.example.
            $TTL 300
            @    SOA ns hostmaster 1 3600 600 86400 300
                 NS  ns
            ns   A   192.0.2.53
            www  A   192.0.2.80
                 A   192.0.2.81
                 A   192.0.2.82
                 TXT "a record to make the answer larger than the question, as an amplifier's would be"
            """;

    @TempDir
    Path dir;

    @Test
    void aFloodFromOneAddressIsAnsweredAtTheRateWithEverySecondOfTheRestSlippedWhileOthersAreAnswered()
            throws Exception {
        Path zone = Files.writeString(dir.resolve("rrl.example.zone"), ZONE);
        Path log = dir.resolve("log.json");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--zone", zone.toString(), "--rrl",
                Integer.toString(RATE), "--log", "json", "--log-file", log.toString())) {
            CompletableFuture<UdpFlood.Result> innocent = CompletableFuture.supplyAsync(() -> {
                try {
                    return UdpFlood.run("127.0.0.3", server.port, "ns.rrl.example", "A", 10, SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            UdpFlood.Result flood = UdpFlood.run("127.0.0.2", server.port, "www.rrl.example", "TXT",
                    FLOOD_PER_SECOND, SECONDS);
            ExternalTool.Result overTcp = ExternalTool.run("dig", "@127.0.0.1", "-p", Integer.toString(server.port),
                    "-b", "127.0.0.2", "+tcp", "+short", "+time=2", "+tries=1", "www.rrl.example", "TXT");
            UdpFlood.Result others = innocent.get();

            int full = flood.answered();
            assertTrue(full <= RATE * (SECONDS + 1) + RATE, full + " full answers to the flood, at " + RATE + "/s");
            // BIND's accounting: the first second's credit goes out; a flood that goes on keeps its account in debt
            assertTrue(full >= RATE, full + " full answers: at least the first second's");
            int over = flood.sent() - full;
            assertTrue(Math.abs(flood.slipped() - over / 2) <= over / 10, flood.slipped() + " slipped of " + over
                    + " over the limit: every second one");
            assertEquals(others.sent(), others.answered(), "the client at 127.0.0.3 got every answer");
            assertTrue(overTcp.stdout().contains("a record to make"), "TCP from the flooding address: "
                    + overTcp.stdout() + overTcp.stderr());

            assertEquals(0, server.terminate(10));
            List<String> lines = Files.readAllLines(log);
            long summaries = lines.stream().filter(l -> l.contains("\"kind\":\"rate-limit\"")).count();
            long queries = lines.stream().filter(l -> l.contains("\"kind\":\"query\"")).count();
            assertTrue(summaries >= 1 && summaries <= SECONDS + 3, summaries + " rate-limit entries: once a second");
            assertTrue(queries <= full + others.sent() + 5, queries + " query entries: the limited are not each logged");
            long limited = lines.stream().filter(l -> l.contains("\"kind\":\"rate-limit\"")).mapToLong(l ->
                    Long.parseLong(l.replaceAll(".*\"dropped\":(\\d+).*", "$1"))
                    + Long.parseLong(l.replaceAll(".*\"slipped\":(\\d+).*", "$1"))).sum();
            assertTrue(limited >= over - 5 && limited <= over, limited + " limited in the log's entries, " + over
                    + " seen by the client");
        }
    }
}
