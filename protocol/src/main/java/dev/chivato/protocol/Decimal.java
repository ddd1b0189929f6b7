package dev.chivato.protocol;

/**
 * Non-negative numbers written in decimal straight into an octet array, without a String: the codec's text and the
 * server's log lines both write them.
 */
public final class Decimal {
    private Decimal() {
    }

    /** How many digits {@code value} (not negative) takes. */
    public static int digits(long value) {
        int digits = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        return digits;
    }

    /** Writes the {@code digits} digits of {@code value} (not negative) at {@code at}, in ASCII. */
    public static void write(long value, byte[] into, int at, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            into[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
