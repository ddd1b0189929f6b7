package dev.chivato.server.answer;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.QueryView;
import dev.chivato.server.data.AnswerSource;
import java.nio.ByteBuffer;

/**
 * The engine's encoded answers, kept so that the same question asked again is answered from its bytes: no decoding,
 * no lookup, nothing allocated. It holds no rule of its own: which queries may be kept, under which key, and the size
 * an answer may take are the engine's ({@link QueryHandler#cacheKey}), and an entry is the engine's answer with a patch
 * recipe: the query's ID, its RD and CD bits, and its spelling of the question name (the answer's owners point there).
 * A decision to forward is kept too, as an entry with no response: the engine said the name is not ours.
 *
 * <p><b>Invariant</b>: no entry depends on the client. The engine's answer to a query of a keyable shape depends only
 * on the data version, the question (without regard to case: an answer differs between spellings only in the question's
 * octets), EDNS and DO, and the size allowed; never on the client's address, a signature, or the transport beyond that
 * size. Whatever depends on the client (forwarding for it or not, transfers, TSIG) is decided after the cache or is of
 * a shape never kept. The cache belongs to one data version and goes with it. {@code AnswerCacheTest} holds it.
 *
 * <p>Bounded: {@link #CAPACITY} answers of at most {@link #MAX_ANSWER} octets, and {@link #LARGE_CAPACITY} larger
 * ones (TCP answers up to 64 KiB, which cost the most to build again and again), about 32 MiB at the very most; one
 * entry a slot, a newer answer replacing an older one. Event loops share it without locks: entries are immutable, so
 * a loop sees a whole entry or an older one (a miss at worst).
 */
public final class AnswerCache {
    /** At most 1 << 13: a key has thirteen bits for the slot ({@link #key}). */
    static final int CAPACITY = 1 << 13;
    public static final int MAX_ANSWER = 2048;
    static final int LARGE_CAPACITY = 1 << 8;
    /** The key of a query the engine keeps nothing for. */
    public static final long NOT_CACHEABLE = -1;

    private static final int RD_CD = 0x0110;

    /**
     * One answer: its key and name (as first asked), and the response with ID 0 and RD and CD clear; null for a
     * decision to forward. {@code rateClass} is the class rate limiting counts it in ({@code ResponseClass}).
     */
    public record Entry(long key, byte[] name, byte[] response, AnswerSource source, long rateClass) {
        /** The engine said the name is not ours: the question goes upstream. */
        public boolean forwarded() {
            return response == null;
        }
    }

    private final Entry[] entries = new Entry[CAPACITY];
    /**
     * Each slot's entry's key, read before the entry: a query whose slot holds another answer (most of them when the
     * names asked outnumber the slots) is told so without reading that entry, a cache miss of its own
     * (benchmarks/load/million.sh). A filter only: a match is checked again against the entry itself, so a key and
     * an entry written by different threads at once cannot give a wrong answer.
     */
    private final long[] keys = new long[CAPACITY];
    private final Entry[] large = new Entry[LARGE_CAPACITY];

    /**
     * Packs a key: the name's hash (which picks the slot), the type, the size limit, EDNS (none, without DO, with
     * DO) and the name's length, and in the eight bits the slot leaves free eight more bits of the hash. Without those,
     * names of one length that share a slot had the same key, so a forwarder asked many new names read another
     * name's entry and compared the names for nearly every one (a tenth of the miss path's Java in a profile; the
     * loop's user time per miss, measured, in benchmarks/README.md "The answer cache's key"). Made by the engine,
     * which says what an answer depends on.
     */
    static long key(int nameHash, int type, int limit, int edns, int nameLength) {
        int hash = (nameHash ^ type * 31 ^ edns << 20 ^ limit << 8) * 0x01000193;
        long slot = (hash ^ hash >>> 16) & (CAPACITY - 1);
        long check = (hash * 0x9e3779b1) >>> 24; // a second mix: bits the slot did not take
        return check << 56 | slot << 43 | (long) type << 27 | (long) limit << 11 | (long) edns << 9 | nameLength;
    }

    private static int slot(long key) {
        return (int) (key >>> 43) & (CAPACITY - 1);
    }

    private static int nameLength(long key) {
        return (int) key & 0x1ff;
    }

    /** The entry kept under {@code key} for the query in {@code query} (position to limit), or null. */
    public Entry find(ByteBuffer query, long key) {
        if (key == NOT_CACHEABLE) {
            return null;
        }
        if (keys[slot(key)] == key) {
            Entry entry = entries[slot(key)];
            if (entry != null && matches(entry, key, query)) {
                return entry;
            }
        }
        Entry entry = large[slot(key) & (LARGE_CAPACITY - 1)];
        return entry != null && matches(entry, key, query) ? entry : null;
    }

    /**
     * Writes {@code entry} as the answer to the query in {@code query} (whose view is {@code view}) into {@code out}
     * from its position; returns the length.
     */
    public static int write(Entry entry, ByteBuffer query, QueryView view, ByteBuffer out) {
        int start = out.position();
        out.put(entry.response());
        out.putShort(start, (short) view.id());
        out.putShort(start + 2, (short) (out.getShort(start + 2) | view.flags() & RD_CD));
        out.put(start + Header.LENGTH, query, query.position() + Header.LENGTH, view.nameLength());
        return entry.response().length;
    }

    /**
     * Keeps the engine's {@code length}-octet answer, which ends at {@code out}'s position, to the query in
     * {@code query} under {@code key}.
     */
    public void store(ByteBuffer query, long key, ByteBuffer out, int length, AnswerSource source, long rateClass) {
        if (key == NOT_CACHEABLE) {
            return;
        }
        byte[] response = new byte[length];
        out.get(out.position() - length, response);
        response[0] = 0;
        response[1] = 0;
        response[2] &= (byte) ~(RD_CD >>> 8);
        response[3] &= (byte) ~RD_CD;
        put(new Entry(key, name(query, key), response, source, rateClass));
    }

    /** Keeps the engine's decision that the question in {@code query} goes upstream. */
    public void storeForwarded(ByteBuffer query, long key) {
        if (key != NOT_CACHEABLE) {
            put(new Entry(key, name(query, key), null, AnswerSource.FORWARDED, 0));
        }
    }

    private static byte[] name(ByteBuffer query, long key) {
        byte[] name = new byte[nameLength(key)];
        query.get(query.position() + Header.LENGTH, name);
        return name;
    }

    private void put(Entry entry) {
        if (entry.response() == null || entry.response().length <= MAX_ANSWER) {
            entries[slot(entry.key())] = entry;
            keys[slot(entry.key())] = entry.key();
        } else {
            large[slot(entry.key()) & (LARGE_CAPACITY - 1)] = entry;
        }
    }

    private static boolean matches(Entry entry, long key, ByteBuffer query) {
        return entry.key() == key && Name.regionEqualsIgnoreCase(query, query.position() + Header.LENGTH,
                entry.name(), entry.name().length);
    }
}
