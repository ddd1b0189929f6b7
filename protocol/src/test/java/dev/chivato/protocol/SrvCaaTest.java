package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** SRV (RFC 2782) and CAA (RFC 8659): typed, printed as dig prints them, the SRV target never compressed. */
class SrvCaaTest {
    private static Message answer(ResourceRecord record) {
        return new Message(Header.query(1, false).toResponse(true, Rcode.NOERROR),
                List.of(new Question(record.name(), record.type(), RRClass.IN)), List.of(record), List.of(),
                List.of(), Optional.empty());
    }

    @Test
    void srvIsPrintedAsDigDoesAndItsTargetIsNotCompressed() throws WireFormatException {
        ResourceRecord srv = ResourceRecord.in(Name.parse("_sip._udp.example.com"), 60,
                new RData.Srv(10, 5, 5060, Name.parse("sip.example.com")));
        assertEquals("10 5 5060 sip.example.com.", srv.data().toString());
        byte[] wire = answer(srv).toWire();
        byte[] target = Name.parse("sip.example.com").wire();
        assertEquals(wire.length - target.length, indexOf(wire, target), "the target is written whole, at the end");
        assertEquals(answer(srv), Message.decode(wire));
    }

    @Test
    void caaIsPrintedAsDigDoes() throws WireFormatException {
        RData.Caa caa = new RData.Caa(0, "issue", "letsencrypt.org".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("0 issue \"letsencrypt.org\"", caa.toString());
        ResourceRecord record = ResourceRecord.in(Name.parse("example.com"), 60, caa);
        assertEquals(answer(record), Message.decode(answer(record).toWire()));
    }

    @Test
    void caaTagMustBeLettersAndDigits() {
        assertThrows(IllegalArgumentException.class, () -> new RData.Caa(0, "is-sue", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new RData.Caa(0, "", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new RData.Caa(0, "a".repeat(16), new byte[0]));
    }

    @Test
    void aCaaRecordWithABadTagOnTheWireIsMalformed() {
        byte[] wire = answer(ResourceRecord.in(Name.parse("example.com"), 60,
                new RData.Caa(0, "issue", new byte[] {'x'}))).toWire();
        wire[wire.length - 6] = '-'; // inside the tag "issue"
        WireFormatException e = assertThrows(WireFormatException.class, () -> Message.decode(wire));
        assertTrue(e.reason().contains("CAA tag"), e.reason());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
