package dev.chivato.server.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Octets that many threads take from and give back to, never more than the limit in all: taking is one atomic step
 * (compare and set), so two threads that each see room cannot together pass the limit.
 */
public final class OctetBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    public OctetBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("a budget must be positive");
        }
        this.limit = limit;
    }

    /** Takes {@code octets} if they fit under the limit with what is held; false (and nothing taken) if not. */
    public boolean tryTake(long octets) {
        while (true) {
            long now = held.get();
            if (now + octets > limit) {
                return false;
            }
            if (held.compareAndSet(now, now + octets)) {
                return true;
            }
        }
    }

    public void give(long octets) {
        held.addAndGet(-octets);
    }

    public long held() {
        return held.get();
    }

    public long limit() {
        return limit;
    }
}
