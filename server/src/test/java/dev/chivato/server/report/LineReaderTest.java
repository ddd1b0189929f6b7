package dev.chivato.server.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineReaderTest {
    private static LineReader reader(String text) {
        return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void linesAreNumberedAndTheirEndsTakenOff() throws IOException {
        LineReader reader = reader("one\r\ntwo\nthree");
        assertEquals(new LineReader.Line(1, "one", true), reader.next());
        assertEquals(new LineReader.Line(2, "two", true), reader.next());
        assertEquals(new LineReader.Line(3, "three", false), reader.next(), "the last has no line end");
        assertNull(reader.next());
    }

    @Test
    void aLineLongerThanTheLimitIsReadPastWithoutBeingHeld() throws IOException {
        // 5 MiB of one line, from a stream that never holds it: the reader must not either
        InputStream huge = new InputStream() {
            long left = 5L << 20;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : left == -1 ? '\n' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = 0;
                for (int c; n < len && (c = read()) >= 0; n++) {
                    b[off + n] = (byte) c;
                }
                return n == 0 ? -1 : n;
            }
        };
        LineReader reader = new LineReader(new java.io.SequenceInputStream(huge,
                new ByteArrayInputStream("after\n".getBytes(StandardCharsets.US_ASCII))));
        LineReader.Line line = reader.next();
        assertTrue(line.tooLong() && line.terminated());
        assertEquals(new LineReader.Line(2, "after", true), reader.next());
    }
}
