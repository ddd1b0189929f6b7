package dev.chivato.protocol;

/**
 * Non-negative numbers written in decimal straight into an octet array, without a String: the codec's text and the
 * server's log lines both write them. Values that fit an {@code int} (every address octet, TTL and count in practice)
 * take int arithmetic and two digits a division, as the JDK's own {@code Integer.toString} does.
 */
public final class Decimal {
    /** "00" to "99": the two digits of each value below 100, in turn. */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private Decimal() {
    }

    /** How many digits {@code value} (not negative) takes. */
    public static int digits(long value) {
        if (value <= Integer.MAX_VALUE) {
            return digits((int) value);
        }
        int digits = 10;
        for (long rest = value / 10_000_000_000L; rest != 0; rest /= 10) {
            digits++;
        }
        return digits;
    }

    private static int digits(int value) {
        int digits = 1;
        for (int bound = 10; digits < 10 && value >= bound; bound *= 10) {
            digits++;
        }
        return digits;
    }

    /** Writes the {@code digits} digits of {@code value} (not negative) at {@code at}, in ASCII. */
    public static void write(long value, byte[] into, int at, int digits) {
        int end = at + digits;
        while (value > Integer.MAX_VALUE) { // ten digits or more: the low ones one at a time, in long arithmetic
            into[--end] = (byte) ('0' + value % 10);
            value /= 10;
        }
        int rest = (int) value;
        while (rest >= 100) {
            int high = rest / 100;
            int pair = 2 * (rest - high * 100);
            into[--end] = PAIRS[pair + 1];
            into[--end] = PAIRS[pair];
            rest = high;
        }
        if (rest >= 10) {
            into[--end] = PAIRS[2 * rest + 1];
            into[--end] = PAIRS[2 * rest];
        } else {
            into[--end] = (byte) ('0' + rest);
        }
    }
}
