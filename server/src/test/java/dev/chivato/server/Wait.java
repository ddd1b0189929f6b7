package dev.chivato.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting on a condition, never for a fixed time: tests look again every few milliseconds until it holds. */
public final class Wait {
    private static final long POLL_MILLIS = 5;

    private Wait() {
    }

    /** Returns as soon as {@code condition} holds; fails with {@code what} if it does not within {@code limit}. */
    public static void until(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("waited " + limit.toMillis() + " ms for: " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Whether {@code condition} came to hold within {@code limit}. */
    public static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }
}
