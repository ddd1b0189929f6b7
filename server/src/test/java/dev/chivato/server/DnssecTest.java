package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zone signed by ldns-signzone with NSEC, NSEC3 and NSEC3 with opt-out, served by chivato: its DO answers are
 * NSD's, record for record, and a validating Unbound calls them secure (and a damaged signature bogus).
 */
class DnssecTest {
    private static final String ORIGIN = "signed.example.";
    /**
     * Names and types that reach every rule: data, NXDOMAIN, NODATA, wildcards, CNAME, delegations, DS, DNSSEC's own
     * types. Not ANY: NSD with minimal-responses gives one RRset (RFC 8482), chivato every one.
     */
    private static final List<String> QUERIES = List.of("www A", "WwW.Signed.Example. A", "nope A", "www AAAA",
            "x.wild TXT", "y.x.wild TXT", "x.wild A", "alias A", "b.ent A", "ent A", "a.b.ent NSEC", "secure A",
            "ns.secure A", "insecure A", "secure DS", "insecure DS", "@ DNSKEY", "@ MX", "alias RRSIG",
            "mail NSEC", "zzz A", "@ NSEC", "@ SOA", "@ NSEC3PARAM", "a.b.c.d A", "foo.insecure A",
            "x.y.wild A");

    @TempDir
    Path dir;

