package dev.chivato.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The query log, written off the hot path: event loops hand entries to a bounded queue and one writer thread formats
 * and writes them. When the queue is full the event loop waits (so the server reads more slowly and no entry is lost)
 * unless the log was opened to drop, in which case it counts what it dropped.
 */
public final class QueryLog implements AutoCloseable {
    /** What to do when the writer falls behind. */
    public enum Overflow { BLOCK, DROP }

    private static final int QUEUE_CAPACITY = 1 << 16;
    /** How long the writer waits when it finds nothing to write; entries reach the file within about this. */
    private static final long WRITER_PAUSE_NANOS = 2_000_000;
    private static final LogEntry.Malformed END = new LogEntry.Malformed(0, Transport.UDP, null, new byte[0], -1, "",
            0, -1, 0, Optional.empty());

    private final boolean enabled;
    private final LogFormat format;
    private final OutputStream out;
    private final Overflow overflow;
    private final BlockingQueue<LogEntry> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile IOException failure;

    private QueryLog(boolean enabled, LogFormat format, OutputStream out, Overflow overflow) {
        this.enabled = enabled;
        this.format = format;
        this.out = out;
        this.overflow = overflow;
        this.queue = enabled ? new ArrayBlockingQueue<>(QUEUE_CAPACITY) : null;
        this.writer = enabled ? new Thread(this::drain, "chivato-query-log") : null;
        if (writer != null) {
            writer.setDaemon(true);
            writer.start();
        }
    }

    /** A log writing to {@code out}, which it flushes after each batch and at the end but does not close. */
    public static QueryLog writingTo(OutputStream out, LogFormat format, Overflow overflow) {
        return new QueryLog(true, format, out, overflow);
    }

    public static QueryLog off() {
        return new QueryLog(false, LogFormat.TEXT, null, Overflow.DROP);
    }

    /** Whether entries are wanted at all; callers skip building them when not. */
    public boolean enabled() {
        return enabled;
    }

    /** Whether entries should carry the message bytes (only the explain format prints them). */
    public boolean wantsWire() {
        return enabled && format == LogFormat.EXPLAIN;
    }

    public void log(LogEntry entry) {
        if (!enabled) {
            return;
        }
        // The writer polls on its own clock and never waits on the queue, so offering wakes nobody: a logged
        // query costs no context switch.
        if (queue.offer(entry)) {
            return;
        }
        if (failure != null || overflow == Overflow.DROP) {
            dropped.incrementAndGet(); // the writer is gone, or we were told to trade entries for speed
            return;
        }
        try {
            queue.put(entry); // the writer is behind: wait for room, so the server reads more slowly
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dropped.incrementAndGet();
        }
    }

    /** Entries dropped because the queue was full (only with {@link Overflow#DROP}). */
    public long dropped() {
        return dropped.get();
    }

    /**
     * The writer thread: takes whatever has queued up, writes it, flushes, and pauses briefly when there is nothing,
     * rather than being woken for every entry.
     */
    private void drain() {
        List<LogEntry> batch = new ArrayList<>(4096);
        StringBuilder text = new StringBuilder(1 << 20);
        try {
            while (true) {
                if (queue.drainTo(batch, 4096) == 0) {
                    out.flush();
                    LockSupport.parkNanos(WRITER_PAUSE_NANOS);
                    continue;
                }
                // One batch of lines in one builder, handed to the writer at once: no string per entry.
                for (LogEntry entry : batch) {
                    if (entry == END) {
                        write(text);
                        out.flush();
                        return;
                    }
                    int mark = text.length();
                    try {
                        format.appendTo(text, entry);
                    } catch (RuntimeException bug) {
                        // One entry the formatter cannot write must not stop the log (or, blocking, the server).
                        text.setLength(mark);
                        text.append("# query log: cannot write an entry: ").append(bug);
                    }
                    text.append('\n');
                }
                write(text);
                text.setLength(0);
                batch.clear();
            }
        } catch (IOException e) {
            failure = e;
            System.err.println("chivato: query log stopped: " + e.getMessage());
            queue.clear();
        }
    }

    /** The lines are ASCII (names and strings are escaped), so this is a plain copy into bytes. */
    private void write(StringBuilder text) throws IOException {
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes everything queued, then stops the writer. */
    @Override
    public void close() throws IOException {
        if (!enabled) {
            return;
        }
        if (failure == null) {
            while (!queue.offer(END) && failure == null) {
                LockSupport.parkNanos(WRITER_PAUSE_NANOS);
            }
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (dropped.get() > 0) {
            out.write(("# query log: " + dropped.get() + " entries dropped because the writer fell behind\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        if (failure != null) {
            throw failure;
        }
    }
}
