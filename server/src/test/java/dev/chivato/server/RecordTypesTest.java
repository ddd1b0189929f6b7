package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.protocol.TypeTable;
import dev.chivato.server.data.ZoneFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zone with one record of every type in the type table, checked against three peers: BIND prints every record as
 * we do ({@code named-checkzone -D}, BIND's printer, which is dig's); NSD serves each as we do (both seen through
 * dig); and NSD and Knot, as our secondaries, serve each as we do after the transfer.
 */
class RecordTypesTest {
    private static final String ORIGIN = "types.example.";

    @TempDir
    static Path dir;

    private static Path zone;
    private static ZoneFile.Zone loaded;

    @BeforeAll
    static void readZone() throws Exception {
        zone = dir.resolve("types.example.zone");
        Files.copy(Path.of(RecordTypesTest.class.getResource("/zones/types.example.zone").toURI()), zone);
        loaded = ZoneFile.read(zone, Optional.empty());
    }

    /** Each (owner, type) of the zone once, NSEC3 left out: NSD answers no query for an NSEC3 record. */
    private static Set<String[]> questions() {
        Set<String> seen = new LinkedHashSet<>();
        List<String[]> questions = new ArrayList<>();
        for (ResourceRecord record : loaded.records()) {
            String key = record.name() + " " + record.type();
            if (!record.type().equals(RRType.NSEC3) && seen.add(key)) {
                questions.add(new String[] {record.name().toString(), record.type().toString()});
            }
        }
        return new LinkedHashSet<>(questions);
    }

    @Test
    void everyTypeTheIssueNamesIsInTheZone() {
        Set<String> types = new TreeSet<>();
        loaded.records().forEach(r -> types.add(r.type().toString()));
        for (var row : TypeTable.rows()) {
            assertTrue(types.contains(row.mnemonic()), row.mnemonic() + " is missing from the zone");
        }
    }

    @Test
    void everyRecordPrintsAsBindPrintsIt() {
        ExternalTool.Result bind = ExternalTool.run("named-checkzone", "-i", "none", "-k", "ignore", "-D", "-o", "-",
                ORIGIN, zone.toString());
        assertEquals(0, bind.exitCode(), bind.stdout() + bind.stderr());
        Set<String> theirs = new TreeSet<>();
        for (String line : bind.lines()) {
            if (!line.startsWith(";")) {
                String[] fields = line.trim().split("\\s+", 5);
                theirs.add(fields[0] + " " + fields[3] + " " + fields[4].trim().replaceAll("\\s+", " "));
            }
        }
        Set<String> ours = new TreeSet<>();
        for (ResourceRecord record : loaded.records()) {
            ours.add(record.name() + " " + record.type() + " " + record.data().toString().replaceAll("\\s+", " "));
        }
        assertEquals(String.join("\n", theirs), String.join("\n", ours));
    }

    @Test
    void everyTypeIsServedAsNsdServesIt() throws Exception {
        try (TestServer chivato = TestServer.startWithZones(List.of(loaded));
                Nsd nsd = Nsd.start(Files.createDirectories(dir.resolve("nsd")), "types.example", zone)) {
            List<String> differences = new ArrayList<>();
            for (String[] q : questions()) {
                String ours = digAnswer(chivato.port(), q);
                String theirs = digAnswer(nsd.port, q);
                if (!ours.equals(theirs) || ours.isEmpty()) {
                    differences.add(q[0] + " " + q[1] + "\n  chivato: " + ours + "\n  nsd:     " + theirs);
                }
            }
            assertTrue(differences.isEmpty(), String.join("\n", differences));
        }
    }

    @Test
    void everyTypeSurvivesATransferToNsdAndKnot() throws Exception {
        int nsdPort = Nsd.freePort();
        int knotPort = Nsd.freePort();
        try (ServerProcess chivato = ServerProcess.start(Files.createDirectories(dir.resolve("primary")), List.of(), "--zone",
                zone.toString(), "--allow-transfer", "127.0.0.1");
                Secondary nsd = Secondary.nsd(dir, nsdPort, chivato.port, "types.example", null);
                Secondary knot = Secondary.knot(dir, knotPort, chivato.port, "types.example", null)) {
            for (Secondary secondary : List.of(nsd, knot)) {
                secondary.awaitSerial("types.example", 2026120501L, 15);
                for (String[] q : questions()) {
                    assertEquals(digAnswer(chivato.port, q), digAnswer(secondary.port, q),
                            secondary.kind + " serves " + q[0] + " " + q[1] + " as we do");
                }
            }
        }
    }

    /**
     * The answer section as dig prints it, blanks made single and letters small: NSD compresses an MX target
     * {@code Mail.Types.Example.} into a pointer to the owner's {@code types.example.}, so the case of a name's
     * suffix is not a fact a server keeps.
     */
    private static String digAnswer(int port, String[] question) {
        return String.join("\n", ExternalTool.dig(port, "+noall", "+answer", question[0], question[1]).lines())
                .replaceAll("[ \t]+", " ").toLowerCase(java.util.Locale.ROOT);
    }
}
