package dev.chivato.server.dnstap;

import java.time.Instant;

/**
 * Dates for {@link System#nanoTime} readings, so that the event loops read only the monotonic clock they read
 * anyway: the difference between the two clocks is measured again once a second, which follows the system clock's
 * corrections within that second.
 */
public final class WallClock {
    private static final long REMEASURE_NANOS = 1_000_000_000L;
    private static long offsetNanos;
    private static long measuredAt;
    private static boolean measured;

    private WallClock() {
    }

    /** Nanoseconds since the epoch at the moment {@code System.nanoTime()} read {@code nanoTime}. */
    public static synchronized long epochNanos(long nanoTime) {
        long now = System.nanoTime();
        if (!measured || now - measuredAt > REMEASURE_NANOS) {
            Instant wall = Instant.now();
            offsetNanos = wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - System.nanoTime();
            measuredAt = now;
            measured = true;
        }
        return nanoTime + offsetNanos;
    }
}
