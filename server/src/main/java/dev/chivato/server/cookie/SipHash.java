package dev.chivato.server.cookie;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash, the one RFC 9018 makes server cookies with. Two
 * rounds per 8-octet word of input, four to finish; words are read little-endian, and the last one carries the
 * input's length in its top octet.
 */
public final class SipHash {
    private SipHash() {
    }

    /** The hash of {@code input[0..length)} under the 128-bit {@code key}, as the 64-bit value the paper prints. */
    public static long hash(byte[] key, byte[] input, int length) {
        if (key.length != 16) {
            throw new IllegalArgumentException("a SipHash key is 16 octets, not " + key.length);
        }
        long k0 = word(key, 0, 8);
        long k1 = word(key, 8, 8);
        long[] v = {0x736f6d6570736575L ^ k0, 0x646f72616e646f6dL ^ k1, 0x6c7967656e657261L ^ k0,
                0x7465646279746573L ^ k1};
        int whole = length - length % 8;
        for (int at = 0; at < whole; at += 8) {
            absorb(v, word(input, at, 8));
        }
        absorb(v, (long) length << 56 | word(input, whole, length - whole));
        v[2] ^= 0xff;
        for (int i = 0; i < 4; i++) {
            round(v);
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    /** Writes {@code hash} as SipHash's reference code does: least significant octet first. */
    public static void putLittleEndian(long hash, byte[] out, int at) {
        for (int i = 0; i < 8; i++) {
            out[at + i] = (byte) (hash >>> 8 * i);
        }
    }

    private static void absorb(long[] v, long m) {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    }

    private static void round(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13) ^ v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16) ^ v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21) ^ v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17) ^ v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }

    /** {@code count} octets (at most 8) from {@code at}, little-endian. */
    private static long word(byte[] bytes, int at, int count) {
        long word = 0;
        for (int i = count - 1; i >= 0; i--) {
            word = word << 8 | bytes[at + i] & 0xff;
        }
        return word;
    }
}
