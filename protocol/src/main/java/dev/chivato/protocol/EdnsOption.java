package dev.chivato.protocol;

import java.util.Arrays;

/**
 * One EDNS(0) option: a 16-bit code and its octets (RFC 6891 section 6.1.2).
 *
 * <p>How to read this file: a code and octets; {@code equals} compares the octets, and {@code codeName} names the
 * codes RFC 6891's registry gives.
 */
public record EdnsOption(int code, byte[] data) {
    public static final int NSID = 3;
    public static final int CLIENT_SUBNET = 8;
    public static final int COOKIE = 10;
    public static final int PADDING = 12;

    public EdnsOption {
        if (code < 0 || code > 0xffff) {
            throw new IllegalArgumentException("option code " + code + " is not in 0..65535");
        }
        if (data.length > 0xffff) {
            throw new IllegalArgumentException("option of " + data.length + " octets; 65535 at most");
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    int length() {
        return data.length;
    }

    byte[] sharedData() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EdnsOption other && other.code == code && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(data);
    }

    /** The name dig gives the option, or {@code OPT=code} for the others. */
    public String codeName() {
        return switch (code) {
            case NSID -> "NSID";
            case CLIENT_SUBNET -> "CLIENT-SUBNET";
            case COOKIE -> "COOKIE";
            case PADDING -> "PADDING";
            default -> "OPT=" + code;
        };
    }

    @Override
    public String toString() {
        return codeName() + ": " + Hex.format(data);
    }
}
