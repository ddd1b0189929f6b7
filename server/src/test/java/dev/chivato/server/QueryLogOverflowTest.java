package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.EdnsOption;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.QueryLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the log does when its writer falls behind (wait, or drop and count), fails, or cannot finish: it never makes
 * the server wait for a writer that is gone, and it says what it lost.
 */
class QueryLogOverflowTest {
    private static final byte[] QUERY = Message.query(1, true, Question.of("example.com", RRType.A),
            Optional.empty()).toWire();

    private static LogEntry entry(byte[] query) {
        return new LogEntry.Query(0, Transport.UDP, new InetSocketAddress("127.0.0.1", 5300), query, 0, 2,
                AnswerSource.RECORDS, false, 72, 1, Optional.empty(), Optional.empty());
    }

    private static LogEntry entry() {
        return entry(QUERY);
    }

    /** An output that holds every write until released, so the queue behind it fills. */
    private static final class StalledOutput extends OutputStream {
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.write(bytes, offset, length);
        }
    }

    /** An output that fails every write, as /dev/full does. */
    private static final class FullDisk extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("No space left on device");
        }
    }

    @Test
    void dropModeCountsWhatItDroppedAndReportsItOnClose() throws Exception {
        StalledOutput out = new StalledOutput();
        QueryLog log = QueryLog.writingTo(out, LogFormat.JSON, QueryLog.Overflow.DROP);
        for (int i = 0; i < 200_000; i++) {
            log.log(entry());
        }
        long dropped = log.dropped();
        assertTrue(dropped > 0, "entries were dropped while the writer was stalled");
        out.release.countDown();
        QueryLog.LostEntriesException report = assertThrows(QueryLog.LostEntriesException.class, log::close);
        assertTrue(report.getMessage().contains(dropped + " entries dropped"), report.getMessage());
        String text = out.written.toString(StandardCharsets.UTF_8);
        assertEquals(200_000 - dropped, text.lines().count(), "every entry not dropped was written");
        assertTrue(text.lines().allMatch(l -> l.startsWith("{\"ts\"")), "nothing but entries in a JSON log");
    }

    @Test
    void blockModeMakesTheCallerWaitAndLosesNothing() throws Exception {
        StalledOutput out = new StalledOutput();
        QueryLog log = QueryLog.writingTo(out, LogFormat.JSON, QueryLog.Overflow.BLOCK);
        AtomicInteger logged = new AtomicInteger();
        Thread loop = new Thread(() -> {
            for (int i = 0; i < 200_000; i++) {
                log.log(entry());
                logged.incrementAndGet();
            }
        });
        loop.start();
        Wait.until(Duration.ofSeconds(10), () -> loop.getState() == Thread.State.TIMED_WAITING,
                "log() waiting for room");
        assertTrue(loop.isAlive() && logged.get() < 200_000, "log() waited while the writer was stalled");
        out.release.countDown();
        loop.join(30_000);
        log.close();
        assertEquals(0, log.dropped());
        assertEquals(200_000, out.written.toString(StandardCharsets.UTF_8).lines().count());
    }

    @Test
    void aFailedWriterNeverMakesTheCallerWaitAndCloseSaysWhy() throws Exception {
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        QueryLog log = QueryLog.writingTo(new FullDisk(), LogFormat.TEXT, QueryLog.Overflow.BLOCK, warnings::add);
        long start = System.nanoTime();
        for (int i = 0; i < 200_000; i++) {
            log.log(entry());
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
        QueryLog.LostEntriesException report = assertThrows(QueryLog.LostEntriesException.class, log::close);
        assertTrue(report.getMessage().contains("No space left on device"), report.getMessage());
        assertTrue(log.lost() > 0);
        assertEquals(List.of("chivato: the query log stopped: No space left on device; entries are now counted as "
                + "lost"), warnings);
    }

    @Test
    void closeFinishesInTimeWhenTheDestinationNeverTakesAnything() throws Exception {
        StalledOutput out = new StalledOutput(); // never released: a pipe nobody reads
        QueryLog log = QueryLog.writingTo(out, LogFormat.TEXT, QueryLog.Overflow.BLOCK);
        Thread loop = new Thread(() -> {
            for (int i = 0; i < 200_000; i++) {
                log.log(entry());
            }
        });
        loop.start();
        Wait.until(Duration.ofSeconds(10), () -> loop.getState() == Thread.State.TIMED_WAITING,
                "the queue full and log() waiting");
        long start = System.nanoTime();
        QueryLog.LostEntriesException report = assertThrows(QueryLog.LostEntriesException.class,
                () -> log.close(Duration.ofMillis(500)));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), "close kept its time limit");
        assertTrue(report.getMessage().contains("did not take them"), report.getMessage());
        loop.join(5000);
        assertFalse(loop.isAlive(), "a caller waiting to log was let go");
        assertTrue(log.lost() > 0);
    }

    @Test
    void theQueueIsBoundedInOctetsNotOnlyEntries() throws Exception {
        StalledOutput out = new StalledOutput();
        QueryLog log = QueryLog.writingTo(out, LogFormat.TEXT, QueryLog.Overflow.DROP);
        byte[] large = Message.query(1, true, Question.of("example.com", RRType.A), Optional.of(new Edns(1232, 0,
                0, false, 0, List.of(new EdnsOption(EdnsOption.PADDING, new byte[0xffff - 44]))))).toWire();
        assertEquals(0xffff, large.length, "the largest query there can be");
        for (int i = 0; i < 2_000; i++) {
            log.log(entry(large));
        }
        long held = 2_000 - log.dropped();
        assertTrue(held * (128 + large.length) <= QueryLog.QUEUE_OCTETS,
                held + " entries of 64 KiB were held, more than " + QueryLog.QUEUE_OCTETS + " octets");
        out.release.countDown();
        assertThrows(QueryLog.LostEntriesException.class, log::close);
    }

    @Test
    void theWriterHandsTheOutputBatchesOfBoundedSize() throws Exception {
        AtomicInteger largest = new AtomicInteger();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                largest.accumulateAndGet(1, Math::max);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                largest.accumulateAndGet(length, Math::max);
            }
        };
        QueryLog log = QueryLog.writingTo(out, LogFormat.EXPLAIN, QueryLog.Overflow.BLOCK);
        byte[] emptyRecords = LogFormatTest.queryWithEmptyRecords(5_900);
        for (int i = 0; i < 30; i++) {
            log.log(entry(emptyRecords));
        }
        log.close();
        assertTrue(largest.get() <= QueryLog.BATCH_OCTETS + 3 * LogFormat.MAX_EXPLAINED_CHARS,
                "a write of " + largest.get() + " octets");
    }
}
