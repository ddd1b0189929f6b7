package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zone transfers: NSD and Knot as chivato's secondaries, and clients that misbehave. */
class TransferTest {
    private static final String SERIAL = "2026112601";

    @TempDir
    Path dir;

    private Path exampleZone() throws Exception {
        Path zone = dir.resolve("example.org.zone");
        Files.writeString(zone, Files.readString(Path.of(TransferTest.class.getResource("/zones/example.org.zone")
                .toURI())));
        return zone;
    }

    /** A zone of {@code hosts} A records under big.test, with this serial. */
    private Path bigZone(int hosts, long serial) throws IOException {
        Path zone = dir.resolve("big.test.zone");
        StringBuilder text = new StringBuilder("$ORIGIN big.test.\n$TTL 300\n@ SOA ns hostmaster " + serial
                + " 7200 3600 1209600 300\n@ NS ns\nns A 192.0.2.1\n");
        for (int i = 0; i < hosts; i++) {
            text.append("host").append(i).append(" A 10.").append(i >> 16 & 255).append('.').append(i >> 8 & 255)
                    .append('.').append(i & 255).append('\n');
        }
        Files.writeString(zone, text);
        return zone;
    }

    /**
     * What a client sees of one question: rcode, answer and, for an answer without records, the authority, as
     * sorted text (NSD adds the apex NS to positive answers, which is its choice, not data).
     */
    private static String seen(int port, String name, String type) throws IOException {
        Optional<Message> answer = Nsd.ask(port, name, type);
        if (answer.isEmpty()) {
            return "no answer";
        }
        Message m = answer.get();
        return m.rcode() + " " + m.answers().stream().map(Object::toString).sorted().toList() + " "
                + (m.answers().isEmpty() ? m.authority().stream().map(Object::toString).sorted().toList() : "");
    }

    /** Whether the server has begun sending on this socket (its first octets wait unread). */
    private static boolean hasReceived(Socket socket) {
        try {
            return socket.getInputStream().available() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static final List<String[]> QUESTIONS = List.of(
            new String[] {"example.org", "SOA"}, new String[] {"example.org", "NS"},
            new String[] {"www.example.org", "A"}, new String[] {"alias.example.org", "A"},
            new String[] {"x.wild.example.org", "TXT"}, new String[] {"nowhere.example.org", "A"},
            new String[] {"txt.example.org", "TXT"}, new String[] {"deep.ent.b.example.org", "A"},
            new String[] {"ent.b.example.org", "A"}, new String[] {"www.example.org", "MX"});

    @Test
    void nsdAndKnotTransferTheZoneServeItAsWeDoAndFollowAReloadAfterNotify() throws Exception {
        Path zone = exampleZone();
        Path log = dir.resolve("query.jsonl");
        int nsdPort = Nsd.freePort();
        int knotPort = Nsd.freePort();
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone.toString(),
                "--allow-transfer", "127.0.0.1", "--notify", "127.0.0.1:" + nsdPort, "--notify",
                "127.0.0.1:" + knotPort, "--log", "json", "--log-file", log.toString());
             Secondary nsd = Secondary.nsd(dir, nsdPort, chivato.port, "example.org", null);
             Secondary knot = Secondary.knot(dir, knotPort, chivato.port, "example.org", null)) {
            for (Secondary secondary : List.of(nsd, knot)) {
                secondary.awaitSerial("example.org", Long.parseLong(SERIAL), 15);
                for (String[] q : QUESTIONS) {
                    assertEquals(seen(chivato.port, q[0], q[1]), seen(secondary.port, q[0], q[1]),
                            secondary.kind + " answers " + q[0] + " " + q[1] + " as we do");
                }
            }
            Files.writeString(zone, Files.readString(zone).replace(SERIAL, "2026112602")
                    .replace("192.0.2.80", "192.0.2.81"));
            chivato.signal("HUP");
            for (Secondary secondary : List.of(nsd, knot)) {
                secondary.awaitSerial("example.org", 2026112602L, 10);
                assertEquals(seen(chivato.port, "www.example.org", "A"), seen(secondary.port, "www.example.org",
                        "A"), secondary.kind + " has the new data");
            }
            // Every record's TTL changes: a difference larger than the zone, which the journal does not keep, so
            // the next IXFR is answered with the whole zone.
            Files.writeString(zone, Files.readString(zone).replace("2026112602", "2026112603")
                    .replace("$TTL 3600", "$TTL 3599").replace("$TTL 60", "$TTL 59"));
            chivato.signal("HUP");
            for (Secondary secondary : List.of(nsd, knot)) {
                secondary.awaitSerial("example.org", 2026112603L, 10);
                for (String[] q : QUESTIONS) {
                    assertEquals(seen(chivato.port, q[0], q[1]), seen(secondary.port, q[0], q[1]),
                            secondary.kind + " answers " + q[0] + " " + q[1] + " as we do after a full transfer");
                }
            }
            assertEquals(0, chivato.terminate(10), chivato.stderrText());
        }
        List<String> lines = Files.readAllLines(log);
        List<String> transfers = lines.stream().filter(l -> l.contains("\"kind\":\"transfer\"")).toList();
        assertTrue(transfers.size() >= 6, "three transfers each: " + transfers);
        assertTrue(transfers.stream().anyMatch(l -> l.contains("\"type\":\"IXFR\",\"from_serial\":2026112601")),
                "the first change went as a difference: " + transfers);
        assertTrue(transfers.stream().anyMatch(l -> l.contains("\"from_serial\":null,\"serial\":2026112603")),
                "the second as the whole zone: " + transfers);
        assertTrue(transfers.stream().allMatch(l -> l.contains("\"ok\":true")), transfers.toString());
        assertTrue(transfers.stream().anyMatch(l -> l.contains("\"serial\":2026112602")), transfers.toString());
        List<String> notifies = lines.stream().filter(l -> l.contains("\"kind\":\"notify\"")).toList();
        assertEquals(4, notifies.size(), lines.toString());
        assertTrue(notifies.stream().allMatch(l -> l.contains("\"ok\":true")), notifies.toString());
    }

