package dev.chivato.protocol;

import java.util.Arrays;

/**
 * One EDNS(0) option: a 16-bit code and its octets (RFC 6891 section 6.1.2). An immutable value: the octets are
 * copied in and out of the public constructor and accessor.
 *
 * <p>How to read this file: a code and octets; {@code equals} compares the octets, and {@code codeName} names the
 * codes RFC 6891's registry gives. A final class rather than a record only so that the decoder can hand over the
 * array it just read without a second copy ({@link #trusted}): in decoding dig's query that copy was a quarter of
 * the time (CodecBenchmark.decodeDigQuery).
 */
public final class EdnsOption {
    public static final int NSID = 3;
    public static final int CLIENT_SUBNET = 8;
    public static final int COOKIE = 10;
    public static final int PADDING = 12;

    private final int code;
    /** Never changed once made, and never handed out: {@link #data()} gives a copy. */
    private final byte[] data;

    public EdnsOption(int code, byte[] data) {
        this(code, data.clone(), true);
    }

    private EdnsOption(int code, byte[] owned, boolean unused) {
        if (code < 0 || code > 0xffff) {
            throw new IllegalArgumentException("option code " + code + " is not in 0..65535");
        }
        if (owned.length > 0xffff) {
            throw new IllegalArgumentException("option of " + owned.length + " octets; 65535 at most");
        }
        this.code = code;
        this.data = owned;
    }

    /** An option over an array its maker (the decoder) gives away and never changes. */
    static EdnsOption trusted(int code, byte[] owned) {
        return new EdnsOption(code, owned, true);
    }

    public int code() {
        return code;
    }

    /** A copy of the option's octets. */
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
