package dev.chivato.server.report;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Messages per minute, in at most {@link #MAX_BUCKETS} buckets: when a log spans more minutes than that, the
 * buckets double in width (two minutes, four, ...) and are merged, so a log of years stays small.
 */
final class MinuteCounts {
    static final int MAX_BUCKETS = 10_000;
    private final TreeMap<Long, Long> counts = new TreeMap<>();
    private long widthMinutes = 1;

    void add(Instant time) {
        long minute = Math.floorDiv(time.getEpochSecond(), 60);
        counts.merge(minute - Math.floorMod(minute, widthMinutes), 1L, Long::sum);
        if (counts.size() > MAX_BUCKETS) {
            widen();
        }
    }

    private void widen() {
        widthMinutes *= 2;
        TreeMap<Long, Long> merged = new TreeMap<>();
        for (Map.Entry<Long, Long> bucket : counts.entrySet()) {
            long start = bucket.getKey() - Math.floorMod(bucket.getKey(), widthMinutes);
            merged.merge(start, bucket.getValue(), Long::sum);
        }
        counts.clear();
        counts.putAll(merged);
    }

    /** The width of the buckets kept, in minutes. */
    long widthMinutes() {
        return widthMinutes;
    }

    /** Bucket start (minutes since the epoch) to count, in time order; empty buckets are absent. */
    TreeMap<Long, Long> buckets() {
        return counts;
    }
}
