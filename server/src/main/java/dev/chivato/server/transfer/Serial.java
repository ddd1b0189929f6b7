package dev.chivato.server.transfer;

/** RFC 1982 serial number arithmetic on SOA serials (32 bits, wrapping). */
public final class Serial {
    private Serial() {
    }

    /** Whether {@code next} is greater than {@code previous}. */
    public static boolean increased(long previous, long next) {
        long difference = (next - previous) & 0xffffffffL;
        return difference != 0 && difference < 0x80000000L;
    }
}
