package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A TSIG record ends a message (RFC 8945 section 5.1): written after OPT, refused anywhere else. */
class TsigPlacementTest {
    /** hmac-sha256., time 1, fudge 300, no MAC, original id 7, no error, no other data. */
    private static final ResourceRecord TSIG = new ResourceRecord(Name.parse("key.example"), RRClass.ANY, 0,
            new RData.Unknown(RRType.TSIG, ByteBuffer.allocate(13 + 16).put(Name.parse("hmac-sha256").wire())
                    .putShort((short) 0).putInt(1).putShort((short) 300).putShort((short) 0).putShort((short) 7)
                    .putShort((short) 0).putShort((short) 0).array()));

    private static Message signedQuery() {
        return new Message(Header.query(7, true), List.of(Question.of("example.com", RRType.A)), List.of(),
                List.of(), List.of(TSIG), Optional.of(Edns.of(1232, false)));
    }

    @Test
    void tsigIsWrittenAfterOptAndReadBackLast() throws WireFormatException {
        byte[] wire = signedQuery().toWire();
        int keyName = indexOf(wire, Name.parse("key.example").wire());
        int opt = indexOf(wire, new byte[] {0, 0, 41});
        assertTrue(opt > 0 && keyName > opt, "OPT at " + opt + ", then TSIG at " + keyName);
        assertEquals(keyName + TSIG.name().wireLength() + 10 + 29, wire.length, "TSIG ends the message");
        assertEquals(signedQuery(), Message.decode(wire));
    }

    @Test
    void tsigBeforeAnotherRecordIsRefused() {
        Message misplaced = new Message(Header.query(7, true), List.of(Question.of("example.com", RRType.A)),
                List.of(), List.of(), List.of(TSIG, ResourceRecord.in(Name.parse("x.example"), 1, new RData.A(1))),
                Optional.empty());
        WireFormatException e = assertThrows(WireFormatException.class, () -> Message.decode(misplaced.toWire()));
        assertTrue(e.reason().contains("TSIG"), e.reason());
    }

    @Test
    void tsigKeepsItsRoomWhenTheAnswerIsTruncated() throws WireFormatException {
        List<ResourceRecord> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            answers.add(ResourceRecord.in(Name.parse("example.com"), 1, new RData.A(i)));
        }
        Message big = new Message(Header.query(7, true).toResponse(true, Rcode.NOERROR),
                List.of(Question.of("example.com", RRType.A)), answers, List.of(), List.of(TSIG), Optional.empty());
        ByteBuffer out = ByteBuffer.allocate(512);
        int length = big.encode(out, 512);
        Message decoded = Message.decode(ByteBuffer.wrap(out.array(), 0, length));
        assertTrue(decoded.header().tc());
        assertEquals(List.of(TSIG), decoded.additional());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
