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

    @Property(tries = 3000)
    void theExactComparisonTellsCaseApartAsArraysEqualsDoes(@ForAll("octets") byte[] a, @ForAll long flips,
            @ForAll @net.jqwik.api.constraints.IntRange(max = 5) int offset) {
        byte[] b = new byte[offset + a.length];
        System.arraycopy(a, 0, b, offset, a.length);
        for (int i = 0; i < a.length; i++) {
            if ((flips >>> (i % 64) & 1) != 0) {
                b[offset + i] ^= 0x20; // a case change, which counts here
            }
        }
        assertEquals(java.util.Arrays.equals(a, 0, a.length, b, offset, b.length),
                Name.regionEqualsExactly(a, 0, b, offset, a.length));
    }

    /** The hash, one octet at a time: eight octets to a word, little-endian, each with bit 0x20 set. */
    private static int referenceHash(byte[] a) {
        long hash = 0x9e3779b97f4a7c15L ^ a.length;
        int at = 0;
        for (; at + 8 <= a.length; at += 8) {
            long word = 0;
            for (int i = 0; i < 8; i++) {
                word |= (long) ((a[at + i] | 0x20) & 0xff) << 8 * i;
            }
            hash = (hash ^ word) * 0x9e3779b97f4a7c15L;
            hash ^= hash >>> 29;
        }
        long tail = 0;
        for (int shift = 0; at < a.length; at++, shift += 8) {
            tail |= (long) ((a[at] | 0x20) & 0xff) << shift;
        }
        hash = (hash ^ tail) * 0x9e3779b97f4a7c15L;
        return (int) (hash ^ hash >>> 32);
    }

    @Property(tries = 2000)
    void theHashIsTheOctetRuleInAnArrayAndInABufferOfEitherOrder(@ForAll("octets") byte[] a) {
        assertEquals(referenceHash(a), Name.hashCodeOf(a, 0, a.length), "an array");
        for (java.nio.ByteOrder order : java.util.List.of(java.nio.ByteOrder.BIG_ENDIAN,
                java.nio.ByteOrder.LITTLE_ENDIAN)) {
            java.nio.ByteBuffer wire = java.nio.ByteBuffer.allocateDirect(a.length + 5).order(order);
            wire.position(5).put(a);
            assertEquals(referenceHash(a), Name.hashCodeOf(wire, 5, a.length), "a buffer, " + order);
        }
    }
}
