package dev.chivato.server.log;

import dev.chivato.server.core.OctetBudget;
import dev.chivato.server.core.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The query log, written off the hot path: event loops hand entries to a queue bounded in entries and in octets, and
 * one writer thread formats and writes them. When the queue is full the event loop waits (so the server reads more
 * slowly and no entry is lost) unless the log was opened to drop, in which case it counts what it dropped. A writer
 * that fails, or a log that is being closed, never makes anyone wait: entries are then counted as lost.
 */
public final class QueryLog implements AutoCloseable {
    /** What to do when the writer falls behind. */
    public enum Overflow { BLOCK, DROP }

    /** Thrown by {@link #close} when entries were lost; its message is the line to show. */
    public static final class LostEntriesException extends IOException {
        LostEntriesException(String message) {
            super(message, null);
        }
    }

    static final int QUEUE_ENTRIES = 1 << 16;
    /** The octets unwritten entries may hold (each copies its query, up to 64 KiB over TCP). */
    public static final long QUEUE_OCTETS = 16L << 20;
    /** Octets of lines handed to the output at once, at most (one entry may pass it; see the explain format). */
    public static final int BATCH_OCTETS = 1 << 20;
    /** How long the writer waits when it finds nothing to write; entries reach the file within about this. */
    private static final long WRITER_PAUSE_NANOS = 2_000_000;
    /** How often a waiting event loop looks again whether the writer is still there. */
    private static final long BLOCKED_RETRY_MILLIS = 10;
    private static final LogEntry.Malformed END = new LogEntry.Malformed(0, Transport.UDP, null, new byte[0], -1, "",
            0, false, -1, 0, Optional.empty(), Optional.empty());

    private final boolean enabled;
    private final LogFormat format;
    private final OutputStream out;
    private final Overflow overflow;
    private final BlockingQueue<LogEntry> queue;
    /** The octets of the entries queued or taken by the writer and not yet written. */
    private final OctetBudget heldOctets = new OctetBudget(QUEUE_OCTETS);
    /** Entries dropped because the writer fell behind (drop mode only). */
    private final AtomicLong dropped = new AtomicLong();
    /** Entries lost because the writer failed or the log was closed before it could write them. */
    private final AtomicLong lost = new AtomicLong();
    private final Thread writer;
    /** Where the writer says that it stopped (stderr in the real server). */
    private final Consumer<String> warnings;
    private volatile Throwable failure;
    private volatile boolean closing;
    /** Entries the writer has formatted but not yet written, and their octets (the writer thread's own). */
    private int unwrittenEntries;
    private long unwrittenOctets;

    private QueryLog(boolean enabled, LogFormat format, OutputStream out, Overflow overflow,
            Consumer<String> warnings) {
        this.enabled = enabled;
        this.warnings = warnings;
        this.format = format;
        this.out = out;
        this.overflow = overflow;
        this.queue = enabled ? new ArrayBlockingQueue<>(QUEUE_ENTRIES) : null;
        this.writer = enabled ? new Thread(this::drain, "chivato-query-log") : null;
        if (writer != null) {
            writer.setDaemon(true);
            writer.start();
        }
    }

    /** A log writing to {@code out}, which it flushes after each batch and at the end but does not close. */
    public static QueryLog writingTo(OutputStream out, LogFormat format, Overflow overflow) {
        return writingTo(out, format, overflow, System.err::println);
    }

    /** The same, saying on {@code warnings} when the writer fails. */
    public static QueryLog writingTo(OutputStream out, LogFormat format, Overflow overflow, Consumer<String> warnings) {
        return new QueryLog(true, format, out, overflow, warnings);
    }

