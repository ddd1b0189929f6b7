package dev.chivato.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * The type bitmap of NSEC, NSEC3 and CSYNC (RFC 4034 section 4.1.2): windows of 256 types, each a window number, a
 * length of 1 to 32 and that many octets of bits, the most significant bit of the first octet for the window's first
 * type. Windows come in increasing order; an empty window, or a trailing zero octet, is not allowed.
 *
 * <p>How to read this file: {@code check} walks the windows on the wire, {@code types} lists the types a bitmap
 * holds, {@code of} builds one from types.
 */
final class TypeBitmap {
    private TypeBitmap() {
    }

    static void check(byte[] wire, int at, int end) throws WireFormatException {
        int previous = -1;
        while (at < end) {
            if (end - at < 2) {
                throw new WireFormatException(at, "type bitmap window cut short");
            }
            int window = wire[at] & 0xff;
            int length = wire[at + 1] & 0xff;
            if (window <= previous) {
                throw new WireFormatException(at, "type bitmap window " + window + " after window " + previous);
            }
            if (length < 1 || length > 32) {
                throw new WireFormatException(at + 1, "type bitmap window of " + length + " octets; 1 to 32");
            }
            if (end - at - 2 < length) {
                throw new WireFormatException(at + 1, "type bitmap window runs past the RDATA");
            }
            if (wire[at + 1 + length] == 0) {
                throw new WireFormatException(at + 1 + length, "type bitmap window ends in a zero octet");
            }
            previous = window;
            at += 2 + length;
        }
    }

    /** The types of a checked bitmap, in increasing order. */
    static List<Integer> types(byte[] wire, int at, int end) {
        List<Integer> types = new ArrayList<>();
        while (at < end) {
            int window = wire[at] & 0xff;
            int length = wire[at + 1] & 0xff;
            for (int i = 0; i < length; i++) {
                int octet = wire[at + 2 + i] & 0xff;
                for (int bit = 0; bit < 8; bit++) {
                    if ((octet & 0x80 >>> bit) != 0) {
                        types.add(window << 8 | i << 3 | bit);
                    }
                }
            }
            at += 2 + length;
        }
        return types;
    }

    /** The bitmap of {@code types}. */
    static byte[] of(SortedSet<Integer> types) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int[] types16 = types.stream().mapToInt(Integer::intValue).toArray();
        for (int i = 0; i < types16.length; ) {
            int window = types16[i] >>> 8;
            byte[] bits = new byte[32];
            int length = 0;
            for (; i < types16.length && types16[i] >>> 8 == window; i++) {
                int low = types16[i] & 0xff;
                bits[low >>> 3] |= (byte) (0x80 >>> (low & 7));
                length = (low >>> 3) + 1;
            }
            out.write(window);
            out.write(length);
            out.write(bits, 0, length);
        }
        return out.toByteArray();
    }
}
