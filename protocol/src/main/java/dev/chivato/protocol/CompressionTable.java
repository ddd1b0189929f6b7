package dev.chivato.protocol;

import java.util.Arrays;

/**
 * The encoder's memory of name suffixes already written: for each, the name's wire array, where the suffix starts
 * in it, its hash ({@link #suffixHash}) and the message offset it was written at. Open addressing over the entries;
 * matching is exact (case included), so a compressed name decodes to the very octets it was written with. Entries
 * come off the end when an RRset is rolled back.
 *
 * <p>How to read this file: {@code find} is asked for each suffix of a name, longest first; {@code add} records
 * where a suffix was written. The rest is the open-addressing table that makes both cheap, and in front of it three
 * memories that let most names skip it: the first name, the names written lately, and the suffix found last.
 */
final class CompressionTable {
    private byte[][] wires = new byte[16][];
    private int[] starts = new int[16];
    private int[] hashes = new int[16];
    private int[] offsets = new int[16];
    /** The slot each entry is in, so that clearing a table of a few entries touches only their slots. */
    private int[] slotOf = new int[16];
    private int size;
    /** Entry index + 1 per slot; 0 is empty. Kept at most half full. */
    private int[] slots = new int[64];
    /**
     * Names written whole (or as one pointer to where they were), with that offset, one a slot by the name's hash: the
     * same name written again, as owners repeat the question's {@link Name} (the decoder gives an answer's owners the
     * question's very object) and glue repeats an NS target's, is found without hashing its suffixes. By identity:
     * comparing octets here cost more in messages of many names than it saved. A slot keeps the name written last.
     */
    private final byte[][] recentWires = new byte[RECENT][];
    private final int[] recentOffsets = new int[RECENT];
    /** Whether a slot is taken, so that a message of one name clears none. */
    private boolean anyRecent;
    /** A power of two, so a slot is a mask away. */
    private static final int RECENT = 16;
    /**
     * The last suffix {@link #find} found below a name's first label, with its offset: the next name usually ends
     * in the same one (the zone's), and {@link #findLastSuffix} finds it again without hashing it. Null after a
     * rollback, which may have taken its offset.
     */
    private byte[] lastSuffixWire;
    /**
     * The first name written, the question's, kept apart from the recent ones: most owners in an answer are that
     * name, and a name in RDATA between them could take its slot (CodecBenchmark.encodeLargeResponse).
     */
    private byte[] firstWire;
    private int firstOffset;
    private int lastSuffixStart;
    private int lastSuffixOffset;
    /**
     * The first name's suffixes, not yet hashed and added: an answer whose owners all repeat the question finds that
     * name by {@link #findRecent} and never needs them (CodecBenchmark.encodeAResponse). Added before any other entry, on
     * the first {@link #find} or {@link #add}, so they take the same entries, in the same order, as if added at once.
     */
    private Name pendingName;
    private int pendingOffset;
    private int pendingCount;

    void clear() {
        pendingName = null;
        pendingCount = 0;
        if (size > 0) {
            for (int entry = 0; entry < size; entry++) {
                slots[slotOf[entry]] = 0;
            }
            Arrays.fill(wires, 0, size, null);
            size = 0;
        }
        forgetRecent();
    }

    /** Where the very array of {@code name}, whole, was written lately, or -1. */
    int findRecent(Name name, byte[] wire) {
        if (wire == firstWire) {
            return firstOffset;
        }
        int slot = name.hashCode() & (RECENT - 1);
        return recentWires[slot] == wire ? recentOffsets[slot] : -1;
    }

    void addRecent(Name name, byte[] wire, int offset) {
        if (firstWire == null) {
            firstWire = wire;
            firstOffset = offset;
            return;
        }
        int slot = name.hashCode() & (RECENT - 1);
        recentWires[slot] = wire;
        recentOffsets[slot] = offset;
        anyRecent = true;
    }

    private void forgetRecent() {
        if (anyRecent) {
            Arrays.fill(recentWires, null);
            anyRecent = false;
        }
        firstWire = null;
        lastSuffixWire = null;
    }

