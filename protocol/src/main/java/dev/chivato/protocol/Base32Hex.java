package dev.chivato.protocol;

/**
 * Base32 with the extended hex alphabet (RFC 4648 section 7), without padding, as NSEC3 writes hashed names
 * (RFC 5155 section 3.3): five bits to a character, {@code 0-9} then {@code A-V}.
 *
 * <p>How to read this file: {@code format} takes the octets five bits at a time, {@code parse} gives them back;
 * nothing else.
 */
public final class Base32Hex {
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

    private Base32Hex() {
    }

    public static String format(byte[] octets, int from, int to) {
        StringBuilder text = new StringBuilder((to - from) * 8 / 5 + 1);
        int buffer = 0;
        int bits = 0;
        for (int i = from; i < to; i++) {
            buffer = buffer << 8 | octets[i] & 0xff;
            bits += 8;
            while (bits >= 5) {
                text.append(ALPHABET.charAt(buffer >>> (bits - 5) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            text.append(ALPHABET.charAt(buffer << (5 - bits) & 31));
        }
        return text.toString();
    }

    /** The octets {@code text} stands for (either case), or null when it is not base32hex without padding. */
    static byte[] parse(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < text.length(); i++) {
            int value = ALPHABET.indexOf(Character.toUpperCase(text.charAt(i)));
            if (value < 0) {
                return null;
            }
            buffer = buffer << 5 | value;
            bits += 5;
            if (bits >= 8) {
                out.write(buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        if (bits >= 5 || (buffer & (1 << bits) - 1) != 0) {
            return null; // a character too many, or bits left over that are not zero
        }
        return out.toByteArray();
    }

    static boolean isHexDigit(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
