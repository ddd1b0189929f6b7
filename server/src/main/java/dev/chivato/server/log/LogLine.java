package dev.chivato.server.log;

import dev.chivato.protocol.Decimal;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The log writer's batch of lines, built as the octets that go to the file (UTF-8; what the formats write is nearly
 * all ASCII) so that nothing is copied between formatting and writing. Its appends read as StringBuilder's do.
 */
public final class LogLine {
    private static final int CONSTANT_SLOTS = 1024;
    private static final int CONSTANT_PROBES = 8;

    private byte[] octets;
    private int length;
    private final String[] constants = new String[CONSTANT_SLOTS];
    private final byte[][] encodedConstants = new byte[CONSTANT_SLOTS][];

    public LogLine(int capacity) {
        octets = new byte[Math.max(16, capacity)];
    }

    public LogLine() {
        this(256);
    }

    public int length() {
        return length;
    }

    /** Forgets everything from {@code newLength} on. */
    public void setLength(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IndexOutOfBoundsException(newLength);
        }
        length = newLength;
    }

    public LogLine append(char c) {
        if (c >= 0x80) {
            return append(String.valueOf(c));
        }
        room(1);
        octets[length++] = (byte) c;
        return this;
    }

    /** The text in UTF-8. */
    public LogLine append(String text) {
        int n = text.length();
        room(n);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) { // keep the ASCII copied so far, encode the rest
                length += i;
                return appendOctets(text.substring(i).getBytes(StandardCharsets.UTF_8));
            }
            octets[length + i] = (byte) c;
        }
        length += n;
        return this;
    }

    /**
     * Text known to be ASCII (the caller checked it, as JSON escaping does): copied without looking at each
     * character, which a line of many short strings would otherwise spend most of its time on.
     */
    @SuppressWarnings("deprecation") // the one String method that copies its Latin-1 octets without allocating
    LogLine appendAscii(String ascii) {
        int n = ascii.length();
        room(n);
        ascii.getBytes(0, n, octets, length);
        length += n;
        return this;
    }

    /**
     * Text that is the same object every time (a field name, a label): encoded once and then copied. The table is
     * small and keyed by identity, so a string that is not constant only costs an encoding now and then.
     */
    public LogLine appendConstant(String constant) {
        int first = System.identityHashCode(constant);
        for (int probe = 0; probe < CONSTANT_PROBES; probe++) {
            int slot = first + probe & CONSTANT_SLOTS - 1;
            if (constants[slot] == constant) {
                return appendOctets(encodedConstants[slot]);
            }
            if (constants[slot] == null || probe == CONSTANT_PROBES - 1) {
                constants[slot] = constant;
                encodedConstants[slot] = constant.getBytes(StandardCharsets.UTF_8);
                return appendOctets(encodedConstants[slot]);
            }
        }
        throw new AssertionError("unreachable");
    }

    public LogLine append(CharSequence text, int start, int end) {
        return append(text.subSequence(start, end).toString());
    }

    /** The value's {@code toString()}. */
    public LogLine append(Object value) {
        return append(String.valueOf(value));
    }

    public LogLine append(boolean value) {
        return append(value ? "true" : "false");
    }

    /** The number in decimal, without making a string of it. */
    public LogLine append(long value) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                return append(Long.toString(value));
            }
            append('-');
            value = -value;
        }
        int digits = Decimal.digits(value);
        room(digits);
        Decimal.write(value, octets, length, digits);
        length += digits;
        return this;
    }

    /** Octets already in the log's encoding: constants made once, and copies of what was written before. */
    public LogLine appendOctets(byte[] encoded) {
        return appendOctets(encoded, 0, encoded.length);
    }

    public LogLine appendOctets(byte[] encoded, int from, int count) {
        room(count);
        System.arraycopy(encoded, from, octets, length, count);
        length += count;
        return this;
    }

    /** A copy of the octets from {@code from} to the end. */
    byte[] copyFrom(int from) {
        return Arrays.copyOfRange(octets, from, length);
    }

    /** Writes what it holds to {@code out} and empties itself. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(octets, 0, length);
        length = 0;
    }

    private void room(int more) {
        if (length + more > octets.length) {
            octets = Arrays.copyOf(octets, Math.max(octets.length * 2, length + more));
        }
    }

    @Override
    public String toString() {
        return new String(octets, 0, length, StandardCharsets.UTF_8);
    }
}
