package dev.chivato.server.dnstap;

import dev.chivato.server.dnstap.ExchangeTap;
import dev.chivato.server.dnstap.DnstapEncoder;
import dev.chivato.server.dnstap.FrameEncoder;
import dev.chivato.server.dnstap.UnixFrameOutput;
import dev.chivato.server.dnstap.FileFrameOutput;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.dnstap.FrameOutput;
import dev.chivato.server.dnstap.WallClock;
import dev.chivato.server.core.OctetBudget;
import dev.chivato.server.log.Problems;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Where tapped exchanges go, written off the event loops like the query log but never making them wait: dnstap
 * frames ({@link DnstapEncoder}, to a file or a collector) or the packets of our own capture ({@code PcapEncoder}).
 * A loop offers an event to a queue bounded in events and in octets, and when the queue is full (the collector is
 * slow or away) the event's frames are dropped and counted. One writer thread encodes the events and writes them in
 * batches; a batch a collector failed to take is sent again once it is back.
 */
public final class TapSink implements ExchangeTap, AutoCloseable {
    static final int QUEUE_EVENTS = 1 << 16;
    /** The octets queued events may hold (each copies its messages, up to 64 KiB each over TCP). */
    public static final long QUEUE_OCTETS = 16L << 20;
    /** Encoded frames handed to the output at once, about. */
    static final int BATCH_OCTETS = 256 << 10;
    private static final long WRITER_PAUSE_NANOS = 2_000_000;
    private static final long AWAY_PAUSE_NANOS = 20_000_000;

    private final FrameOutput output;
    private final FrameEncoder encoder;
    private final BlockingQueue<DnstapEvent> queue;
    /** The octets of the events queued or taken by the writer and not yet written. */
    private final OctetBudget heldOctets = new OctetBudget(QUEUE_OCTETS);
    private final AtomicLong droppedFrames = new AtomicLong();
    private final AtomicLong lostFrames = new AtomicLong();
    private final AtomicLong writtenFrames = new AtomicLong();
    private final Thread writer;
    private final Consumer<String> warnings;
    private volatile boolean closing;
    /** The writer has ended (its output failed, or the sink was closed): what comes now is lost at once. */
    private volatile boolean stopped;

    private TapSink(FrameOutput output, FrameEncoder encoder, Consumer<String> warnings) {
        this.output = output;
        this.encoder = encoder;
        this.warnings = warnings;
        this.queue = output == null ? null : new ArrayBlockingQueue<>(QUEUE_EVENTS);
        this.writer = output == null ? null : new Thread(this::drain, "chivato-dnstap");
        if (writer != null) {
            writer.setDaemon(true);
            writer.start();
        }
    }

    public static TapSink off() {
        return new TapSink(null, null, line -> { });
    }

    /**
     * Opens {@code unix:PATH} (a collector's socket, connected in the background and again whenever it goes away)
     * or {@code file:PATH} (created now, so a path that cannot be written fails here).
     *
     * @throws IllegalArgumentException when {@code target} is neither form; its message is the reason
     * @throws IOException when the file cannot be created
     */
    public static TapSink open(String target, String identity, String version, Consumer<String> warnings)
            throws IOException {
        FrameOutput output;
        if (target.startsWith("unix:") && target.length() > 5) {
            output = new UnixFrameOutput(Path.of(target.substring(5)), warnings);
        } else if (target.startsWith("file:") && target.length() > 5) {
            output = FileFrameOutput.create(Path.of(target.substring(5)), warnings);
        } else {
            throw new IllegalArgumentException("expected unix:PATH (a collector's socket) or file:PATH");
        }
        return new TapSink(output, new DnstapEncoder(identity, version, WallClock::epochNanos), warnings);
    }

    /**
     * A pcap file of every exchange ({@code --capture}): {@code encoder} makes the packets, the file takes at most
     * {@code maxOctets}, then what follows is counted as lost (the file stays a whole capture).
     */
    public static TapSink capture(Path file, byte[] fileHeader, FrameEncoder encoder, long maxOctets,
            Consumer<String> warnings) throws IOException {
        return new TapSink(FileFrameOutput.create(file, fileHeader, null, maxOctets, warnings), encoder, warnings);
    }

    /** Whether events are wanted; callers skip building them when not. */
    @Override
    public boolean enabled() {
        return output != null;
    }

    /** Queues the event, or drops and counts its frames when the queue is full. Never waits. */
    @Override
    public void offer(DnstapEvent event) {
        if (stopped) {
            lostFrames.addAndGet(event.frames());
            return;
        }
        long octets = event.octets();
        if (closing || !heldOctets.tryTake(octets)) {
            droppedFrames.addAndGet(event.frames());
            return;
        }
        if (!queue.offer(event)) {
            heldOctets.give(octets);
            droppedFrames.addAndGet(event.frames());
        }
    }