    private static Message ask(int port, String query, boolean dnssec) throws Exception {
        String[] parts = query.split(" ");
        Name name = parts[0].equals("@") ? Name.parse(ORIGIN) : parts[0].endsWith(".") ? Name.parse(parts[0])
                : Name.parse(parts[0] + "." + ORIGIN);
        byte[] wire = Message.query(0x5353, false, new Question(name, RRType.parse(parts[1]), RRClass.IN),
                Optional.of(Edns.of(1232, dnssec))).toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(2000);
            socket.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
            socket.receive(packet);
            return Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
        }
    }

    /**
     * What is compared: rcode, AA, TC, the answer and authority sections as sets of records, and for a referral the
     * additional section (its glue). Elsewhere the additional section is each server's courtesy: NSD with
     * minimal-responses leaves out what chivato gives (a mail exchanger's address), NSD without it adds what chivato
     * does not (the apex NS RRset and its addresses).
     */
    private static String shape(Message m) {
        return m.rcode() + " aa=" + m.header().aa() + " tc=" + m.header().tc() + "\nanswer " + set(m.answers())
                + "\nauthority " + set(m.authority()) + (m.header().aa() ? "" : "\nadditional " + set(m.additional()));
    }

    private static Set<String> set(List<ResourceRecord> records) {
        Set<String> set = new TreeSet<>();
        records.forEach(r -> set.add(r.toString()));
        return set;
    }

    private ServerProcess chivato(SignedZone zone) throws Exception {
        return ServerProcess.start(dir, List.of(), "--zone", zone.origin() + "=" + zone.file());
    }

    @ParameterizedTest(name = "signed with ldns-signzone {0}")
    @ValueSource(strings = {"", "-n", "-n -p"})
    void doAnswersAreNsdsRecordForRecord(String denial) throws Exception {
        SignedZone zone = SignedZone.make(dir, ORIGIN, denial);
        Path nsdDir = Files.createDirectory(dir.resolve("nsd"));
        try (ServerProcess server = chivato(zone);
                Nsd nsd = Nsd.start(nsdDir, ORIGIN, zone.file(), "  minimal-responses: yes\n")) {
            for (String query : QUERIES) {
                assertEquals(shape(ask(nsd.port, query, true)), shape(ask(server.port, query, true)), query);
            }
        }
    }

    @Test
    void withoutDoNoDnssecRecordsComeBeyondWhatWasAskedFor() throws Exception {
        SignedZone zone = SignedZone.make(dir, ORIGIN, "");
        try (ServerProcess server = chivato(zone)) {
            for (String query : List.of("www A", "nope A", "www AAAA", "x.wild TXT", "insecure A", "secure A")) {
                Message answer = ask(server.port, query, false);
                for (List<ResourceRecord> section : List.of(answer.answers(), answer.authority(),
                        answer.additional())) {
                    assertTrue(section.stream().noneMatch(r -> r.type().equals(RRType.RRSIG)
                            || r.type().equals(RRType.NSEC) || r.type().equals(RRType.DS)), query + ": " + answer);
                }
            }
            assertFalse(ask(server.port, "@ DNSKEY", false).answers().isEmpty(), "DNSKEY, asked for, comes");
        }
    }

    @ParameterizedTest(name = "signed with ldns-signzone {0}")
    @ValueSource(strings = {"", "-n", "-n -p"})
    void unboundValidatesAnswersNxdomainNodataAndAWildcardAsSecure(String denial) throws Exception {
        SignedZone zone = SignedZone.make(dir, ORIGIN, denial);
        Path unboundDir = Files.createDirectory(dir.resolve("unbound"));
        try (ServerProcess server = chivato(zone);
                Unbound unbound = Unbound.start(unboundDir, ORIGIN, server.port, zone.anchor())) {
            // With opt-out, a name that is not there may be an unsigned delegation: RFC 5155 section 9.2 makes such
            // answers insecure (no AD), not bogus. Those still validate as far as they can, never SERVFAIL.
            List<String> provable = List.of("www.signed.example A", "www.signed.example AAAA",
                    "alias.signed.example A"); // a wildcard's answer, too, may be a name under an unsigned cut
            for (String query : List.of("www.signed.example A", "nope.signed.example A",
                    "www.signed.example AAAA", "x.wild.signed.example TXT", "x.wild.signed.example A",
                    "b.ent.signed.example A", "alias.signed.example A", "a.b.c.signed.example A")) {
                String[] parts = query.split(" ");
                ExternalTool.Result dig = ExternalTool.run("dig", "@127.0.0.1", "-p", Integer.toString(unbound.port),
                        "+dnssec", "+time=3", "+tries=1", parts[0], parts[1]);
                if (!denial.contains("-p") || provable.contains(query)) {
                    assertTrue(dig.stdout().matches("(?s).*flags: qr rd ra ad;.*"), query + " is secure:\n"
                            + dig.stdout());
                } else {
                    assertFalse(dig.stdout().contains("status: SERVFAIL"), query + " is not bogus:\n" + dig.stdout());
                }
            }
        }
    }

    @Test
    void delvSaysFullyValidated() throws Exception {
        ExternalTool.require("delv");
        SignedZone zone = SignedZone.make(dir, ORIGIN, "");
        Path anchors = dir.resolve("delv.anchors");
        String record = Files.readString(zone.anchor()).strip().replaceAll(";.*", "").strip();
        String key = record.split("\\s+", 4)[3]; // flags, protocol, algorithm, the key
        String[] fields = key.split("\\s+", 4);
        Files.writeString(anchors, "trust-anchors { \"" + ORIGIN + "\" static-key " + fields[0] + " " + fields[1]
                + " " + fields[2] + " \"" + fields[3].replace(" ", "") + "\"; };\n");
        try (ServerProcess server = chivato(zone)) {
            for (String name : List.of("www.signed.example", "x.wild.signed.example")) {
                ExternalTool.Result delv = ExternalTool.run("delv", "@127.0.0.1", "-p", Integer.toString(server.port),
                        "-a", anchors.toString(), "+root=" + ORIGIN, name, name.startsWith("x.") ? "TXT" : "A");
                assertTrue(delv.stdout().contains("; fully validated"), name + ":\n" + delv.stdout() + delv.stderr());
            }
        }
    }

    @Test
    void aDamagedSignatureMakesUnboundAnswerServfail() throws Exception {
        SignedZone zone = SignedZone.make(dir, ORIGIN, "");
        List<String> lines = Files.readAllLines(zone.file());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("www." + ORIGIN) && line.contains("RRSIG\tA ")) {
                char last = line.charAt(line.length() - 2);
                lines.set(i, line.substring(0, line.length() - 2) + (last == 'A' ? 'B' : 'A')
                        + line.charAt(line.length() - 1)); // one base64 digit of the signature
            }
        }
        Files.write(zone.file(), lines);
        Path unboundDir = Files.createDirectory(dir.resolve("unbound"));
        try (ServerProcess server = chivato(zone);
                Unbound unbound = Unbound.start(unboundDir, ORIGIN, server.port, zone.anchor())) {
            ExternalTool.Result www = ExternalTool.run("dig", "@127.0.0.1", "-p", Integer.toString(unbound.port),
                    "+dnssec", "+time=3", "+tries=1", "www.signed.example", "A");
            assertTrue(www.stdout().contains("status: SERVFAIL"), www.stdout());
            ExternalTool.Result mail = ExternalTool.run("dig", "@127.0.0.1", "-p", Integer.toString(unbound.port),
                    "+dnssec", "+time=3", "+tries=1", "mail.signed.example", "A");
            assertTrue(mail.stdout().matches("(?s).*flags: qr rd ra ad;.*"), "the rest still validates:\n"
                    + mail.stdout());
        }
    }

    /** The zone as AXFR gives it passes ldns-verify-zone and kzonecheck's DNSSEC checks, each RRSIG at its TTL. */
    @ParameterizedTest(name = "signed with ldns-signzone {0}")
    @ValueSource(strings = {"", "-n -p"})
    void theZoneAsTransferredVerifies(String denial) throws Exception {
        ExternalTool.require("ldns-verify-zone");
        ExternalTool.require("kzonecheck");
        SignedZone zone = SignedZone.make(dir, ORIGIN, denial);
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--zone", ORIGIN + "=" + zone.file(),
                "--allow-transfer", "127.0.0.1")) {
            ExternalTool.Result axfr = ExternalTool.dig(server.port, "+nocmd", "+nostats", "AXFR", ORIGIN);
            Path received = Files.writeString(dir.resolve("received.zone"), axfr.stdout());
            ExternalTool.Result ldns = ExternalTool.run("ldns-verify-zone", received.toString());
            assertEquals(0, ldns.exitCode(), ldns.stdout() + ldns.stderr());
            ExternalTool.Result knot = ExternalTool.run("kzonecheck", "-d", "on", "-o", ORIGIN, received.toString());
            assertEquals(0, knot.exitCode(), knot.stdout() + knot.stderr());
            assertTrue(axfr.stdout().lines().anyMatch(l -> l.matches("www\\.signed\\.example\\.\\s+60\\s+IN\\s+RRSIG\\s+A .*")),
                    "www's A RRSIG at 60, its RRset's TTL:\n" + axfr.stdout());
            assertTrue(axfr.stdout().lines().noneMatch(l -> l.matches("\\S+\\s+60\\s+IN\\s+RRSIG\\s+NSEC.*")),
                    "no NSEC signature at www's TTL:\n" + axfr.stdout());
        }
    }

    /** NSD and Knot, transferring the signed zone from chivato, serve it signed: their DO answers are chivato's. */
    @Test
    void nsdAndKnotSecondariesServeTheZoneSignedAsWeDo() throws Exception {
        SignedZone zone = SignedZone.make(dir, ORIGIN, "-n");
        int nsdPort = Nsd.freePort();
        int knotPort = Nsd.freePort();
        try (ServerProcess chivato = ServerProcess.start(Files.createDirectories(dir.resolve("primary")), List.of(),
                "--zone", ORIGIN + "=" + zone.file(), "--allow-transfer", "127.0.0.1");
                Secondary nsd = Secondary.nsd(dir, nsdPort, chivato.port, ORIGIN, null);
                Secondary knot = Secondary.knot(dir, knotPort, chivato.port, ORIGIN, null)) {
            for (Secondary secondary : List.of(nsd, knot)) {
                secondary.awaitSerial(ORIGIN, 1, 15);
                for (String query : List.of("www A", "nope A", "www AAAA", "x.wild TXT", "secure DS", "@ DNSKEY")) {
                    Message ours = ask(chivato.port, query, true);
                    Message theirs = ask(secondary.port, query, true);
                    assertEquals(set(ours.answers()), set(theirs.answers()), secondary.kind + ": " + query);
                    assertTrue(theirs.answers().stream().anyMatch(r -> r.type().equals(RRType.RRSIG))
                            || theirs.authority().stream().anyMatch(r -> r.type().equals(RRType.RRSIG)),
                            secondary.kind + " signs " + query);
                }
            }
        }
    }
}