    /**
     * The offset of the suffix of {@code wire} from {@code start} if it is the suffix {@link #find} found last, or
     * -1. What {@link #find} would answer for it, as entries are only added after it: the same first entry.
     */
    int findLastSuffix(byte[] wire, int start) {
        byte[] last = lastSuffixWire;
        if (last == null || wire.length - start != last.length - lastSuffixStart
                || !Name.regionEqualsExactly(last, lastSuffixStart, wire, start, wire.length - start)) {
            return -1;
        }
        return lastSuffixOffset;
    }

    /** Entries, the first name's waiting ones counted: what a mark takes and {@link #truncate} goes back to. */
    int size() {
        return size + pendingCount;
    }

    /**
     * Remembers {@code name}, written at {@code offset} into an empty table, to add its suffixes (those a pointer can
     * reach) when a name is first looked for.
     */
    void addFirstName(Name name, int offset, int maxPointerTarget) {
        byte[] wire = name.sharedWire();
        int count = 0;
        for (int at = 0; wire[at] != 0 && offset + at <= maxPointerTarget; at += 1 + (wire[at] & 0xff)) {
            count++;
        }
        pendingName = name;
        pendingOffset = offset;
        pendingCount = count;
    }

    private void addPending() {
        Name name = pendingName;
        byte[] wire = name.sharedWire();
        int count = pendingCount;
        pendingName = null;
        pendingCount = 0;
        for (int i = 0, at = 0; i < count; i++, at += 1 + (wire[at] & 0xff)) {
            add(wire, at, suffixHash(name, wire, at), pendingOffset + at);
        }
    }

    /**
     * The hash a suffix is kept under: the hash of the name it is ({@link Name#hashCodeOf}), so a whole name's is the
     * one the {@link Name} keeps, and a suffix's is computed only when the longer ones were not found. Matching stays
     * exact: only a probe's length depends on the hash, {@link #find} compares the octets.
     */
    static int suffixHash(Name name, byte[] wire, int start) {
        return start == 0 ? name.hashCode() : Name.hashCodeOf(wire, start, wire.length - start);
    }

    /** The offset the suffix of {@code wire} from {@code start} was written at, or -1. */
    int find(byte[] wire, int start, int hash) {
        if (pendingName != null) {
            addPending();
        }
        int mask = slots.length - 1;
        for (int slot = hash & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
            int entry = slots[slot] - 1;
            byte[] kept = wires[entry];
            if (hashes[entry] == hash && kept.length - starts[entry] == wire.length - start
                    && Name.regionEqualsExactly(kept, starts[entry], wire, start, wire.length - start)) {
                if (start > 0) {
                    lastSuffixWire = wire;
                    lastSuffixStart = start;
                    lastSuffixOffset = offsets[entry];
                }
                return offsets[entry];
            }
        }
        return -1;
    }

    void add(byte[] wire, int start, int hash, int offset) {
        if (pendingName != null) {
            addPending();
        }
        if (size == wires.length) {
            wires = Arrays.copyOf(wires, size * 2);
            starts = Arrays.copyOf(starts, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
            offsets = Arrays.copyOf(offsets, size * 2);
            slotOf = Arrays.copyOf(slotOf, size * 2);
        }
        wires[size] = wire;
        starts[size] = start;
        hashes[size] = hash;
        offsets[size] = offset;
        size++;
        if (size * 2 > slots.length) {
            slots = new int[slots.length * 2];
            rebuildSlots();
        } else {
            insert(size - 1);
        }
    }

    /** Forgets every entry from {@code newSize} on (a rolled-back RRset's). */
    void truncate(int newSize) {
        forgetRecent(); // they may be in what is rolled back
        if (pendingName != null) {
            if (newSize >= pendingCount) {
                return; // nothing was added after the first name
            }
            addPending();
        }
        if (newSize < size) {
            Arrays.fill(wires, newSize, size, null);
            size = newSize;
            Arrays.fill(slots, 0);
            rebuildSlots();
        }
    }

    private void rebuildSlots() {
        for (int entry = 0; entry < size; entry++) {
            insert(entry);
        }
    }

    private void insert(int entry) {
        int mask = slots.length - 1;
        int slot = hashes[entry] & mask;
        while (slots[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        slots[slot] = entry + 1;
        slotOf[entry] = slot;
    }
}
