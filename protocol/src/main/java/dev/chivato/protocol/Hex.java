package dev.chivato.protocol;

/**
 * Hex text for bytes, upper case and unbroken as dig prints unknown RDATA and EDNS options.
 *
 * <p>How to read this file: {@code format} one way, {@code parse} the other.
 */
public final class Hex {
    private static final char[] DIGITS = "0123456789ABCDEF".toCharArray();

    private Hex() {
    }

    public static String format(byte[] bytes) {
        return format(bytes, 0, bytes.length);
    }

    public static String format(byte[] bytes, int from, int to) {
        char[] text = new char[2 * (to - from)];
        for (int i = from; i < to; i++) {
            text[2 * (i - from)] = DIGITS[bytes[i] >>> 4 & 0xf];
            text[2 * (i - from) + 1] = DIGITS[bytes[i] & 0xf];
        }
        return new String(text);
    }

    /** Parses hex digits, ignoring any white space between them. */
    public static byte[] parse(String text) {
        String digits = text.replaceAll("\\s+", "");
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            int high = Character.digit(digits.charAt(2 * i), 16);
            int low = Character.digit(digits.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("not a hex digit near position " + 2 * i);
            }
            bytes[i] = (byte) (high << 4 | low);
        }
        return bytes;
    }
}