    public static QueryLog off() {
        return new QueryLog(false, LogFormat.TEXT, null, Overflow.DROP, line -> { });
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
        long octets = entry.octets();
        // The writer polls on its own clock and never waits on the queue, so offering wakes nobody: a logged
        // query costs no context switch.
        if (offer(entry, octets)) {
            return;
        }
        if (overflow == Overflow.DROP) {
            dropped.incrementAndGet(); // we were told to trade entries for speed
            return;
        }
        // The writer is behind: wait for room, so the server reads more slowly; but never for a dead writer.
        while (failure == null && !closing) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BLOCKED_RETRY_MILLIS));
            if (offer(entry, octets)) {
                return;
            }
        }
        lost.incrementAndGet();
    }

    private boolean offer(LogEntry entry, long octets) {
        if (failure != null || closing) {
            return false;
        }
        if (!heldOctets.tryTake(octets)) {
            return false;
        }
        if (!queue.offer(entry)) {
            heldOctets.give(octets);
            return false;
        }
        return true;
    }


    /** Entries waiting for the writer now. */
    public int queuedEntries() {
        return queue == null ? 0 : queue.size();
    }

    /** Octets the queue and the writer hold now (what the bound counts). */
    public long queuedOctets() {
        return heldOctets.held();
    }

    /** Entries dropped because the queue was full (only with {@link Overflow#DROP}). */
    public long dropped() {
        return dropped.get();
    }

    /** Entries lost because the writer failed or was not done in time at close. */
    public long lost() {
        return lost.get();
    }

    /**
     * The writer thread: takes whatever has queued up, writes it in batches of bounded size, flushes, and pauses
     * briefly when there is nothing, rather than being woken for every entry.
     */
    private void drain() {
        ArrayDeque<LogEntry> batch = new ArrayDeque<>(4096);
        LogLine text = new LogLine(BATCH_OCTETS + (BATCH_OCTETS >> 2));
        try {
            while (true) {
                if (queue.drainTo(batch, 4096) == 0) {
                    out.flush();
                    LockSupport.parkNanos(WRITER_PAUSE_NANOS);
                    continue;
                }
                for (LogEntry entry; (entry = batch.poll()) != null; ) {
                    if (entry == END) {
                        write(text);
                        out.flush();
                        return;
                    }
                    append(text, entry);
                    unwrittenEntries++;
                    unwrittenOctets += entry.octets();
                    if (text.length() >= BATCH_OCTETS) {
                        write(text);
                    }
                }
                write(text);
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            lost.addAndGet(unwrittenEntries + batch.size() + queue.size());
            queue.clear();
            warnings.accept("chivato: the query log stopped: " + Problems.describe(e)
                    + "; entries are now counted as lost");
        }
    }

    /** One entry and its line end; an entry the formatter cannot write becomes a line saying so. */
    private void append(LogLine text, LogEntry entry) {
        int mark = text.length();
        try {
            format.appendTo(text, entry);
        } catch (RuntimeException bug) {
            // One entry the formatter cannot write must not stop the log (or, blocking, the server).
            text.setLength(mark);
            format.appendNote(text, "cannot write an entry: " + bug);
        }
        text.append('\n');
    }

    /**
     * Writes the formatted lines; only then do their entries stop counting against the queue's octets, so what the
     * writer holds is bounded too.
     */
    private void write(LogLine text) throws IOException {
        if (text.length() > 0) {
            text.writeTo(out);
        }
        heldOctets.give(unwrittenOctets);
        unwrittenOctets = 0;
        unwrittenEntries = 0;
    }

    /**
     * Writes everything queued, waiting at most {@code limit} for the writer, then stops it. Entries that could not
     * be written in time, or at all, are counted and reported in the exception.
     *
     * @throws LostEntriesException when entries were lost or dropped; its message is the line to show
     */
    public void close(Duration limit) throws LostEntriesException {
        if (!enabled) {
            return;
        }
        long deadline = System.nanoTime() + limit.toNanos();
        while (failure == null && !queue.offer(END) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(WRITER_PAUSE_NANOS);
        }
        closing = true; // from here on, an event loop still logging never waits
        try {
            writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            // Stuck in a write nobody takes (a pipe nobody reads): what it still holds is lost.
            lost.addAndGet(queue.size());
            queue.clear();
        }
        String problem = failure != null ? " (the log failed: " + Problems.describe(failure) + ")"
                : writer.isAlive() ? " (the log's destination did not take them within " + limit.toSeconds() + " s)"
                : "";
        if (lost.get() > 0 || dropped.get() > 0) {
            throw new LostEntriesException("chivato: query log: " + dropped.get()
                    + " entries dropped because the writer fell behind, " + lost.get() + " lost" + problem);
        }
    }

    /** Closes with the default time limit of five seconds. */
    @Override
    public void close() throws LostEntriesException {
        close(Duration.ofSeconds(5));
    }
}
