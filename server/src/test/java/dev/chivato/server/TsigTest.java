package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.tsig.TransactionSignature;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TSIG on transfers: signed by real secondaries, and every way a request can be refused. */
class TsigTest {
    private static final String SECRET = Base64.getEncoder().encodeToString(
            "a secret of thirty-two octets!!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    private static final Secondary.Key KEY = new Secondary.Key("xfr.example.", "hmac-sha256", SECRET);

    @TempDir
    Path dir;

    private Path keyFile(String line) throws Exception {
        Path file = dir.resolve("xfr.key");
        Files.writeString(file, "# the transfer key\n" + line + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private Path zone() throws Exception {
        Path zone = dir.resolve("example.org.zone");
        Files.writeString(zone, Files.readString(Path.of(TsigTest.class.getResource("/zones/example.org.zone")
                .toURI())));
        return zone;
    }

    private ServerProcess primary(Path log, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--zone", zone().toString(), "--allow-transfer",
                "127.0.0.1", "--tsig-key", keyFile(KEY.name() + " " + KEY.algorithm() + " " + SECRET).toString(),
                "--log", "json", "--log-file", log.toString()));
        args.addAll(List.of(more));
        return ServerProcess.start(dir, List.of(), args.toArray(String[]::new));
    }

    @Test
    void nsdAndKnotTransferWithTheKeyAndTakeOurSignedNotify() throws Exception {
        Path log = dir.resolve("query.jsonl");
        int nsdPort = Nsd.freePort();
        int knotPort = Nsd.freePort();
        try (ServerProcess chivato = primary(log, "--notify", "127.0.0.1:" + nsdPort, "--notify",
                "127.0.0.1:" + knotPort);
             Secondary nsd = Secondary.nsd(dir, nsdPort, chivato.port, "example.org", KEY);
             Secondary knot = Secondary.knot(dir, knotPort, chivato.port, "example.org", KEY)) {
            for (Secondary secondary : List.of(nsd, knot)) {
                Nsd.awaitAnswer(secondary.port, "example.org", secondary.dir.resolve(secondary.kind + ".out"));
            }
            Path zone = dir.resolve("example.org.zone");
            Files.writeString(zone, Files.readString(zone).replace("2026112601", "2026112602"));
            chivato.signal("HUP");
            for (Secondary secondary : List.of(nsd, knot)) {
                Wait.within(Duration.ofSeconds(10), () -> serial(secondary.port) == 2026112602L);
                assertEquals(2026112602L, serial(secondary.port), secondary.kind + " followed the signed NOTIFY: "
                        + secondary.output());
            }
            assertEquals(0, chivato.terminate(10), chivato.stderrText());
        }
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.stream().filter(l -> l.contains("\"kind\":\"transfer\"")).count() >= 4, lines.toString());
        assertTrue(lines.stream().filter(l -> l.contains("\"kind\":\"notify\"")).allMatch(l -> l.contains(
                "\"ok\":true")), lines.toString());
    }

    private static long serial(int port) {
        try {
            return Nsd.ask(port, "example.org", "SOA").filter(m -> !m.answers().isEmpty())
                    .map(m -> ((RData.Soa) m.answers().get(0).data()).serial()).orElse(-1L);
        } catch (Exception e) {
            return -1;
        }
    }

