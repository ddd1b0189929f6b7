package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The word-at-a-time comparison and hash agree with the octet-by-octet rule on every input. */
class NameCaseTest {
    /** The rule, one octet at a time. */
    private static boolean reference(byte[] a, byte[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Name.toLower(a[i]) != Name.toLower(b[i])) {
                return false;
            }
        }
        return true;
    }

    @Provide
    Arbitrary<byte[]> octets() {
        // letters of both cases, their neighbours ('@', '[', '`', '{'), digits, high octets, any octet
        return Arbitraries.oneOf(Arbitraries.bytes(), Arbitraries.of((byte) 'A', (byte) 'a', (byte) 'Z', (byte) 'z',
                (byte) '@', (byte) '[', (byte) '`', (byte) '{', (byte) 0xc1, (byte) 0xe1, (byte) 0x01, (byte) 0x21))
                .array(byte[].class).ofMinSize(0).ofMaxSize(40);
    }

    @Property(tries = 3000)
    void wordsCompareAsOctetsDo(@ForAll("octets") byte[] a, @ForAll long flips) {
        byte[] b = a.clone();
        for (int i = 0; i < b.length; i++) {
            if ((flips >>> (i % 64) & 1) != 0) {
                b[i] ^= 0x20; // a case change where it is a letter, a real difference elsewhere
            }
        }
        assertEquals(reference(a, b), Name.regionEqualsIgnoreCase(a, 0, b, 0, a.length));
        for (java.nio.ByteOrder order : java.util.List.of(java.nio.ByteOrder.BIG_ENDIAN,
                java.nio.ByteOrder.LITTLE_ENDIAN)) {
            java.nio.ByteBuffer wire = java.nio.ByteBuffer.allocateDirect(a.length + 3).order(order);
            wire.position(3).put(a);
            assertEquals(reference(a, b), Name.regionEqualsIgnoreCase(wire, 3, b, a.length), "a buffer, " + order);
        }
        if (reference(a, b)) {
            assertEquals(Name.hashCodeOf(a, 0, a.length), Name.hashCodeOf(b, 0, b.length), "alike, so hashed alike");
        }
    }

    @Property(tries = 1000)
    void anyTwoRegionsCompareAsOctetsDo(@ForAll @Size(max = 30) byte[] a, @ForAll @Size(max = 30) byte[] b) {
        int length = Math.min(a.length, b.length);
        byte[] left = java.util.Arrays.copyOf(a, length);
        byte[] right = java.util.Arrays.copyOf(b, length);
        assertEquals(reference(left, right), Name.regionEqualsIgnoreCase(left, 0, right, 0, length));
    }
}
