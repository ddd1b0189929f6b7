package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.ZoneFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same zone served by chivato, NSD and Knot on loopback; for every query, chivato's rcode, AA, TC and each section
 * (as a set of records) must equal NSD's or Knot's. The two differ where RFCs leave a choice (what goes in the
 * authority section of a positive answer, say); chivato must agree with one of them each time.
 */
@RequiresTools({"nsd", "knotd"})
class DifferentialTest {
    private static final String[][] QUERIES = {
        {"www.example.org", "A"}, {"www.example.org", "AAAA"}, {"WWW.EXAMPLE.ORG", "A"}, {"mixedcase.example.org", "A"},
        {"example.org", "SOA"}, {"example.org", "NS"}, {"example.org", "MX"}, {"_sip._udp.example.org", "SRV"},
        {"a\\.b.example.org", "A"}, {"short.example.org", "A"}, {"txt.example.org", "TXT"},
        {"alias.example.org", "A"}, {"alias2.example.org", "A"}, {"alias.example.org", "CNAME"},
        {"outside.example.org", "A"}, {"loop1.example.org", "A"}, {"dangling.example.org", "A"},
        {"nowhere.example.org", "A"}, {"www.example.org", "MX"}, {"www.example.org", "TXT"},
        {"x.wild.example.org", "TXT"}, {"x.y.wild.example.org", "A"}, {"x.wild.example.org", "MX"},
        {"a.wild.example.org", "TXT"}, {"ent.a.wild.example.org", "A"}, {"ent.b.example.org", "A"},
        {"b.example.org", "A"}, {"sub.example.org", "NS"}, {"host.sub.example.org", "A"},
        {"hidden.sub.example.org", "A"}, {"ns.sub.example.org", "A"}, {"example.com", "A"}, {"org", "A"},
        {"ns1.example.org", "A"}, {"mail.example.org", "A"}, {"sip.example.org", "AAAA"},
        {"sub.example.org", "DS"}, {"nods.example.org", "DS"}, {"host.sub.example.org", "DS"},
        {"example.org", "DS"}, {"tocut.example.org", "A"}, {"tocut2.example.org", "A"},
        {"mxwild.example.org", "MX"}, {"srvwild.example.org", "SRV"},
    };

    @TempDir
    static Path dir;

    private static Nsd nsd;
    private static Process knot;
    private static int nsdPort;
    private static int knotPort;
    private static TestServer chivato;

    @BeforeAll
    static void startAll() throws Exception {
        ExternalTool.require("nsd");
        ExternalTool.require("knotd");
        Path zone = dir.resolve("example.org.zone");
        Files.copy(Path.of(DifferentialTest.class.getResource("/zones/example.org.zone").toURI()), zone);
        chivato = TestServer.startWithZones(List.of(ZoneFile.read(zone, Optional.empty())));
        nsd = Nsd.start(dir, "example.org", zone);
        nsdPort = nsd.port;
        knotPort = Nsd.freePort();
        Path knotConf = dir.resolve("knot.conf");
        Files.createDirectories(dir.resolve("knot"));
        Files.writeString(knotConf, """
                server:
                    listen: 127.0.0.1@%1$d
                    rundir: "%2$s/knot"
                log:
                  - target: stderr
                    any: warning
                database:
                    storage: "%2$s/knot"
                zone:
                  - domain: example.org
                    file: "%2$s/example.org.zone"
                    storage: "%2$s/knot"
                    journal-content: none
                    zonefile-sync: -1
                """.formatted(knotPort, dir));
        knot = new ProcessBuilder("knotd", "-c", knotConf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("knot.out").toFile()).start();
        Nsd.awaitAnswer(knotPort, "example.org", dir.resolve("knot.out"));
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (nsd != null) {
            nsd.close();
        }
        Nsd.stop(knot);
        if (chivato != null) {
            chivato.close();
        }
    }

    /** What must agree: rcode, AA, TC, and each section as a set of records. */
    private record Seen(String rcode, boolean aa, boolean tc, Set<String> answer, Set<String> authority,
                        Set<String> additional) {
        static Seen of(Message message) {
            return new Seen(message.rcode().toString(), message.header().aa(), message.header().tc(),
                    set(message.answers()), set(message.authority()), set(message.additional()));
        }

        private static Set<String> set(List<ResourceRecord> records) {
            Set<String> texts = new HashSet<>();
            for (ResourceRecord record : records) {
                texts.add(record.name().toLowerCase() + " " + record.ttl() + " " + record.type() + " "
                        + record.data());
            }
            return texts;
        }
    }

    @Test
    void everyQueryIsAnsweredAsNsdOrKnotAnswersIt() throws Exception {
        List<String> differences = new ArrayList<>();
        for (String[] query : QUERIES) {
            Seen ours = Seen.of(Nsd.ask(chivato.port(), query[0], query[1]).orElseThrow());
            Optional<Seen> nsdSeen = Nsd.ask(nsdPort, query[0], query[1]).map(Seen::of);
            Optional<Seen> knotSeen = Nsd.ask(knotPort, query[0], query[1]).map(Seen::of);
            if (!nsdSeen.equals(Optional.of(ours)) && !knotSeen.equals(Optional.of(ours))) {
                differences.add(query[0] + " " + query[1] + "\n  chivato: " + ours + "\n  nsd:     "
                        + nsdSeen.orElse(null) + "\n  knot:    " + knotSeen.orElse(null));
            }
        }
        assertTrue(differences.isEmpty(), differences.size() + " of " + QUERIES.length + " differ:\n"
                + String.join("\n", differences));
    }
}