    /** A query for the zone's AXFR, signed with {@code key} as if at {@code time}, sent over TCP; the first reply. */
    private static Message askSigned(int port, TransactionSignature.Key key, long time, boolean spoilMac)
            throws Exception {
        Message query = Message.query(0x5151, false, new Question(Name.parse("example.org"), RRType.AXFR,
                RRClass.IN), Optional.empty());
        ByteBuffer out = ByteBuffer.allocate(4096);
        int length = query.encode(out, 3000);
        length = TransactionSignature.Signer.forRequest(key).signAt(out, 0, length, time);
        byte[] wire = Arrays.copyOf(out.array(), length);
        if (spoilMac) {
            wire[length - 10] ^= 1; // inside the MAC, which the last 6 octets (ID, error, other length) follow
        }
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            OutputStream stream = socket.getOutputStream();
            stream.write(new byte[] {(byte) (length >> 8), (byte) length});
            stream.write(wire);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] reply = new byte[in.readUnsignedShort()];
            in.readFully(reply);
            return Message.decode(reply);
        }
    }

    private static TransactionSignature.Key key(String name, String secret) {
        return new TransactionSignature.Key(Name.parse(name), Name.parse("hmac-sha256."), "HmacSHA256",
                Base64.getDecoder().decode(secret));
    }

    private static TransactionSignature.Fields tsigOf(Message reply) {
        ResourceRecord last = reply.additional().get(reply.additional().size() - 1);
        assertEquals(RRType.TSIG, last.type());
        return TransactionSignature.fields(last).orElseThrow();
    }

    @Test
    void everyBadRequestIsRefusedLoggedAndGetsNoRecords() throws Exception {
        Path log = dir.resolve("query.jsonl");
        long now = System.currentTimeMillis() / 1000;
        try (ServerProcess chivato = primary(log)) {
            String unsigned = ExternalTool.dig(chivato.port, "example.org", "AXFR").stdout();
            assertTrue(unsigned.contains("Transfer failed"), "unsigned, though from an allowed address: " + unsigned);

            Message unknown = askSigned(chivato.port, key("other.example.", SECRET), now, false);
            assertEquals(Rcode.NOTAUTH, unknown.rcode());
            assertEquals(TransactionSignature.BADKEY, tsigOf(unknown).error());
            assertEquals(0, tsigOf(unknown).mac().length, "an error about the key is not signed");

            Message badSig = askSigned(chivato.port, key("xfr.example.", SECRET), now, true);
            assertEquals(Rcode.NOTAUTH, badSig.rcode());
            assertEquals(TransactionSignature.BADSIG, tsigOf(badSig).error());

            Message stale = askSigned(chivato.port, key("xfr.example.", SECRET), now - 3600, false);
            assertEquals(Rcode.NOTAUTH, stale.rcode());
            TransactionSignature.Fields badTime = tsigOf(stale);
            assertEquals(TransactionSignature.BADTIME, badTime.error());
            assertEquals(32, badTime.mac().length, "a BADTIME answer is signed (RFC 8945 section 5.2.3)");
            assertEquals(6, badTime.other().length, "and carries our time");
            for (Message refused : List.of(unknown, badSig, stale)) {
                assertTrue(refused.answers().isEmpty(), "nothing transferred");
            }

            Message good = askSigned(chivato.port, key("xfr.example.", SECRET), now, false);
            assertEquals(Rcode.NOERROR, good.rcode());
            assertEquals(RRType.SOA, good.answers().get(0).type());
            assertEquals(0, tsigOf(good).error());
            assertEquals(0, chivato.terminate(10), chivato.stderrText());
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.stream().filter(l -> l.contains("\"kind\":\"transfer\"")).count(), lines.toString());
        assertEquals(3, lines.stream().filter(l -> l.contains("\"rcode\":\"NOTAUTH\"")).count(), lines.toString());
        assertEquals(1, lines.stream().filter(l -> l.contains("\"rcode\":\"REFUSED\"")).count(), lines.toString());
    }

    @Test
    void aSignedTransferOfManyMessagesIsVerifiedByKdigMessageByMessage() throws Exception {
        Path zone = dir.resolve("big.test.zone");
        StringBuilder text = new StringBuilder("$ORIGIN big.test.\n@ 300 SOA ns hostmaster 1 7200 3600 1209600 300\n"
                + "@ 300 NS ns\nns 300 A 192.0.2.1\n");
        for (int i = 0; i < 5000; i++) {
            text.append("host").append(i).append(" 300 A 10.0.").append(i >> 8).append('.').append(i & 255)
                    .append('\n');
        }
        Files.writeString(zone, text);
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone.toString(),
                "--allow-transfer", "127.0.0.1", "--tsig-key", keyFile("xfr.example. hmac-sha256 " + SECRET)
                        .toString(), "--log", "off")) {
            ExternalTool.Result kdig = ExternalTool.run("kdig", "@127.0.0.1", "-p", Integer.toString(chivato.port),
                    "-y", "hmac-sha256:xfr.example.:" + SECRET, "big.test", "AXFR", "+stats");
            assertEquals(0, kdig.exitCode(), kdig.stdout() + kdig.stderr());
            assertTrue(kdig.stdout().contains("5004 records") && !kdig.stdout().contains("(1 messages"),
                    kdig.stdout() + kdig.stderr());
            assertTrue(!kdig.stderr().contains("TSIG") && !kdig.stdout().contains("failed"), kdig.stderr());
        }
    }

    @Test
    void aKeyFileOthersMayReadIsUsedWithAWarning() throws Exception {
        Path file = keyFile("xfr.example. hmac-sha256 " + SECRET);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone().toString(), "--tsig-key",
                file.toString(), "--log", "off")) {
            assertEquals(0, chivato.terminate(10));
            assertTrue(chivato.stderrText().contains("holds a secret and others may read it"), chivato.stderrText());
        }
    }

    @Test
    void aKeyFileWithAnUnknownAlgorithmIsOneLineAndExitOne() throws Exception {
        Path file = keyFile("xfr.example. hmac-md4 " + SECRET);
        try (ServerProcess chivato = ServerProcess.launch(dir, List.of(), "--tsig-key", file.toString())) {
            assertEquals(1, chivato.waitFor(20));
            assertEquals(file + ":2: unknown algorithm hmac-md4 (hmac-sha256, hmac-sha384, hmac-sha512, "
                    + "hmac-sha224 or hmac-sha1; NAME ALGORITHM BASE64SECRET, in that order)",
                    chivato.stderrText().strip());
        }
    }

    @Test
    void aKeyFileWithItsFieldsInAnotherOrderNeverShowsTheSecret() throws Exception {
        for (String line : List.of("hmac-sha256 " + SECRET + " xfr.example.", SECRET + " hmac-sha256 xfr.example.",
                "xfr.example. " + SECRET + " hmac-sha256")) {
            Path file = keyFile(line);
            try (ServerProcess chivato = ServerProcess.launch(dir, List.of(), "--listen", "127.0.0.1:0",
                    "--tsig-key", file.toString())) {
                assertEquals(1, chivato.waitFor(20));
                String said = chivato.stderrText();
                assertTrue(said.contains("in that order"), said);
                assertTrue(!said.contains(SECRET) && !said.contains(SECRET.substring(0, 12)), "the secret shown: "
                        + said);
            }
        }
    }
}
