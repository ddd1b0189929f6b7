package dev.chivato.embed;

import dev.chivato.server.network.ExchangeWitness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The queries the embedded server answered, told by the one completion of every exchange (engine, caches, forwarder,
 * errors, faults; zone transfers are streams and are not told). Bounded: past {@code limit} the oldest is dropped and
 * counted. Two views over the same queries: every query so far ({@link #all}), and those not yet taken
 * ({@link #take}), in the order they were answered.
 */
final class QueryRecorder implements ExchangeWitness {
    private final int limit;
    private final ArrayDeque<RecordedQuery> all = new ArrayDeque<>();
    private final ArrayDeque<RecordedQuery> untaken = new ArrayDeque<>();
    private long dropped;

    QueryRecorder(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the recorder keeps 1 query or more, not " + limit);
        }
        this.limit = limit;
    }

    @Override
    public void answered(Seen exchange) {
        RecordedQuery recorded = new RecordedQuery(Instant.ofEpochMilli(exchange.timeMillis()), exchange.transport(),
                exchange.client(), exchange.query(), exchange.answer());
        synchronized (this) {
            all.addLast(recorded);
            if (all.size() > limit) {
                all.removeFirst();
                dropped++;
            }
            untaken.addLast(recorded);
            if (untaken.size() > limit) {
                untaken.removeFirst();
            }
            notifyAll();
        }
    }

    /** The oldest query not yet taken, waiting up to {@code wait} for one; null when none came. */
    synchronized RecordedQuery take(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (untaken.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
        return untaken.removeFirst();
    }

    synchronized List<RecordedQuery> all() {
        return List.copyOf(all);
    }

    synchronized void clear() {
        all.clear();
        untaken.clear();
    }

    /** Queries dropped for the bound since start. */
    synchronized long dropped() {
        return dropped;
    }
}
