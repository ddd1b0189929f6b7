package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The header keeps its second word as it is on the wire; every field is a bit or bits of it. */
class HeaderTest {
    @Property
    void theWireWordComesBackAsItCame(@ForAll @IntRange(max = 0xffff) int id,
                                      @ForAll @IntRange(max = 0xffff) int word) {
        Header header = Header.fromWire(id, word);
        assertEquals(id, header.id());
        assertEquals(word, header.flagsWord());
    }

    @Property
    void eachFieldIsItsOwnBitsOfTheWord(@ForAll @IntRange(max = 0xffff) int word) {
        Header header = Header.fromWire(0, word);
        Header rebuilt = new Header(0, header.qr(), header.opcode(), header.aa(), header.tc(), header.rd(),
                header.ra(), header.z(), header.ad(), header.cd(), header.rcode());
        assertEquals(word, rebuilt.flagsWord());
        assertEquals(header, rebuilt);
        assertEquals(header.hashCode(), rebuilt.hashCode());
        assertEquals(word >>> 11 & 0xf, header.opcode().value());
        assertEquals(word & 0xf, header.rcode().value());
    }

    @Test
    void flagsSitWhereRfc1035PutsThem() {
        Header header = new Header(0x1234, true, Opcode.of(5), true, false, true, false, false, true, false,
                Rcode.NXDOMAIN);
        // QR 1, OPCODE 0101, AA 1, TC 0, RD 1, RA 0, Z 0, AD 1, CD 0, RCODE 0011
        assertEquals(0b1_0101_1_0_1_0_0_1_0_0011, header.flagsWord());
    }

    @Test
    void aResponseKeepsIdOpcodeRdAndCdAndClearsTheRest() {
        Header query = Header.fromWire(77, 0xffff & ~0xf); // every flag set, rcode 0
        Header response = query.toResponse(false, Rcode.REFUSED);
        assertEquals(77, response.id());
        assertTrue(response.qr());
        assertEquals(query.opcode(), response.opcode());
        assertTrue(response.rd());
        assertTrue(response.cd());
        assertFalse(response.aa() || response.tc() || response.ra() || response.z() || response.ad());
        assertEquals(Rcode.REFUSED, response.rcode());
    }

    @Test
    void withRcodeChangesOnlyTheRcode() {
        Header header = Header.fromWire(9, 0x8580);
        Header changed = header.withRcode(Rcode.SERVFAIL);
        assertEquals(0x8582, changed.flagsWord());
        assertNotEquals(header, changed);
    }

    @Test
    void idAndRcodeOutsideTheHeaderAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Header.query(0x10000, false));
        assertThrows(IllegalArgumentException.class, () -> Header.query(0, false).withRcode(Rcode.BADVERS));
    }

    @Test
    void printsEveryFieldByName() {
        assertEquals("Header[id=1, qr=false, opcode=QUERY, aa=false, tc=false, rd=true, ra=false, z=false, "
                + "ad=false, cd=false, rcode=NOERROR]", Header.query(1, true).toString());
    }
}
