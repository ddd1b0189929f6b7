package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Hex;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Malformed and unusual UDP queries against the real server, one class per test. Each gets what the RFCs say, and
 * the good query sent after it is still answered.
 */
class HostileUdpTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer(TestServer::seedAndBig);
    private static final int ID = 0x4242;



    /** Sends {@code packet} and returns the decoded answer, or empty when nothing came within the wait. */
    private static Optional<Message> send(byte[] packet, int waitMillis) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.setSoTimeout(waitMillis);
            socket.send(new DatagramPacket(packet, packet.length));
            byte[] buffer = new byte[65535];
            DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(answer);
            } catch (SocketTimeoutException e) {
                return Optional.empty();
            }
            byte[] bytes = Arrays.copyOf(answer.getData(), answer.getLength());
            return Optional.of(Message.decode(bytes));
        } catch (WireFormatException e) {
            throw new AssertionError("the server sent something that does not decode", e);
        }
    }

    private static Message answer(byte[] packet) throws IOException {
        return send(packet, 3000).orElseThrow(() -> new AssertionError("no answer to " + Hex.format(packet)));
    }

    private static void assertDropped(byte[] packet) throws IOException {
        assertTrue(send(packet, 500).isEmpty(), "dropped: " + Hex.format(packet));
    }

    private static void assertFormerrSameId(byte[] packet) throws IOException {
        Message response = answer(packet);
        assertEquals(Rcode.FORMERR, response.rcode(), Hex.format(packet));
        assertEquals(ID, response.header().id());
        assertTrue(response.header().qr());
        assertTrue(response.answers().isEmpty());
    }

    /** After every test: the server still answers a good query. */
    @AfterEach
    void goodQueryIsStillAnswered() throws IOException {
        byte[] good = Message.query(7, true, Question.of("example.com", RRType.A), Optional.empty()).toWire();
        Message response = answer(good);
        assertEquals(2, response.answers().size());
    }

    private static ByteArrayOutputStream header(int flags, int qd, int an, int ns, int ar) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] words = {ID, flags, qd, an, ns, ar};
        for (int word : words) {
            out.write(word >> 8);
            out.write(word);
        }
        return out;
    }

    private static void write(ByteArrayOutputStream out, int... octets) {
        for (int octet : octets) {
            out.write(octet);
        }
    }

    private static final int[] EXAMPLE_COM = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};

    /** Header (RD) + example.com A IN + whatever follows; counts as given. */
    private static ByteArrayOutputStream query(int qd, int an, int ns, int ar) {
        ByteArrayOutputStream out = header(0x0100, qd, an, ns, ar);
        write(out, EXAMPLE_COM);
        write(out, 0, 1, 0, 1);
        return out;
    }

    private static byte[] optRecord(int[] owner, int version, int... rdata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, owner);
        write(out, 0, 41, 0x04, 0xd0, 0, version, 0, 0, rdata.length >> 8, rdata.length);
        write(out, rdata);
        return out.toByteArray();
    }

    @Test
    void shorterThanAHeaderIsDropped() throws IOException {
        assertDropped(new byte[] {0x42, 0x42, 1, 0, 0, 1, 0});
    }

    @Test
    void headerOnlyWithNoQuestionIsFormerr() throws IOException {
        assertFormerrSameId(header(0x0100, 0, 0, 0, 0).toByteArray());
    }

    @Test
    void twoQuestionsAreFormerr() throws IOException {
        ByteArrayOutputStream out = query(2, 0, 0, 0);
        write(out, 0xc0, 12, 0, 1, 0, 1);
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void countsLargerThanTheDataAreFormerr() throws IOException {
        assertFormerrSameId(query(1, 5, 0, 0).toByteArray());
    }

    @Test
    void truncatedQuestionIsFormerr() throws IOException {
        byte[] full = query(1, 0, 0, 0).toByteArray();
        assertFormerrSameId(Arrays.copyOf(full, full.length - 2));
    }

    @Test
    void compressionLoopIsFormerr() throws IOException {
        ByteArrayOutputStream out = header(0x0100, 1, 0, 0, 0);
        write(out, 0xc0, 12, 0, 1, 0, 1);
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void forwardPointerIsFormerr() throws IOException {
        ByteArrayOutputStream out = header(0x0100, 1, 0, 0, 0);
        write(out, 0xc0, 18, 0, 1, 0, 1, 0);
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void pointerIntoTheHeaderIsFormerr() throws IOException {
        ByteArrayOutputStream out = header(0x0100, 1, 0, 0, 0);
        write(out, 0xc0, 2, 0, 1, 0, 1);
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void pointerPastTheEndIsFormerr() throws IOException {
        ByteArrayOutputStream out = header(0x0100, 1, 0, 0, 0);
        write(out, 0xc3, 0xff, 0, 1, 0, 1);
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void sixtyFourOctetLabelIsFormerr() throws IOException {
        ByteArrayOutputStream out = header(0x0100, 1, 0, 0, 0);
        out.write(64);
        out.writeBytes(new byte[64]);
        write(out, 0, 0, 1, 0, 1);
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void reservedLabelTypesAreFormerr() throws IOException {
        for (int type : new int[] {0x40, 0x80}) {
            ByteArrayOutputStream out = header(0x0100, 1, 0, 0, 0);
            write(out, type | 1, 'a', 0, 0, 1, 0, 1);
            assertFormerrSameId(out.toByteArray());
        }
    }

    /** A query whose name takes {@code wireLength} octets: labels of 63, then one to make up the rest. */
    private static byte[] queryForNameOf(int wireLength) {
        ByteArrayOutputStream out = header(0x0100, 1, 0, 0, 0);
        int left = wireLength - 1;
        while (left > 0) {
            int length = Math.min(63, left - 1);
            out.write(length);
            out.writeBytes("a".repeat(length).getBytes());
            left -= 1 + length;
        }
        write(out, 0, 0, 1, 0, 1);
        return out.toByteArray();
    }

    @Test
    void nameOf256OctetsIsFormerr() throws IOException {
        assertFormerrSameId(queryForNameOf(256));
    }

    @Test
    void nameOf255OctetsIsAnswered() throws IOException {
        assertEquals(Rcode.NXDOMAIN, answer(queryForNameOf(255)).rcode());
    }

    @Test
    void rootAsQnameIsAnsweredWithoutData() throws IOException {
        ByteArrayOutputStream out = header(0x0100, 1, 0, 0, 0);
        write(out, 0, 0, 1, 0, 1);
        Message response = answer(out.toByteArray());
        assertEquals(Rcode.NOERROR, response.rcode());
        assertTrue(response.answers().isEmpty());
    }

    @Test
    void twoOptRecordsAreFormerr() throws IOException {
        ByteArrayOutputStream out = query(1, 0, 0, 2);
        out.writeBytes(optRecord(new int[] {0}, 0));
        out.writeBytes(optRecord(new int[] {0}, 0));
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void optWithANonRootOwnerIsFormerr() throws IOException {
        ByteArrayOutputStream out = query(1, 0, 0, 1);
        out.writeBytes(optRecord(new int[] {0xc0, 12}, 0));
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void optInTheAnswerSectionIsFormerr() throws IOException {
        ByteArrayOutputStream out = query(1, 1, 0, 0);
        out.writeBytes(optRecord(new int[] {0}, 0));
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void optRdLengthOverrunningTheMessageIsFormerr() throws IOException {
        ByteArrayOutputStream out = query(1, 0, 0, 1);
        write(out, 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 40, 0, 10, 0, 8);
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void optionLengthOverrunningTheOptIsFormerr() throws IOException {
        ByteArrayOutputStream out = query(1, 0, 0, 1);
        out.writeBytes(optRecord(new int[] {0}, 0, 0, 10, 0, 20, 1, 2, 3, 4));
        assertFormerrSameId(out.toByteArray());
    }

    @Test
    void ednsVersionOneIsBadvers() throws IOException {
        ByteArrayOutputStream out = query(1, 0, 0, 1);
        out.writeBytes(optRecord(new int[] {0}, 1));
        Message response = answer(out.toByteArray());
        assertEquals(Rcode.BADVERS, response.rcode());
        assertEquals(ID, response.header().id());
        assertEquals(0, response.edns().orElseThrow().version());
    }

    @Test
    void responseIsDropped() throws IOException {
        ByteArrayOutputStream out = header(0x8100, 1, 0, 0, 0);
        write(out, EXAMPLE_COM);
        write(out, 0, 1, 0, 1);
        assertDropped(out.toByteArray());
    }

    @Test
    void malformedResponseIsDropped() throws IOException {
        ByteArrayOutputStream out = header(0x8100, 1, 0, 0, 0);
        write(out, 0xc0, 12, 0, 1, 0, 1);
        assertDropped(out.toByteArray());
    }

    @Test
    void unknownOpcodeIsNotimpWithoutAQuestion() throws IOException {
        ByteArrayOutputStream out = header(0x7800 | 0x0100, 1, 0, 0, 0);
        write(out, EXAMPLE_COM);
        write(out, 0, 1, 0, 1);
        Message response = answer(out.toByteArray());
        assertEquals(Rcode.NOTIMP, response.rcode());
        assertEquals(new Opcode(15), response.header().opcode());
        assertTrue(response.questions().isEmpty());
    }

    @Test
    void trailingGarbageIsFormerr() throws IOException {
        ByteArrayOutputStream out = query(1, 0, 0, 0);
        write(out, 0xde, 0xad, 0xbe, 0xef);
        assertFormerrSameId(out.toByteArray());
    }

    private static Message ask(RRType type, int qclass) throws IOException {
        ByteArrayOutputStream out = header(0x0100, 1, 0, 0, 0);
        write(out, EXAMPLE_COM);
        write(out, type.value() >> 8, type.value(), qclass >> 8, qclass);
        return answer(out.toByteArray());
    }

    @Test
    void qtypeAnyIsAnsweredWithEveryRecord() throws IOException {
        Message response = ask(RRType.ANY, 1);
        assertEquals(Rcode.NOERROR, response.rcode());
        assertEquals(2, response.answers().size());
    }

    @Test
    void qtypeAxfrOverUdpIsNotimp() throws IOException {
        assertEquals(Rcode.NOTIMP, ask(RRType.AXFR, 1).rcode());
    }

    @Test
    void qtypeOptIsFormerr() throws IOException {
        assertEquals(Rcode.FORMERR, ask(RRType.OPT, 1).rcode());
    }

    @Test
    void qclassChaosIsRefused() throws IOException {
        assertEquals(Rcode.REFUSED, ask(RRType.A, 3).rcode());
    }

    @Test
    void qclassAnyIsAnswered() throws IOException {
        assertEquals(2, ask(RRType.A, 255).answers().size());
    }

    @Test
    void answerNeverExceedsTheClientsEdnsSize() throws IOException {
        byte[] query = Message.query(ID, true, Question.of("big.example.com", RRType.A),
                Optional.of(Edns.of(700, false))).toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.setSoTimeout(3000);
            socket.send(new DatagramPacket(query, query.length));
            DatagramPacket answer = new DatagramPacket(new byte[65535], 65535);
            socket.receive(answer);
            assertTrue(answer.getLength() <= 700, "answer of " + answer.getLength() + " octets");
        }
        assertFalse(answer(query).answers().size() == 100);
    }
}
