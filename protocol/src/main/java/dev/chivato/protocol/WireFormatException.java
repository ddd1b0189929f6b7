package dev.chivato.protocol;

/**
 * The one way decoding fails: the bytes are not a DNS message we accept.
 * Carries the offset (from the start of the message) where the problem was found, and why.
 *
 * <p>How to read this file: an offset and a reason; it carries no stack trace, because a malformed message is an
 * answer (FORMERR), not a bug.
 */
public final class WireFormatException extends Exception {
    private final int offset;
    private final String reason;

    public WireFormatException(int offset, String reason) {
        super(reason + " at offset " + offset, null, false, false);
        this.offset = offset;
        this.reason = reason;
    }

    /** Offset from the first byte of the message. */
    public int offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }
}
