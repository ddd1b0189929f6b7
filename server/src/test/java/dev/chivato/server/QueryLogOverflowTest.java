package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** What the log does when its writer falls behind: wait (the default) or drop and say how many. */
class QueryLogOverflowTest {
    private static final byte[] QUERY = dev.chivato.protocol.Message.query(1, true,
            dev.chivato.protocol.Question.of("example.com", dev.chivato.protocol.RRType.A), Optional.empty())
            .toWire();

    private static LogEntry entry() {
        return new LogEntry.Query(0, Transport.UDP, new InetSocketAddress("127.0.0.1", 5300), QUERY, 0, 2,
                AnswerSource.RECORDS, false, 72, 1, Optional.empty());
    }

    /** An output that holds its first write until released, so the queue behind it fills. */
    private static final class StalledOutput extends OutputStream {
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.write(bytes, offset, length);
        }
    }

    @Test
    void dropModeCountsWhatItDroppedAndSaysSoAtTheEnd() throws Exception {
        StalledOutput out = new StalledOutput();
        QueryLog log = QueryLog.writingTo(out, LogFormat.JSON, QueryLog.Overflow.DROP);
        for (int i = 0; i < 200_000; i++) {
            log.log(entry());
        }
        assertTrue(log.dropped() > 0, "entries were dropped while the writer was stalled");
        long dropped = log.dropped();
        out.release.countDown();
        log.close();
        String text = out.written.toString(StandardCharsets.UTF_8);
        long lines = text.lines().filter(l -> l.startsWith("{")).count();
        assertEquals(200_000 - dropped, lines, "every entry not dropped was written");
        assertTrue(text.contains("# query log: " + dropped + " entries dropped"), text.lines().reduce("", (a, b) -> b));
    }

    @Test
    void blockModeLosesNothing() throws Exception {
        StalledOutput out = new StalledOutput();
        QueryLog log = QueryLog.writingTo(out, LogFormat.JSON, QueryLog.Overflow.BLOCK);
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.release.countDown();
        });
        releaser.start();
        for (int i = 0; i < 200_000; i++) {
            log.log(entry()); // waits while the queue is full, until the writer is released
        }
        log.close();
        assertEquals(0, log.dropped());
        assertEquals(200_000, out.written.toString(StandardCharsets.UTF_8).lines().count());
    }
}
