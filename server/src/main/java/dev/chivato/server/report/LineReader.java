package dev.chivato.server.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads lines of any length in bounded memory: a line longer than {@link #MAX_LINE} octets is read past, not held,
 * and returned without its text; the last line says whether it ended with a line end (a log being written, or cut
 * short, ends without one).
 */
final class LineReader {
    /** The longest line kept; a query log line is a few hundred octets. */
    static final int MAX_LINE = 1 << 20;

    /** One line: its number from 1, its text (null when too long), and whether a line end closed it. */
    record Line(long number, String text, boolean terminated) {
        boolean tooLong() {
            return text == null;
        }
    }

    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[256];
    private long number;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** The next line, or null at the end of the input. */
    Line next() throws IOException {
        int length = 0;
        boolean tooLong = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (length == 0 && !tooLong) {
                        return null;
                    }
                    return new Line(++number, tooLong ? null : text(length), false);
                }
            }
            int end = position;
            while (end < limit && buffer[end] != '\n') {
                end++;
            }
            int chunk = end - position;
            if (!tooLong && length + chunk > MAX_LINE) {
                tooLong = true;
            }
            if (!tooLong) {
                if (length + chunk > line.length) {
                    line = Arrays.copyOf(line, Math.max(length + chunk, line.length * 2));
                }
                System.arraycopy(buffer, position, line, length, chunk);
                length += chunk;
            }
            position = end;
            if (end < limit) {
                position++; // the line end
                return new Line(++number, tooLong ? null : text(length), true);
            }
        }
    }

    private String text(int length) {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        return new String(line, 0, end, StandardCharsets.UTF_8);
    }
}
