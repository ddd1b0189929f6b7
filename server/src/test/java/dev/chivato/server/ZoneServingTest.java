package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A zone file served by the real process, seen through dig. */
class ZoneServingTest {
    /** The differential test's zone, which exercises every answer rule. */
    private static String zone() throws Exception {
        return Files.readString(Path.of(ZoneServingTest.class.getResource("/zones/example.org.zone").toURI()));
    }

    @TempDir
    Path dir;

    @Test
    void aZoneIsServedWithTheAnswerRules() throws Exception {
        Path zone = dir.resolve("example.org.zone");
        Files.writeString(zone, zone());
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--zone", zone.toString(), "--log", "off")) {
            String www = ExternalTool.dig(server.port, "www.example.org").stdout();
            assertTrue(www.contains("flags: qr aa rd;"), www);
            assertTrue(www.contains("www.example.org.\t3600\tIN\tA\t192.0.2.80"), www);
            assertEquals(List.of("www.example.org.", "192.0.2.80"),
                    ExternalTool.dig(server.port, "+short", "alias.example.org").lines());
            assertEquals(List.of("\"wildcard\""),
                    ExternalTool.dig(server.port, "+short", "x.wild.example.org", "TXT").lines());
            String nxdomain = ExternalTool.dig(server.port, "nowhere.example.org").stdout();
            assertTrue(nxdomain.contains("status: NXDOMAIN") && nxdomain.contains("AUTHORITY: 1"), nxdomain);
            assertTrue(nxdomain.contains("example.org.\t\t300\tIN\tSOA\tns1.example.org."), nxdomain);
            String referral = ExternalTool.dig(server.port, "+norec", "host.sub.example.org").stdout();
            assertTrue(referral.contains("flags: qr;") && referral.contains("sub.example.org.\t60\tIN\tNS"),
                    referral);
            String outside = ExternalTool.dig(server.port, "example.com").stdout();
            assertTrue(outside.contains("status: REFUSED"), "with a zone, other names are refused: " + outside);
            assertEquals(0, server.terminate(10), server.stderrText());
            assertTrue(server.stderrText().contains("zone example.org. serial 2026112601, 36 records"),
                    server.stderrText());
        }
    }

    @Test
    void aZoneWithAnErrorIsNotServedAndTheServerDoesNotStart() throws Exception {
        Path zone = dir.resolve("broken.zone");
        Files.writeString(zone, zone() + "www CNAME alias\n");
        try (ServerProcess server = ServerProcess.launch(dir, List.of(), "--zone", zone.toString())) {
            assertEquals(1, server.waitFor(20));
            assertEquals(zone + ":41: CNAME beside other data at www.example.org.", server.stderrText().strip());
        }
    }
}
