package dev.chivato.server.log;

/**
 * The wall-clock time of a log entry, worked out from the monotonic clock reading its caller already took for the
 * entry's duration: a logged query then reads the clock twice, not three times. The wall clock is read again once a
 * second, so an entry is never more than a second behind a change to it.
 */
public final class LogClock {
    private static final long RESYNC_NANOS = 1_000_000_000L;

    private record Base(long nanos, long millis) {
    }

    private static volatile Base base = new Base(System.nanoTime(), System.currentTimeMillis());

    private LogClock() {
    }

    /** Milliseconds since the epoch at {@code nanos}, a {@link System#nanoTime()} reading taken just now. */
    public static long millisAt(long nanos) {
        Base last = base;
        long since = nanos - last.nanos();
        if (since < 0 || since >= RESYNC_NANOS) {
            last = new Base(nanos, System.currentTimeMillis());
            base = last;
            return last.millis();
        }
        return last.millis() + since / 1_000_000;
    }
}
