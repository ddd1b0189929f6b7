package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Mnemonics, unknown values, and the presentation form of each RDATA type. */
class ValuesTest {
    @Test
    void knownTypesHaveMnemonicsAndUnknownOnesSurvive() {
        assertEquals("AAAA", RRType.AAAA.toString());
        assertEquals("TYPE65534", new RRType(65534).toString());
        assertEquals(new RRType(65534), RRType.parse("TYPE65534"));
        assertEquals(RRType.MX, RRType.parse("mx"));
        assertEquals(RRType.A, RRType.parse("TYPE1"));
        assertThrows(IllegalArgumentException.class, () -> RRType.parse("NOPE"));
    }

    @Test
    void classesOpcodesAndRcodesToo() {
        assertEquals("CLASS42", new RRClass(42).toString());
        assertEquals(RRClass.CH, RRClass.parse("CLASS3"));
        assertEquals("RESERVED15", new Opcode(15).toString());
        assertEquals("RCODE42", new Rcode(42).toString());
        assertEquals(Rcode.BADVERS, Rcode.of(0, 1));
    }

    @Test
    void rdataPrintsLikeDig() {
        assertEquals("1.2.3.4", RData.A.parse("1.2.3.4").toString());
        assertEquals("2001:db8::10", RData.AAAA.parse("2001:db8:0:0:0:0:0:10").toString());
        assertEquals("::1", RData.AAAA.parse("::1").toString());
        assertEquals("::ffff:1.2.3.4", RData.AAAA.parse("::ffff:1.2.3.4").toString());
        assertEquals("10 mail.example.com.", new RData.Mx(10, Name.parse("mail.example.com")).toString());
        assertEquals("\"hello world\" \"a\\\"b\"", RData.Txt.of("hello world", "a\"b").toString());
        assertEquals("\\# 3 0102FF", new RData.Unknown(new RRType(65534), new byte[] {1, 2, (byte) 255}).toString());
        assertEquals("\\# 0", new RData.Unknown(new RRType(65534), new byte[0]).toString());
    }

    @Test
    void ipv6FormattingCollapsesTheLongestZeroRun() {
        assertEquals("1:0:0:2::3", RData.AAAA.parse("1:0:0:2:0:0:0:3").toString());
        assertEquals("::", RData.AAAA.parse("::").toString());
        assertEquals("1::", RData.AAAA.parse("1::").toString());
        assertEquals("1:2:3:4:5:6:7:8", RData.AAAA.parse("1:2:3:4:5:6:7:8").toString());
        assertEquals("1:0:2:3:4:5:6:7", RData.AAAA.parse("1:0:2:3:4:5:6:7").toString());
    }

    @Test
    void badAddressesAreRefused() {
        for (String bad : List.of("1.2.3", "1.2.3.256", "a.b.c.d", "1.2.3.4.5", "")) {
            assertThrows(IllegalArgumentException.class, () -> RData.A.parse(bad), bad);
        }
        for (String bad : List.of("1::2::3", "12345::", "1:2:3:4:5:6:7", "g::", "1:2:3:4:5:6:7:8:9")) {
            assertThrows(IllegalArgumentException.class, () -> RData.AAAA.parse(bad), bad);
        }
    }

    @Test
    void recordTypeMustMatchATypedFormWhereOneExists() {
        Name name = Name.parse("example.com");
        assertThrows(IllegalArgumentException.class,
                () -> ResourceRecord.in(name, 1, new RData.Unknown(RRType.A, new byte[4])));
        assertThrows(IllegalArgumentException.class,
                () -> new ResourceRecord(name, RRClass.CH, 1, new RData.A(1)));
    }

    @Test
    void recordPrintsLikeDig() {
        ResourceRecord record = ResourceRecord.in(Name.parse("example.com"), 3600, RData.A.parse("1.2.3.4"));
        assertEquals("example.com.\t\t3600\tIN\tA\t1.2.3.4", record.toString());
    }
}
