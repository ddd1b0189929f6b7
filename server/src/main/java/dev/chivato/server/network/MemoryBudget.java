package dev.chivato.server.network;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The octets all TCP connections of the server hold at once (input buffers and unsent answers), shared by the event
 * loops. Each connection charges what it holds; a loop that finds the total over the limit closes its connections
 * that hold the most, so many slow clients together cannot exhaust the heap.
 */
final class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    MemoryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("a memory budget must be positive");
        }
        this.limit = limit;
    }

    void add(long octets) {
        used.addAndGet(octets);
    }

    boolean exceeded() {
        return used.get() > limit;
    }

    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }
}
