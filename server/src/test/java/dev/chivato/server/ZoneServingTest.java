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
    private static final String ZONE = """
            $ORIGIN example.org.
            $TTL 3600
            @        SOA   ns1 hostmaster 2026112601 7200 3600 1209600 300
            @        NS    ns1
            ns1      A     192.0.2.53
            www      A     192.0.2.80
            alias    CNAME www
            *.wild   TXT   "wildcard"
            sub      NS    ns.sub
            ns.sub   A     192.0.2.99
            """;

    @TempDir
    Path dir;

    @Test
    void aZoneIsServedWithTheAnswerRules() throws Exception {
        Path zone = dir.resolve("example.org.zone");
        Files.writeString(zone, ZONE);
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
            assertTrue(referral.contains("flags: qr;") && referral.contains("sub.example.org.\t3600\tIN\tNS"),
                    referral);
            String outside = ExternalTool.dig(server.port, "example.com").stdout();
            assertTrue(outside.contains("status: REFUSED"), "with a zone, other names are refused: " + outside);
            assertEquals(0, server.terminate(10), server.stderrText());
            assertTrue(server.stderrText().contains("zone example.org. serial 2026112601, 8 records"),
                    server.stderrText());
        }
    }

    @Test
    void aZoneWithAnErrorIsNotServedAndTheServerDoesNotStart() throws Exception {
        Path zone = dir.resolve("broken.zone");
        Files.writeString(zone, ZONE + "www CNAME alias\n");
        try (ServerProcess server = ServerProcess.launch(dir, List.of(), "--zone", zone.toString())) {
            assertEquals(1, server.waitFor(20));
            assertEquals(zone + ":11: CNAME beside other data at www.example.org.", server.stderrText().strip());
        }
    }
}
