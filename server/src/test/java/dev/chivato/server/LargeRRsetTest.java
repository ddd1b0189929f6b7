package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.data.HostEntry;
import dev.chivato.server.data.HostsFile;
import dev.chivato.server.data.RecordStore;
import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * RRsets larger than any message (more than 64 KiB): answered well-formed, with no records and TC, over both
 * transports, as NSD does; never a count that the sections do not hold.
 */
class LargeRRsetTest {
    /** 5,000 names on 0.0.0.0 (a PTR RRset of about 100 KiB) and 4,100 addresses on one name (about 66 KiB). */
    private static RecordStore store() {
        List<HostEntry> entries = new ArrayList<>();
        try {
            for (int i = 0; i < 5000; i++) {
                entries.add(HostsFile.parseLine("names", i + 1, "0.0.0.0 n" + i + ".example").orElseThrow());
            }
            for (int i = 0; i < 4100; i++) {
                entries.add(HostsFile.parseLine("addresses", i + 1, "10.1." + (i >> 8) + "." + (i & 0xff)
                        + " many.example").orElseThrow());
            }
        } catch (FileProblem e) {
            throw new AssertionError(e);
        }
        return RecordStore.of(entries);
    }

    @RegisterExtension
    static final SharedServer server = new SharedServer(LargeRRsetTest::store);

    @TempDir
    Path dir;

    private static Message overUdp(String name, RRType type) throws Exception {
        byte[] query = Message.query(3, true, Question.of(name, type), Optional.empty()).toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(3000);
            socket.send(new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(), server.port()));
            DatagramPacket answer = new DatagramPacket(new byte[65535], 65535);
            socket.receive(answer);
            return Message.decode(Arrays.copyOf(answer.getData(), answer.getLength()));
        }
    }

    private static Message overTcp(String name, RRType type) throws Exception {
        byte[] query = Message.query(4, true, Question.of(name, type), Optional.empty()).toWire();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            socket.setSoTimeout(3000);
            socket.getOutputStream().write(ByteBuffer.allocate(2 + query.length).putShort((short) query.length)
                    .put(query).array());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            return Message.decode(answer); // throws when the counts do not match the sections
        }
    }

    private static void assertTruncatedEmpty(Message answer) {
        assertTrue(answer.header().tc(), "TC set");
        assertEquals(0, answer.answers().size(), "no record of an RRset that cannot fit");
    }

    @Test
    void ptrRRsetOfFiveThousandNamesIsTruncatedWellFormedOverBothTransports() throws Exception {
        assertTruncatedEmpty(overUdp("0.0.0.0.in-addr.arpa", RRType.PTR));
        assertTruncatedEmpty(overTcp("0.0.0.0.in-addr.arpa", RRType.PTR));
    }

    @Test
    void addressRRsetLargerThanAMessageIsTruncatedWellFormedOverBothTransports() throws Exception {
        assertTruncatedEmpty(overUdp("many.example", RRType.A));
        assertTruncatedEmpty(overTcp("MANY.example", RRType.A));
        assertTruncatedEmpty(overTcp("many.example", RRType.ANY));
    }

    @Test
    void digAndKdigSeeWellFormedTruncatedAnswers() {
        ExternalTool.Result dig = ExternalTool.dig(server.port(), "-x", "0.0.0.0");
        assertEquals(0, dig.exitCode(), dig.stderr());
        assertTrue(dig.stdout().contains("flags: qr aa tc rd; QUERY: 1, ANSWER: 0,"), dig.stdout());
        assertFalse((dig.stdout() + dig.stderr()).contains("malformed"), dig.stdout());
        ExternalTool.Result kdig = ExternalTool.run("kdig", "@127.0.0.1", "-p", Integer.toString(server.port()),
                "+tcp", "+timeout=2", "+retry=0", "many.example", "A");
        assertEquals(0, kdig.exitCode(), kdig.stderr());
        assertTrue(kdig.stdout().contains("ANSWER: 0;"), kdig.stdout());
        assertFalse((kdig.stdout() + kdig.stderr()).contains("malformed"), kdig.stdout() + kdig.stderr());
    }

    @Test
    void anAdBlockHostsFileOfTwoHundredThousandNamesLoadsAndAnswers() throws Exception {
        Path blocklist = dir.resolve("blocklist");
        StringBuilder lines = new StringBuilder("# a generated ad-block list\n");
        for (int i = 0; i < 200_000; i++) {
            lines.append("0.0.0.0 ads").append(i).append(".tracker.example\n");
        }
        Files.writeString(blocklist, lines);
        try (ServerProcess blocking = ServerProcess.start(dir, List.of(), "--records", blocklist.toString(),
                "--log", "off")) {
            assertEquals(List.of("0.0.0.0"),
                    ExternalTool.dig(blocking.port, "+short", "ads123456.tracker.example").lines());
            ExternalTool.Result reverse = ExternalTool.dig(blocking.port, "+ignore", "-x", "0.0.0.0");
            assertTrue(reverse.stdout().contains("flags: qr aa tc rd; QUERY: 1, ANSWER: 0,"), reverse.stdout());
            assertEquals(0, blocking.terminate(10), blocking.stderrText());
        }
    }
}