    private static List<String> digRecords(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("+noall", "+answer"));
        command.addAll(List.of(args));
        return ExternalTool.dig(port, command.toArray(String[]::new)).lines().stream()
                .map(l -> l.replaceAll("\\s+", " ")).toList();
    }

    private static final String SOA = "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. %d 7200 "
            + "3600 1209600 300";

    @Test
    void ixfrSendsTheDifferencesTheJournalHoldsAndTheWholeZoneBeyondIt() throws Exception {
        Path zone = exampleZone();
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone.toString(),
                "--allow-transfer", "127.0.0.1", "--log", "off")) {
            Files.writeString(zone, Files.readString(zone).replace(SERIAL, "2026112602")
                    .replace("192.0.2.80", "192.0.2.81"));
            chivato.signal("HUP");
            awaitServedSerial(chivato.port, 2026112602L);
            Files.writeString(zone, Files.readString(zone).replace("2026112602", "2026112603")
                    .replace("\"one string\" \"and \\\"another\\\"\"", "\"changed\""));
            chivato.signal("HUP");
            awaitServedSerial(chivato.port, 2026112603L);
            assertEquals(List.of(SOA.formatted(2026112603), SOA.formatted(2026112601),
                    "www.example.org. 3600 IN A 192.0.2.80",
                    "txt.example.org. 60 IN TXT \"one string\" \"and \\\"another\\\"\"", SOA.formatted(2026112603),
                    "www.example.org. 3600 IN A 192.0.2.81", "txt.example.org. 60 IN TXT \"changed\"",
                    SOA.formatted(2026112603)),
                    digRecords(chivato.port, "+tcp", "example.org", "IXFR=2026112601"),
                    "the two steps condensed into one (RFC 1995 section 5)");
            assertEquals(6, digRecords(chivato.port, "+notcp", "example.org", "IXFR=2026112602").size(),
                    "a small difference fits one datagram");
            assertEquals(List.of(SOA.formatted(2026112603)),
                    digRecords(chivato.port, "+tcp", "example.org", "IXFR=2026112603"), "up to date: the SOA alone");
            List<String> full = digRecords(chivato.port, "+tcp", "example.org", "IXFR=2026112500");
            assertEquals(37, full.size(), "a serial the journal does not reach: the whole zone " + full);
            assertEquals(SOA.formatted(2026112603), full.get(0));
            assertEquals(SOA.formatted(2026112603), full.get(36));
        }
    }

    @Test
    void withNoJournalEveryIxfrIsAnsweredWithTheWholeZone() throws Exception {
        Path zone = exampleZone();
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone.toString(),
                "--allow-transfer", "127.0.0.1", "--ixfr-versions", "0", "--log", "off")) {
            Files.writeString(zone, Files.readString(zone).replace(SERIAL, "2026112602"));
            chivato.signal("HUP");
            awaitServedSerial(chivato.port, 2026112602L);
            assertEquals(37, digRecords(chivato.port, "+tcp", "example.org", "IXFR=2026112601").size());
            assertEquals(List.of(SOA.formatted(2026112602)),
                    digRecords(chivato.port, "+notcp", "example.org", "IXFR=2026112601"),
                    "over UDP the SOA alone, which sends the client to TCP (RFC 1995 section 2)");
        }
    }

    private static void awaitServedSerial(int port, long serial) throws Exception {
        Wait.within(Duration.ofSeconds(5), () -> Secondary.serialAt(port, "example.org") == serial);
        assertEquals(serial, Secondary.serialAt(port, "example.org"));
    }

    @Test
    void aClientNotAllowedIsRefusedAndGetsNothing() throws Exception {
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", exampleZone().toString(),
                "--allow-transfer", "192.0.2.0/24", "--log", "off")) {
            String out = ExternalTool.dig(chivato.port, "example.org", "AXFR").stdout();
            assertTrue(out.contains("Transfer failed") || out.contains("REFUSED"), out);
            assertTrue(!out.contains("IN\tSOA"), out);
            List<Message> udp = List.of(Nsd.ask(chivato.port, "example.org", "AXFR").orElseThrow());
            assertEquals(Rcode.NOTIMP, udp.get(0).rcode(), "no transfer over UDP");
        }
    }

    @Test
    void aLargeZoneComesInMessagesOfAbout16KiBWithTheSoaFirstAndLast() throws Exception {
        Path zone = bigZone(20_000, 7);
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone.toString(),
                "--allow-transfer", "127.0.0.0/8", "--log", "off")) {
            List<Message> messages = transfer(chivato.port, "big.test", 0);
            List<ResourceRecord> records = messages.stream().flatMap(m -> m.answers().stream()).toList();
            assertEquals(20_000 + 2 + 2, records.size(), "the SOA twice, NS, ns's A, the hosts");
            assertEquals(RRType.SOA, records.get(0).type());
            assertEquals(records.get(0), records.get(records.size() - 1));
            assertEquals(1, records.stream().filter(r -> r.type().equals(RRType.SOA)).count() - 1);
            assertTrue(messages.size() >= 20, messages.size() + " messages");
            for (Message message : messages) {
                assertTrue(message.toWire().length <= 17 * 1024, "about 16 KiB each");
            }
            ExternalTool.Result kdig = ExternalTool.run("kdig", "@127.0.0.1", "-p", Integer.toString(chivato.port),
                    "big.test", "AXFR", "+noall", "+stats");
            assertTrue(kdig.stdout().contains("20004 records"), kdig.stdout());
        }
    }

    @Test
    void aReaderThatStopsMidTransferIsClosedWhileOthersAreServed() throws Exception {
        Path zone = bigZone(200_000, 7);
        Path log = dir.resolve("query.jsonl");
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone.toString(),
                "--allow-transfer", "127.0.0.0/8", "--io-timeout", "1", "--log", "json", "--log-file",
                log.toString());
             Socket stalled = new Socket(InetAddress.getLoopbackAddress(), chivato.port)) {
            stalled.setReceiveBufferSize(4096);
            sendQuery(stalled, "big.test", RRType.AXFR);
            for (int i = 0; i < 30; i++) {
                assertEquals(List.of("10.0.0.5"), ExternalTool.dig(chivato.port, "+short", "host5.big.test")
                        .lines(), "others are answered meanwhile");
                Thread.sleep(100); // asked again and again over three seconds, while the transfer stalls
            }
            assertEquals(0, chivato.terminate(10), chivato.stderrText());
        }
        String transfer = Files.readAllLines(log).stream().filter(l -> l.contains("\"kind\":\"transfer\""))
                .findFirst().orElseThrow();
        assertTrue(transfer.contains("\"ok\":false") && transfer.contains("the connection closed"), transfer);
    }

    @Test
    void atMostTenTransfersRunAtOnceAndTheEleventhIsRefused() throws Exception {
        Path zone = bigZone(200_000, 7);
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone.toString(),
                "--allow-transfer", "127.0.0.0/8", "--io-timeout", "30", "--log", "off")) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) { // each holds its transfer open by not reading it
                    Socket socket = new Socket();
                    socket.setReceiveBufferSize(4096);
                    socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), chivato.port));
                    sendQuery(socket, "big.test", RRType.AXFR);
                    stalled.add(socket);
                }
                Wait.until(Duration.ofSeconds(5), () -> stalled.stream().allMatch(TransferTest::hasReceived),
                        "each of the ten transfers under way");
                String eleventh = ExternalTool.dig(chivato.port, "+tcp", "big.test", "AXFR").stdout();
                assertTrue(eleventh.contains("Transfer failed"), eleventh);
                assertEquals(List.of("10.0.0.5"), ExternalTool.dig(chivato.port, "+short", "host5.big.test").lines(),
                        "queries are answered meanwhile");
            } finally {
                for (Socket socket : stalled) {
                    socket.setSoLinger(true, 0);
                    socket.close(); // reset: the server ends those transfers
                }
            }
            String[] again = {""};
            Wait.within(Duration.ofSeconds(10), () -> (again[0] = ExternalTool.run("kdig", "@127.0.0.1", "-p",
                    Integer.toString(chivato.port), "big.test", "AXFR", "+stats").stdout()).contains("200004 records"));
            assertTrue(again[0].contains("200004 records"), "once they end, a transfer runs again: " + again[0]);
        }
    }

    @Test
    void aSecondaryThatDisconnectsMidTransferEndsItAndOthersAreServed() throws Exception {
        Path zone = bigZone(200_000, 7);
        Path log = dir.resolve("query.jsonl");
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone.toString(),
                "--allow-transfer", "127.0.0.0/8", "--log", "json", "--log-file", log.toString())) {
            try (Socket leaving = new Socket(InetAddress.getLoopbackAddress(), chivato.port)) {
                sendQuery(leaving, "big.test", RRType.AXFR);
                DataInputStream in = new DataInputStream(leaving.getInputStream());
                in.readFully(new byte[in.readUnsignedShort()]); // one message, then gone
            }
            for (int i = 0; i < 10; i++) {
                assertEquals(List.of("10.0.0.5"), ExternalTool.dig(chivato.port, "+short", "host5.big.test").lines());
            }
            assertEquals(200_004, transfer(chivato.port, "big.test", 0).stream().mapToInt(m -> m.answers().size())
                    .sum(), "the next transfer is whole");
            assertEquals(0, chivato.terminate(10), chivato.stderrText());
        }
        List<String> transfers = Files.readAllLines(log).stream().filter(l -> l.contains("\"kind\":\"transfer\""))
                .toList();
        assertEquals(2, transfers.size(), transfers.toString());
        assertTrue(transfers.get(0).contains("\"ok\":false"), transfers.get(0));
        assertTrue(transfers.get(1).contains("\"ok\":true"), transfers.get(1));
    }

    @Test
    void aTransferRacingTwentyReloadsSendsOneVersion() throws Exception {
        Path zone = bigZone(50_000, 100);
        try (ServerProcess chivato = ServerProcess.start(dir, List.of(), "--zone", zone.toString(),
                "--allow-transfer", "127.0.0.0/8", "--log", "off")) {
            Thread reloads = new Thread(() -> {
                try {
                    for (int i = 1; i <= 20; i++) {
                        bigZone(50_000 + i * 10, 100 + i);
                        chivato.signal("HUP");
                        Thread.sleep(50); // the pace of the reloads, while the transfer goes on
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            reloads.start();
            List<Message> messages = transfer(chivato.port, "big.test", 2); // slowly: the reloads overtake it
            reloads.join();
            List<ResourceRecord> records = messages.stream().flatMap(m -> m.answers().stream()).toList();
            RData.Soa first = (RData.Soa) records.get(0).data();
            RData.Soa last = (RData.Soa) records.get(records.size() - 1).data();
            assertEquals(first.serial(), last.serial(), "the SOA first and last are the same version's");
            assertEquals(50_000 + (first.serial() - 100) * 10 + 4, records.size(),
                    "every record of version " + first.serial() + " and no other");
        }
    }

    private static void sendQuery(Socket socket, String zone, RRType type) throws IOException {
        byte[] query = Message.query(0x4242, false, new Question(Name.parse(zone), type, RRClass.IN),
                Optional.empty()).toWire();
        OutputStream out = socket.getOutputStream();
        out.write(new byte[] {(byte) (query.length >> 8), (byte) query.length});
        out.write(query);
        out.flush();
    }

    /** An AXFR read to its last SOA, pausing {@code pauseMillis} after each message. */
    static List<Message> transfer(int port, String zone, int pauseMillis) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            sendQuery(socket, zone, RRType.AXFR);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<Message> messages = new ArrayList<>();
            int soas = 0;
            while (soas < 2) {
                byte[] wire = new byte[in.readUnsignedShort()];
                in.readFully(wire);
                Message message = Message.decode(wire);
                assertEquals(Rcode.NOERROR, message.rcode(), "message " + messages.size());
                messages.add(message);
                soas += (int) message.answers().stream().filter(r -> r.type().equals(RRType.SOA)).count();
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis); // a slow secondary's pace
                }
            }
            return messages;
        } catch (EOFException e) {
            throw new AssertionError("the transfer ended before its last SOA", e);
        }
    }
}
