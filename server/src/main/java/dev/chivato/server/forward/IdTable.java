package dev.chivato.server.forward;

import java.util.ArrayList;
import java.util.List;

/**
 * What waits on one upstream socket or connection, by the 16-bit ID its query went with: an open-addressed table of
 * int keys (linear probing, deletion by shifting back), so that a query's put, its answer's get and its release
 * box no {@link Integer} and walk no chain. One query's life in it (free ID, put, get, remove, four others in flight)
 * takes 28 ns where the {@code HashMap<Integer, T>} it replaced took 44 (WaitingTableBenchmark, 2026-12-07): small
 * beside the 21 us of CPU a forwarded miss costs, but no garbage per query.
 *
 * <p>Bounded by the IDs there are: at most 65,536 entries, in at most 2<sup>17</sup> slots (the table doubles
 * when half full). Used by the owning event loop's thread only.
 *
 * @param <T> what waits under an ID; never null
 */
final class IdTable<T> {
    private static final int FIRST_CAPACITY = 8;
    private static final int EMPTY = -1;

    private int[] ids = emptyIds(FIRST_CAPACITY);
    private Object[] values = new Object[FIRST_CAPACITY];
    private int size;

    private static int[] emptyIds(int capacity) {
        int[] ids = new int[capacity];
        java.util.Arrays.fill(ids, EMPTY);
        return ids;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean containsId(int id) {
        return ids[slotOf(id)] == id;
    }

    /** What waits under {@code id}, or null. */
    @SuppressWarnings("unchecked")
    T get(int id) {
        int slot = slotOf(id);
        return ids[slot] == id ? (T) values[slot] : null;
    }

    /** {@code waiter} waits under {@code id} from now on, in place of whatever waited under it before. */
    void put(int id, T waiter) {
        if (id < 0 || id > 0xffff || waiter == null) {
            throw new IllegalArgumentException("an ID is 16 bits and something waits under it: " + id);
        }
        int slot = slotOf(id);
        if (ids[slot] != id) {
            if (2 * (size + 1) > ids.length) {
                grow();
                slot = slotOf(id);
            }
            ids[slot] = id;
            size++;
        }
        values[slot] = waiter;
    }

    /** Removes {@code id} if {@code waiter} is what waits under it; says whether it was. */
    boolean remove(int id, T waiter) {
        int slot = slotOf(id);
        if (ids[slot] != id || values[slot] != waiter) {
            return false;
        }
        shiftBackInto(slot);
        size--;
        return true;
    }

    /** Everything waiting, in no particular order: a copy, so the caller may remove as it goes. */
    @SuppressWarnings("unchecked")
    List<T> values() {
        List<T> all = new ArrayList<>(size);
        for (int slot = 0; slot < ids.length; slot++) {
            if (ids[slot] != EMPTY) {
                all.add((T) values[slot]);
            }
        }
        return all;
    }

    /**
     * The slot holding {@code id}, or the empty slot where it would go: the probe starts at a hash of the ID (IDs
     * are drawn at random, but a mix keeps a run of near IDs from sharing a probe) and stops at the first empty slot.
     */
    private int slotOf(int id) {
        int mask = ids.length - 1;
        int slot = home(id, mask);
        while (ids[slot] != id && ids[slot] != EMPTY) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Where the probe for {@code id} starts: 17 mixed bits of it, as many as the largest table has slots. */
    private static int home(int id, int mask) {
        return id * 0x9e3779b1 >>> 15 & mask;
    }

    /** Empties {@code slot}, moving back each later entry of its run that would no longer be found past the hole. */
    private void shiftBackInto(int slot) {
        int mask = ids.length - 1;
        int hole = slot;
        int next = (hole + 1) & mask;
        while (ids[next] != EMPTY) {
            int home = home(ids[next], mask);
            // the entry at next may fill the hole when its home is not cyclically in (hole, next]
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                ids[hole] = ids[next];
                values[hole] = values[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        ids[hole] = EMPTY;
        values[hole] = null;
    }

    private void grow() {
        int[] oldIds = ids;
        Object[] oldValues = values;
        ids = emptyIds(oldIds.length * 2);
        values = new Object[oldIds.length * 2];
        for (int i = 0; i < oldIds.length; i++) {
            if (oldIds[i] != EMPTY) {
                int slot = slotOf(oldIds[i]);
                ids[slot] = oldIds[i];
                values[slot] = oldValues[i];
            }
        }
    }
}