    public int queuedEvents() {
        return queue == null ? 0 : queue.size();
    }

    /** Octets the queue and the writer hold now (what the bound counts). */
    public long queuedOctets() {
        return heldOctets.held();
    }

    /** Frames dropped because the queue was full. */
    public long droppedFrames() {
        return droppedFrames.get();
    }

    /** Frames lost after they were queued: the file failed, or the collector was away when the server stopped. */
    public long lostFrames() {
        return lostFrames.get();
    }

    public long writtenFrames() {
        return writtenFrames.get();
    }

    /** A byte stream whose contents can be written without a copy. */
    private static final class Frames extends ByteArrayOutputStream {
        Frames(int size) {
            super(size);
        }

        ByteBuffer view() {
            return ByteBuffer.wrap(buf, 0, count);
        }

        /** Forgets what was written after {@code mark}. */
        void cutTo(int mark) {
            count = mark;
        }
    }

    /** The writer thread: batches events into frames and writes them, waiting out a collector's absence. */
    private void drain() {
        Frames frames = new Frames(BATCH_OCTETS + (BATCH_OCTETS >> 1));
        ArrayDeque<DnstapEvent> taken = new ArrayDeque<>(256);
        int batchFrames = 0;
        long batchOctets = 0;
        try {
            while (true) {
                if (frames.size() == 0) {
                    // taken in bulk: one lock for many events, where a poll each would contend with the event loops
                    while (frames.size() < BATCH_OCTETS && (!taken.isEmpty() || queue.drainTo(taken, 256) > 0)) {
                        DnstapEvent event = taken.poll();
                        batchOctets += event.octets();
                        batchFrames += encode(event, frames);
                    }
                    if (frames.size() == 0) {
                        release(batchOctets);
                        batchOctets = 0;
                        if (closing) {
                            break;
                        }
                        LockSupport.parkNanos(WRITER_PAUSE_NANOS);
                        continue;
                    }
                }
                long now = System.nanoTime();
                if (!output.ready(now, closing)) {
                    if (closing) {
                        break; // the collector is away at the end: what is held is lost, and counted below
                    }
                    LockSupport.parkNanos(AWAY_PAUSE_NANOS);
                    continue;
                }
                try {
                    output.write(frames.view());
                    writtenFrames.addAndGet(batchFrames);
                    frames.reset();
                    batchFrames = 0;
                    release(batchOctets);
                    batchOctets = 0;
                } catch (IOException e) {
                    if (!output.failed(e, now)) {
                        break; // a file that failed: nothing more is written
                    }
                }
            }
        } catch (RuntimeException | Error bug) {
            // a bug must not end the writer in silence: said once, and what follows is counted as lost
            warnings.accept("chivato: " + output.describe() + ": the writer stopped: " + Problems.describe(bug)
                    + "; what follows is counted as lost");
        }
        stopped = true;
        lostFrames.addAndGet(batchFrames + framesOf(taken) + framesOf(queue));
        release(batchOctets);
        output.finish(TimeUnit.SECONDS.toNanos(2));
    }

    /** Encodes the event's frames; an event that cannot be encoded (a bug) is counted as lost, not fatal. */
    private int encode(DnstapEvent event, Frames frames) {
        int mark = frames.size();
        try {
            return encoder.write(event, frames);
        } catch (IOException | RuntimeException bug) {
            // (a byte array stream throws no IOException; a RuntimeException is a bug in the encoder)
            frames.cutTo(mark);
            warnings.accept("chivato: dnstap: cannot encode an event: " + Problems.describe(bug));
            lostFrames.addAndGet(event.frames());
            return 0;
        }
    }

    private void release(long octets) {
        if (octets != 0) {
            heldOctets.give(octets);
        }
    }

    /** Empties the queue, returning how many frames its events held. */
    private long framesOf(java.util.Queue<DnstapEvent> events) {
        long frames = 0;
        for (DnstapEvent event; (event = events.poll()) != null; ) {
            frames += event.frames();
            release(event.octets());
        }
        return frames;
    }

    /**
     * Writes what is queued, waiting at most {@code limit} for the writer (and the collector's FINISH), then stops.
     *
     * @return a line for the operator when frames were dropped or lost, else null
     */
    public String close(Duration limit) {
        if (output == null) {
            return null;
        }
        closing = true;
        try {
            writer.join(Math.max(1, limit.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // what is still queued (the writer stopped reading, or stopped) is lost
        lostFrames.addAndGet(framesOf(queue));
        if (droppedFrames.get() == 0 && lostFrames.get() == 0) {
            return null;
        }
        return "chivato: dnstap (" + output.describe() + "): " + droppedFrames.get()
                + " frames dropped because the queue was full, " + lostFrames.get() + " lost";
    }

    @Override
    public void close() {
        String problem = close(Duration.ofSeconds(5));
        if (problem != null) {
            warnings.accept(problem);
        }
    }
}
