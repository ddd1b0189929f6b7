package dev.chivato.server.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Counts how often each value occurs, in bounded memory: exactly while at most {@code capacity} distinct values
 * were seen and they take at most {@code maxOctets}, then by the Space-Saving algorithm (Metwally, Agrawal and El
 * Abbadi, 2005): a new value takes the place of the value with the smallest count (of as many of the smallest as its
 * octets need) and inherits that count as its possible error. Every value whose true count exceeds {@code total /
 * kept} is kept, and each count kept is over the true one by at most its error, never more than {@code total / kept}.
 * Long values (255-octet names) so make the table hold fewer, never more octets.
 */
public final class TopCounter {
    /** A value, how often it was counted, and by how much that may be over the truth (0 when exact). */
    public record Count(String value, long count, long error) {
    }

    private static final class Slot {
        final String value;
        long count;
        final long error;

        Slot(String value, long count, long error) {
            this.value = value;
            this.count = count;
            this.error = error;
        }
    }

    /** A slot's count when it was put in the heap; the heap is brought up to date only when a slot is evicted. */
    private record Snapshot(Slot slot, long count) {
    }

    /** What a kept value costs besides its characters: its slot, map entry, heap entry and string. */
    static final int SLOT_OVERHEAD = 160;

    private final int capacity;
    private final long maxOctets;
    private long octets;
    private final Map<String, Slot> slots = new HashMap<>();
    private final PriorityQueue<Snapshot> smallest = new PriorityQueue<>(Comparator.comparingLong(Snapshot::count));
    private long total;
    private long evictions;

    public TopCounter(int capacity) {
        this(capacity, Long.MAX_VALUE);
    }

    public TopCounter(int capacity, long maxOctets) {
        if (capacity < 1 || maxOctets < 1) {
            throw new IllegalArgumentException("a counter keeps at least one value");
        }
        this.capacity = capacity;
        this.maxOctets = maxOctets;
    }

    private static long octetsOf(String value) {
        return SLOT_OVERHEAD + 2L * value.length();
    }

    public void add(String value) {
        total++;
        Slot slot = slots.get(value);
        if (slot != null) {
            slot.count++;
            return;
        }
        long needed = octetsOf(value);
        if (slots.size() < capacity && octets + needed <= maxOctets) {
            slot = new Slot(value, 1, 0);
        } else {
            long inherited = 0;
            do {
                inherited = evictSmallest().count;
                evictions++;
            } while (!slots.isEmpty() && octets + needed > maxOctets);
            slot = new Slot(value, inherited + 1, inherited);
        }
        slots.put(value, slot);
        octets += needed;
        smallest.add(new Snapshot(slot, slot.count));
    }

    /** Removes the slot with the smallest count, refreshing stale heap entries on the way (each at most once). */
    private Slot evictSmallest() {
        while (true) {
            Snapshot least = smallest.poll();
            if (least.count == least.slot.count) {
                slots.remove(least.slot.value);
                octets -= octetsOf(least.slot.value);
                return least.slot;
            }
            smallest.add(new Snapshot(least.slot, least.slot.count));
        }
    }

    /** Every occurrence counted. */
    public long total() {
        return total;
    }

    /** Whether the counts are exact: no value was ever evicted to make room. */
    public boolean exact() {
        return evictions == 0;
    }

    /** Distinct values kept now (all that were seen, while exact). */
    public int kept() {
        return slots.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Octets the kept values take, as counted against {@code maxOctets}. */
    public long octets() {
        return octets;
    }

    /** The {@code n} largest counts, largest first; ties in the value's order, so output is repeatable. */
    public List<Count> top(int n) {
        List<Count> all = new ArrayList<>(slots.size());
        for (Slot slot : slots.values()) {
            all.add(new Count(slot.value, slot.count, slot.error));
        }
        all.sort(Comparator.comparingLong(Count::count).reversed().thenComparing(Count::value));
        return all.subList(0, Math.min(n, all.size()));
    }

    /** The count of one value: exact, or over by at most its error; 0 when it is not kept. */
    public Count countOf(String value) {
        Slot slot = slots.get(value);
        return slot == null ? new Count(value, 0, 0) : new Count(value, slot.count, slot.error);
    }
}
