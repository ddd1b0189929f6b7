package dev.chivato.server.data;

import java.util.Arrays;

/**
 * Octets kept in chunks of {@link #CHUNK} that are never copied once full: a zone's records grow to hundreds of
 * megabytes while it is read, and one array doubled to hold them copied each octet about twice more and touched
 * twice its memory (a fifth of the reading thread's time on benchmarks/load/signed.sh's million signed names).
 * The first chunk starts small and doubles up to {@link #CHUNK}, so that a small zone takes little memory.
 *
 * <p>A place is an {@code int}: chunk number in the high bits, offset in the low {@link #OFFSET_BITS}. What is
 * written at one place never runs into the next chunk ({@link #reserve}), so {@code place + k} is the place of its
 * {@code k}th octet.
 */
final class ChunkedBytes {
    static final int OFFSET_BITS = 24;
    static final int CHUNK = 1 << OFFSET_BITS;
    /** Places are non-negative ints: 2 GiB in all, as one array held before. */
    private static final int MAX_CHUNKS = 1 << (31 - OFFSET_BITS);
    /**
     * A full chunk's length: {@link #CHUNK} less room for the array's header, so that it fills a whole number of G1's
     * regions (a power of two) rather than taking one more region for its last 16 octets.
     */
    static final int CHUNK_LENGTH = CHUNK - 64;

    private byte[][] chunks = {new byte[256]};
    /** The chunk being written, and how much of it is used. */
    private int current;
    private int used;

    /**
     * The place where {@code most} octets may be written; nothing is kept until {@link #commit}. The place is in a
     * new chunk when the current one has less room.
     */
    int reserve(int most) {
        if (most > CHUNK_LENGTH) {
            throw new IllegalArgumentException("more than one chunk at a time: " + most);
        }
        byte[] chunk = chunks[current];
        if (used + most <= chunk.length) {
            return place(current, used);
        }
        if (current == 0 && chunk.length < CHUNK_LENGTH && used + most <= CHUNK_LENGTH) {
            chunks[0] = Arrays.copyOf(chunk, Math.max(used + most, Math.min(CHUNK_LENGTH, chunk.length * 2)));
            return place(0, used);
        }
        if (current + 1 == MAX_CHUNKS) {
            throw new IllegalArgumentException("more than 2 GiB of names and records in one zone or hosts list");
        }
        current++;
        if (current == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunks.length * 2);
        }
        chunks[current] = new byte[CHUNK_LENGTH];
        used = 0;
        return place(current, 0);
    }

    /** Keeps the {@code length} octets written at {@code place}, the last one {@link #reserve}d. */
    void commit(int place, int length) {
        used = offset(place) + length;
    }

    byte[] chunk(int place) {
        return chunks[place >>> OFFSET_BITS];
    }

    static int offset(int place) {
        return place & (CHUNK - 1);
    }

    int u16(int place) {
        return NodeTable.u16(chunk(place), offset(place));
    }

    int u32(int place) {
        return NodeTable.u32(chunk(place), offset(place));
    }

    /** How many chunks have been started. */
    int chunks() {
        return current + 1;
    }

    /** The number of the chunk that holds {@code place}. */
    static int chunkOf(int place) {
        return place >>> OFFSET_BITS;
    }

    /**
     * Lets the chunk's memory go: nothing in it is read again (a table laid out from the octets frees what it has
     * copied, so that the octets and the table are not both held whole).
     */
    void release(int chunk) {
        chunks[chunk] = null;
    }

    private static int place(int chunk, int offset) {
        return chunk << OFFSET_BITS | offset;
    }
}
