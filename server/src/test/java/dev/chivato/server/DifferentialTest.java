package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.ZoneFile;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same zone served by chivato, NSD and Knot on loopback; for every query, chivato's rcode, AA, TC and each section
 * (as a set of records) must equal NSD's or Knot's. The two differ where RFCs leave a choice (what goes in the
 * authority section of a positive answer, say); chivato must agree with one of them each time.
 */
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
    };

    @TempDir
    static Path dir;

    private static Process nsd;
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
        nsdPort = freePort();
        Path nsdConf = dir.resolve("nsd.conf");
        Files.writeString(nsdConf, """
                server:
                  ip-address: 127.0.0.1@%1$d
                  port: %1$d
                  username: ""
                  chroot: ""
                  zonesdir: "%2$s"
                  pidfile: "%2$s/nsd.pid"
                  logfile: "%2$s/nsd.log"
                  zonelistfile: "%2$s/zone.list"
                  xfrdfile: "%2$s/xfrd.state"
                  database: ""
                  server-count: 1
                  rrl-ratelimit: 0
                  rrl-whitelist-ratelimit: 0
                remote-control:
                  control-enable: no
                zone:
                  name: example.org
                  zonefile: "%2$s/example.org.zone"
                """.formatted(nsdPort, dir));
        nsd = new ProcessBuilder("nsd", "-d", "-c", nsdConf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nsd.out").toFile()).start();
        knotPort = freePort();
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
        awaitAnswer(nsdPort, "nsd");
        awaitAnswer(knotPort, "knot");
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (Process process : new Process[] {nsd, knot}) {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
        if (chivato != null) {
            chivato.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits until a peer answers the apex SOA (they load the zone after they start listening). */
    private static void awaitAnswer(int port, String peer) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<Message> answer = ask(port, "example.org", "SOA");
            if (answer.isPresent() && !answer.get().answers().isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        fail(peer + " did not serve the zone within 15 s: " + Files.readString(dir.resolve(peer + ".out")));
    }

    private static Optional<Message> ask(int port, String name, String type) throws IOException {
        Message query = Message.query(0x1234, false, new Question(Name.parse(name), RRType.parse(type), RRClass.IN),
                Optional.of(Edns.of(1232, false)));
        byte[] wire = query.toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(1000);
            socket.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
            socket.receive(packet);
            return Optional.of(Message.decode(Arrays.copyOf(packet.getData(), packet.getLength())));
        } catch (SocketTimeoutException | dev.chivato.protocol.WireFormatException e) {
            return Optional.empty();
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
            Seen ours = Seen.of(ask(chivato.port(), query[0], query[1]).orElseThrow());
            Optional<Seen> nsdSeen = ask(nsdPort, query[0], query[1]).map(Seen::of);
            Optional<Seen> knotSeen = ask(knotPort, query[0], query[1]).map(Seen::of);
            if (!nsdSeen.equals(Optional.of(ours)) && !knotSeen.equals(Optional.of(ours))) {
                differences.add(query[0] + " " + query[1] + "\n  chivato: " + ours + "\n  nsd:     "
                        + nsdSeen.orElse(null) + "\n  knot:    " + knotSeen.orElse(null));
            }
        }
        assertTrue(differences.isEmpty(), differences.size() + " of " + QUERIES.length + " differ:\n"
                + String.join("\n", differences));
    }
}
