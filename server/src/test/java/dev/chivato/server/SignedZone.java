package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A zone signed by {@code ldns-signzone} (Debian's ldnsutils) in a test's directory, with keys made for it there: the
 * signatures are fresh each run (they expire), the key-signing key is the trust anchor.
 *
 * @param file   the signed zone file
 * @param anchor the key-signing key's DNSKEY record, as a validator's trust anchor file holds it
 */
record SignedZone(String origin, Path file, Path anchor) {
    /**
     * The zone below, as {@code origin}: a wildcard, a CNAME, an empty non-terminal, a signed delegation (DS) and an
     * unsigned one, names of several TTLs; signed with NSEC, or NSEC3 with {@code nsec3} ("" for NSEC, "-n" for
     * NSEC3, "-n -p" for NSEC3 with opt-out).
     */
    static SignedZone make(Path dir, String origin, String nsec3) throws Exception {
        ExternalTool.require("ldns-signzone");
        ExternalTool.require("ldns-keygen");
        Path unsigned = Files.writeString(dir.resolve(origin + "zone"), """
                $ORIGIN %s
                $TTL 300
                @        SOA  ns hostmaster 1 3600 600 86400 300
                @        NS   ns
                @        MX   10 mail
                ns       A    192.0.2.53
                mail     A    192.0.2.25
                www  60  A    192.0.2.80
                www  60  A    192.0.2.81
                alias    CNAME www
                *.wild   TXT  "wildcard"
                a.b.ent  A    192.0.2.9
                secure   NS   ns.secure
                ns.secure A   192.0.2.54
                secure   DS   60485 8 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A
                insecure NS   ns.insecure
                ns.insecure A 192.0.2.55
                """.formatted(origin));
        String ksk = keygen(dir, origin, true);
        String zsk = keygen(dir, origin, false);
        List<String> sign = new ArrayList<>(List.of("sh", "-c", "cd " + dir + " && ldns-signzone " + nsec3 + " "
                + unsigned.getFileName() + " " + ksk + " " + zsk));
        ExternalTool.Result signed = ExternalTool.run(sign.toArray(String[]::new));
        assertEquals(0, signed.exitCode(), signed.stderr());
        Path anchor = dir.resolve(origin + "anchor");
        Files.writeString(anchor, Files.readAllLines(dir.resolve(ksk + ".key")).stream()
                .filter(line -> !line.startsWith(";")).reduce("", (a, b) -> a + b + "\n"));
        return new SignedZone(origin, dir.resolve(unsigned.getFileName() + ".signed"), anchor);
    }

    private static String keygen(Path dir, String origin, boolean keySigning) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "cd " + dir + " && ldns-keygen -a ECDSAP256SHA256 "
                + (keySigning ? "-k " : "") + origin));
        ExternalTool.Result key = ExternalTool.run(command.toArray(String[]::new));
        assertEquals(0, key.exitCode(), key.stderr());
        return key.stdout().strip();
    }
}
