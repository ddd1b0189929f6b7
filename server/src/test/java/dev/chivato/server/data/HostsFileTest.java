package dev.chivato.server.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.server.ExternalTool;
import dev.chivato.server.TestServer;
import dev.chivato.server.core.FileProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsFileTest {
    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path file = dir.resolve("hosts");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void readsAddressesNamesAndComments() throws Exception {
        List<HostEntry> entries = HostsFile.read(file("""
                # the seed
                1.2.3.4 example.com
                1.2.3.5   example.com example.my   # two names

                2001:db8::1\tsix.example.com
                """));
        assertEquals(3, entries.size());
        assertEquals(List.of(Name.parse("example.com"), Name.parse("example.my")), entries.get(1).names());
        assertEquals(RData.AAAA.parse("2001:db8::1"), entries.get(2).address());
    }

    @Test
    void badAddressNamesTheFileAndLine() throws Exception {
        Path file = file("1.2.3.4 ok.example\n1.2.3.999 bad.example\n");
        FileProblem e = assertThrows(FileProblem.class, () -> HostsFile.read(file));
        assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
        assertTrue(e.getMessage().contains("1.2.3.999"), e.getMessage());
    }

    @Test
    void addressWithoutANameIsRefused() throws Exception {
        Path file = file("1.2.3.4\n");
        FileProblem e = assertThrows(FileProblem.class, () -> HostsFile.read(file));
        assertEquals(file + ":1: \"1.2.3.4\" needs an address and at least one name", e.getMessage());
    }

    @Test
    void overlongLabelIsRefused() throws Exception {
        Path file = file("1.2.3.4 " + "a".repeat(64) + ".example\n");
        FileProblem e = assertThrows(FileProblem.class, () -> HostsFile.read(file));
        assertTrue(e.getMessage().contains(":1: name"), e.getMessage());
        assertTrue(e.getMessage().contains("longer than 63"), e.getMessage());
    }

    @Test
    void missingFileSaysSo() {
        Path missing = dir.resolve("nope");
        FileProblem e = assertThrows(FileProblem.class, () -> HostsFile.read(missing));
        assertEquals(missing + ": cannot read: no such file or directory", e.getMessage());
    }

    @Test
    void binaryFileIsRefused() throws Exception {
        Path file = dir.resolve("bin");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        FileProblem e = assertThrows(FileProblem.class, () -> HostsFile.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void sameAddressTwiceIsServedOnce() throws Exception {
        RecordStore store = RecordStore.of(HostsFile.read(file("1.2.3.4 a.example\n1.2.3.4 a.example\n")));
        assertEquals(1, store.addressRecords());
    }

    @Test
    void aByteOrderMarkAtTheStartIsSkipped() throws Exception {
        List<HostEntry> entries = HostsFile.read(file("\uFEFF1.2.3.4 example.com\n"));
        assertEquals(List.of(Name.parse("example.com")), entries.get(0).names());
    }

    @Test
    void aUtf8NameAnswersTheSameNameQueriedInUtf8() throws Exception {
        RecordStore store = RecordStore.of(HostsFile.read(file("192.0.2.1 café.example\n")));
        try (TestServer server = TestServer.start(store)) {
            byte[] query = dev.chivato.protocol.Message.query(9, false, dev.chivato.protocol.Question.of(
                    "café.example", dev.chivato.protocol.RRType.A), java.util.Optional.empty()).toWire();
            assertTrue(new String(query, java.nio.charset.StandardCharsets.ISO_8859_1).contains("caf\u00c3\u00a9"),
                    "the query carries UTF-8 octets");
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
                socket.setSoTimeout(3000);
                socket.send(new java.net.DatagramPacket(query, query.length,
                        java.net.InetAddress.getLoopbackAddress(), server.port()));
                java.net.DatagramPacket answer = new java.net.DatagramPacket(new byte[512], 512);
                socket.receive(answer);
                dev.chivato.protocol.Message response = dev.chivato.protocol.Message.decode(
                        java.util.Arrays.copyOf(answer.getData(), answer.getLength()));
                assertEquals(List.of(RData.A.parse("192.0.2.1")),
                        response.answers().stream().map(r -> r.data()).toList());
            }
            // dig without IDN conversion sends the same octets
            assertEquals(List.of("192.0.2.1"),
                    ExternalTool.dig(server.port(), "+short", "+noidnin", "caf\\195\\169.example").lines());
        }
    }

    @Test
    void ipv6TextWithSignsOrAMisplacedQuadIsRefused() {
        for (String bad : List.of("::-1", "+1::+ff", "1.2.3.4::")) {
            assertThrows(FileProblem.class, () -> HostsFile.parseLine("t", 1, bad + " x.example"),
                    bad);
        }
    }

    @Test
    void aDeviceIsRefusedNotReadForever() {
        assertEquals("/dev/zero: not a regular file", assertThrows(FileProblem.class,
                () -> HostsFile.read(Path.of("/dev/zero"))).getMessage());
    }

    @Test
    void aLineLongerThanAnyRecordsLineIsRefusedWithItsNumber() throws Exception {
        Path file = dir.resolve("hosts");
        Files.writeString(file, "192.0.2.1 a.example\n192.0.2.2 " + "b".repeat(100_000) + "\n");
        assertEquals(file + ":2: a line longer than 65536 characters", assertThrows(FileProblem.class,
                () -> HostsFile.read(file)).getMessage());
    }
}
