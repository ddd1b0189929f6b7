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

    private byte[][] chunks = {new byte[256]};
    /** The chunk being written, and how much of it is used. */
    private int current;
    private int used;

    /**
     * The place where {@code most} octets may be written; nothing is kept until {@link #commit}. The place is in a
     * new chunk when the current one has less room.
     */
    int reserve(int most) {
        if (most > CHUNK) {
            throw new IllegalArgumentException("more than one chunk at a time: " + most);
        }
        byte[] chunk = chunks[current];
        if (used + most <= chunk.length) {
            return place(current, used);
        }
        if (current == 0 && chunk.length < CHUNK && used + most <= CHUNK) {
            chunks[0] = Arrays.copyOf(chunk, Math.max(used + most, Math.min(CHUNK, chunk.length * 2)));
            return place(0, used);
        }
        if (current + 1 == MAX_CHUNKS) {
            throw new IllegalArgumentException("more than 2 GiB of names and records in one zone or hosts list");
        }
        current++;
        if (current == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunks.length * 2);
        }
        chunks[current] = new byte[CHUNK];
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

    private static int place(int chunk, int offset) {
        return chunk << OFFSET_BITS | offset;
    }
}
