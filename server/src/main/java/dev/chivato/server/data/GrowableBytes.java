package dev.chivato.server.data;

import java.util.Arrays;

/** A growable run of octets; at most what one Java array holds. */
final class GrowableBytes {
    byte[] octets = new byte[256];
    int length;

    void ensure(int more) {
        long needed = (long) length + more;
        if (needed > octets.length) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("more than 2 GiB of names and records in one zone or "
                        + "hosts list");
            }
            octets = Arrays.copyOf(octets, (int) Math.min(Integer.MAX_VALUE - 16,
                    Math.max(needed, (long) octets.length * 2)));
        }
    }
}

