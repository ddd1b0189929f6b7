package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** One test per class of malformed message: each is refused with a WireFormatException saying where and why. */
class MalformedMessageTest {
    /** Header with id 0x1234, RD, and the four counts. */
    private static ByteArrayOutputStream header(int qd, int an, int ns, int ar) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, 0x12, 0x34, 0x01, 0x00, qd >> 8, qd, an >> 8, an, ns >> 8, ns, ar >> 8, ar);
        return out;
    }

    private static void write(ByteArrayOutputStream out, int... octets) {
        for (int octet : octets) {
            out.write(octet);
        }
    }

    private static void label(ByteArrayOutputStream out, String text) {
        out.write(text.length());
        out.writeBytes(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** A question for example.com A IN starting at offset 12. */
    private static ByteArrayOutputStream query() {
        ByteArrayOutputStream out = header(1, 0, 0, 0);
        label(out, "example");
        label(out, "com");
        write(out, 0, 0, 1, 0, 1);
        return out;
    }

    private static WireFormatException rejected(ByteArrayOutputStream out) {
        return assertThrows(WireFormatException.class, () -> Message.decode(out.toByteArray()));
    }

    private static void assertRejected(ByteArrayOutputStream out, int offset, String reasonPart) {
        WireFormatException e = rejected(out);
        assertTrue(e.reason().contains(reasonPart), "reason \"" + e.reason() + "\" mentions " + reasonPart);
        assertEquals(offset, e.offset(), "offset of: " + e.reason());
    }

    @Test
    void aWellFormedQueryDecodes() throws WireFormatException {
        Message message = Message.decode(query().toByteArray());
        assertEquals(Question.of("example.com", RRType.A), message.questions().get(0));
        assertEquals(0x1234, message.header().id());
    }

    @Test
    void pointerLoopIsRejected() {
        ByteArrayOutputStream out = header(1, 0, 0, 0);
        write(out, 0xc0, 12, 0, 1, 0, 1); // a pointer to itself
        assertRejected(out, 12, "does not point backwards");
    }

    @Test
    void twoPointersPointingAtEachOtherAreRejected() {
        ByteArrayOutputStream out = header(2, 0, 0, 0);
        label(out, "a");            // 12: label "a"
        write(out, 0xc0, 20);       // 14: pointer to the second name at 20
        write(out, 0, 1, 0, 1);     // 16: type and class
        write(out, 0xc0, 12);       // 20: pointer back to 12
        write(out, 0, 1, 0, 1);
        // 12 -> 20 -> 12 would loop; the forward pointer at 14 is refused before the loop can start.
        assertRejected(out, 14, "does not point backwards");
    }

    @Test
    void forwardPointerIsRejected() {
        ByteArrayOutputStream out = header(1, 0, 0, 0);
        write(out, 0xc0, 16, 0, 1, 0, 1, 0);
        assertRejected(out, 12, "does not point backwards");
    }

    @Test
    void pointerIntoTheHeaderIsRejected() {
        ByteArrayOutputStream out = header(1, 0, 0, 0);
        write(out, 0xc0, 4, 0, 1, 0, 1);
        assertRejected(out, 12, "into the header");
    }

    @Test
    void pointerPastTheEndIsRejected() {
        ByteArrayOutputStream out = header(1, 0, 0, 0);
        write(out, 0xc1, 0, 0, 1, 0, 1);
        assertRejected(out, 12, "past the end");
    }

    @Test
    void pointerChainThatKeepsGoingBackIsAccepted() {
        ByteArrayOutputStream out = query();           // example.com at 12..24
        write(out, 0xc0, 12, 0, 1, 0, 1);             // second question at 29: pointer to 12, fine
        ByteArrayOutputStream bytes = header(3, 0, 0, 0);
        bytes.writeBytes(java.util.Arrays.copyOfRange(out.toByteArray(), 12, out.size()));
        label(bytes, "x");                             // third question at 35: "x" then a pointer to 29
        write(bytes, 0xc0, 29, 0, 1, 0, 1);
        // 29 holds a pointer to 12, which is below 29: a legal two-step chain.
        assertTrue(decodes(bytes));
    }

    private static boolean decodes(ByteArrayOutputStream out) {
        try {
            Message.decode(out.toByteArray());
            return true;
        } catch (WireFormatException e) {
            return false;
        }
    }

    @Test
    void sixtyFourOctetLabelIsRejected() {
        ByteArrayOutputStream out = header(1, 0, 0, 0);
        label(out, "a".repeat(64));
        write(out, 0, 0, 1, 0, 1);
        assertRejected(out, 12, "label type 0x40");
    }

    @Test
    void labelType0x40IsRejected() {
        ByteArrayOutputStream out = header(1, 0, 0, 0);
        write(out, 0x41, 0, 0, 0, 1, 0, 1);
        assertRejected(out, 12, "label type 0x40");
    }

    @Test
    void labelType0x80IsRejected() {
        ByteArrayOutputStream out = header(1, 0, 0, 0);
        write(out, 0x81, 0, 0, 0, 1, 0, 1);
        assertRejected(out, 12, "0x80 is reserved");
    }

    /** A name of {@code wireLength} octets: labels of 63, then one shorter label to make up the rest. */
    private static ByteArrayOutputStream queryForNameOf(int wireLength) {
        ByteArrayOutputStream out = header(1, 0, 0, 0);
        int left = wireLength - 1;
        while (left > 0) {
            int labelLength = Math.min(63, left - 1);
            label(out, "a".repeat(labelLength));
            left -= 1 + labelLength;
        }
        write(out, 0, 0, 1, 0, 1);
        return out;
    }

    @Test
    void nameOf256OctetsIsRejected() {
        // The root octet at 12 + 255 is the 256th: that is where the name becomes too long.
        assertRejected(queryForNameOf(256), 12 + 255, "longer than 255");
    }

    @Test
    void nameOf255OctetsIsAccepted() throws WireFormatException {
        Message message = Message.decode(queryForNameOf(255).toByteArray());
        assertEquals(255, message.questions().get(0).name().wireLength());
    }

    @Test
    void nameMadeTooLongThroughPointersIsRejected() {
        ByteArrayOutputStream out = queryForNameOf(255);   // 255-octet name at 12
        label(out, "b");                                  // second name: "b" + pointer: 257 octets
        write(out, 0xc0, 12, 0, 1, 0, 1);
        byte[] bytes = out.toByteArray();
        bytes[5] = 2;
        WireFormatException e = assertThrows(WireFormatException.class, () -> Message.decode(bytes));
        assertTrue(e.reason().contains("longer than 255"), e.reason());
    }

    /**
     * With more than one record the decoder knows the names it read: a pointer to one takes another path, which must
     * fail where the plain walk does (and the reference decoder), at the label of the name pointed to that passes 255.
     */
    @Test
    void labelsBeforeAPointerToANameReadBeforeAreRejectedWhenTheyMakeItTooLong() {
        ByteArrayOutputStream out = queryForNameOf(255);   // 255-octet name at 12, read and kept
        label(out, "b");                                  // an answer's owner: "b" + pointer: 257 octets
        write(out, 0xc0, 12);
        out.writeBytes(new byte[18]);                     // room the two announced records would take
        byte[] bytes = out.toByteArray();
        bytes[7] = 2;                                     // ANCOUNT 2
        WireFormatException e = assertThrows(WireFormatException.class, () -> Message.decode(bytes));
        assertTrue(e.reason().contains("longer than 255"), e.reason());
        WireFormatException reference = assertThrows(WireFormatException.class, () -> ReferenceReader.decode(bytes));
        assertEquals(reference.offset(), e.offset());
        assertTrue(e.offset() > Header.LENGTH && e.offset() < Header.LENGTH + 255, "inside the name pointed to");
    }

    @Test
    void countsLargerThanTheDataAreRejectedBeforeReading() {
        ByteArrayOutputStream out = query();
        byte[] bytes = out.toByteArray();
        bytes[6] = (byte) 0xff;  // ANCOUNT 65280
        WireFormatException e = assertThrows(WireFormatException.class, () -> Message.decode(bytes));
        assertEquals(4, e.offset());
        assertTrue(e.reason().contains("section counts"), e.reason());
    }

    @Test
    void countOneLargerThanTheDataIsRejected() {
        ByteArrayOutputStream out = query();
        write(out, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4);
        byte[] bytes = out.toByteArray();
        bytes[7] = 2;  // two answers, one present
        WireFormatException e = assertThrows(WireFormatException.class, () -> Message.decode(bytes));
        assertEquals(bytes.length, e.offset());
    }

    /** example.com A query plus one answer whose RDLENGTH field says {@code rdLength} and whose RDATA is 1.2.3.4. */
    private static ByteArrayOutputStream answerWithRdLength(int rdLength) {
        ByteArrayOutputStream out = query();
        write(out, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, rdLength >> 8, rdLength, 1, 2, 3, 4);
        byte[] bytes = out.toByteArray();
        bytes[7] = 1;
        ByteArrayOutputStream fixed = new ByteArrayOutputStream();
        fixed.writeBytes(bytes);
        return fixed;
    }

    @Test
    void rdLengthTooLongIsRejected() {
        assertRejected(answerWithRdLength(5), 39, "runs past the end");
    }

    @Test
    void rdLengthTooShortIsRejected() {
        assertRejected(answerWithRdLength(3), 41, "too short for A");
    }

    @Test
    void rdLengthLongerThanTheTypedRdataIsRejected() {
        ByteArrayOutputStream out = answerWithRdLength(5);
        out.write(9);
        assertRejected(out, 45, "longer than the A RDATA");
    }

    @Test
    void truncatedHeaderIsRejected() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, 0x12, 0x34, 0x01, 0x00, 0, 1, 0);
        assertRejected(out, 0, "shorter than the 12-octet header");
    }

    @Test
    void truncatedQuestionIsRejected() {
        byte[] full = query().toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(java.util.Arrays.copyOf(full, full.length - 3));
        WireFormatException e = rejected(out);
        assertTrue(e.offset() >= 12, e.toString());
    }

    @Test
    void trailingBytesAreRejected() {
        ByteArrayOutputStream out = query();
        write(out, 0xde, 0xad);
        assertRejected(out, 29, "bytes after the last record");
    }

    /** An OPT record with the given owner octets and option bytes, as additional record {@code index}. */
    private static void opt(ByteArrayOutputStream out, int[] owner, int... rdata) {
        write(out, owner);
        write(out, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, rdata.length >> 8, rdata.length);
        write(out, rdata);
    }

    private static ByteArrayOutputStream queryWithAdditional(int count) {
        ByteArrayOutputStream out = query();
        byte[] bytes = out.toByteArray();
        bytes[11] = (byte) count;
        ByteArrayOutputStream fixed = new ByteArrayOutputStream();
        fixed.writeBytes(bytes);
        return fixed;
    }

    @Test
    void queryWithOneOptDecodesToEdns() throws WireFormatException {
        ByteArrayOutputStream out = queryWithAdditional(1);
        opt(out, new int[] {0}, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8);
        Message message = Message.decode(out.toByteArray());
        Edns edns = message.edns().orElseThrow();
        assertEquals(1232, edns.udpPayloadSize());
        assertEquals(EdnsOption.COOKIE, edns.options().get(0).code());
        assertTrue(message.additional().isEmpty());
    }

    @Test
    void twoOptRecordsAreRejected() {
        ByteArrayOutputStream out = queryWithAdditional(2);
        opt(out, new int[] {0});
        opt(out, new int[] {0});
        assertRejected(out, 40, "more than one OPT");
    }

    @Test
    void optWithANonRootOwnerIsRejected() {
        ByteArrayOutputStream out = queryWithAdditional(1);
        opt(out, new int[] {0xc0, 12});
        assertRejected(out, 29, "owner is not the root");
    }

    @Test
    void optInTheAnswerSectionIsRejected() {
        ByteArrayOutputStream out = query();
        opt(out, new int[] {0});
        byte[] bytes = out.toByteArray();
        bytes[7] = 1;
        WireFormatException e = assertThrows(WireFormatException.class, () -> Message.decode(bytes));
        assertTrue(e.reason().contains("OPT record in the answer section"), e.reason());
    }

    @Test
    void optionLengthOverrunningTheOptRdataIsRejected() {
        ByteArrayOutputStream out = queryWithAdditional(1);
        opt(out, new int[] {0}, 0, 10, 0, 9, 1, 2, 3, 4);
        assertRejected(out, 42, "overruns the OPT RDATA");
    }

    @Test
    void optRdLengthOverrunningTheMessageIsRejected() {
        ByteArrayOutputStream out = queryWithAdditional(1);
        write(out, 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 20, 0, 10);
        assertRejected(out, 38, "runs past the end of the message");
    }

    /** Found by Jazzer: a label inside an uncompressed RDATA name that runs past the RDATA is refused at its length. */
    @Test
    void aLabelRunningPastTheRdataOfAnNsecIsRefusedWhereItStarts() {
        byte[] bytes = Hex.parse("0000 8000 0000 0001 0000 0000"
                + "00 002f 0001 00000e10 0004 01 61 0c 62" // NSEC: next name "a", then a label of 12 in 2 octets
                + "0000000000000000");                       // octets after the RDATA, where a label of 12 would end
        WireFormatException e = assertThrows(WireFormatException.class, () -> Message.decode(bytes));
        assertEquals(25, e.offset());
        assertEquals("NSEC next: RDATA ends inside a name", e.reason());
    }
}
