package dev.chivato.server.answer;

import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import java.nio.ByteBuffer;

/**
 * The engine's encoded answers, kept so that the same question asked again is answered from its bytes: no decoding,
 * no lookup, nothing allocated. It holds no rule of its own. A query of the common shape (QUERY, one question of class
 * IN, no other records but a plain EDNS(0) OPT) is keyed by everything its answer depends on: the question name as
 * written (case included, so the answer is the engine's octet for octet), its type, whether it has EDNS and DO, and the
 * size the answer may take. A hit is the stored answer with the query's id, RD and CD put in; a miss goes to the
 * engine, whose answer is then stored. The cache belongs to one version of the data and goes with it.
 *
 * <p>Bounded: {@link #CAPACITY} answers of at most {@link #MAX_ANSWER} octets, and {@link #LARGE_CAPACITY} larger
 * ones (TCP answers up to 64 KiB, which cost the most to build again and again), about 32 MiB at the very most; one
 * entry a slot, a newer answer replacing an older one. Event loops share it without locks: entries are immutable, so
 * a loop sees a whole entry or an older one (a miss at worst).
 */
public final class AnswerCache {
    static final int CAPACITY = 1 << 13;
    public static final int MAX_ANSWER = 2048;
    static final int LARGE_CAPACITY = 1 << 8;

    private static final int QR_OPCODE = 0xf800;
    private static final int RD = 0x0100;
    private static final int CD = 0x0010;
    private static final int OPT_LENGTH = 11;

    /**
     * One answer: its key, and the response with id 0 and RD and CD clear. An upstream's answer (forwarded) also has
     * the time it was kept and its expiry (System.nanoTime), and where its TTLs are, to count them down on the way out;
     * our own answers have none ({@code ttlOffsets} null).
     */
    public record Entry(byte[] name, int type, int edns, int limit, byte[] response, AnswerSource source,
                        long storedAt, long expiresAt, int[] ttlOffsets) {
        int length() {
            return response.length;
        }

        boolean expired() {
            return ttlOffsets != null && System.nanoTime() - expiresAt >= 0;
        }
    }

    /**
     * A query's key, packed in a long so that reading it allocates nothing: the slot (13 bits), the type (16), the
     * size limit (16), EDNS (2: none, without DO, with DO) and the name's length (9); {@link #NOT_CACHEABLE} for a
     * query of another shape. The name itself is at offset 12 of the query.
     */
    private static final long NOT_CACHEABLE = -1;

    private static int slot(long key) {
        return (int) (key >>> 43) & (CAPACITY - 1);
    }

    private static int type(long key) {
        return (int) (key >>> 27) & 0xffff;
    }

    private static int limit(long key) {
        return (int) (key >>> 11) & 0xffff;
    }

    private static int edns(long key) {
        return (int) (key >>> 9) & 0x3;
    }

    private static int nameLength(long key) {
        return (int) key & 0x1ff;
    }

    private final Entry[] entries = new Entry[CAPACITY];
    private final Entry[] large = new Entry[LARGE_CAPACITY];

    /** The stored answer to {@code query} (position to limit), or null. */
    public Entry find(ByteBuffer query, Transport transport) {
        long key = key(query, transport);
        if (key == NOT_CACHEABLE) {
            return null;
        }
        Entry entry = entries[slot(key)];
        if (entry != null && matches(entry, key, query)) {
            return entry.expired() ? null : entry;
        }
        entry = large[slot(key) & (LARGE_CAPACITY - 1)];
        return entry != null && matches(entry, key, query) && !entry.expired() ? entry : null;
    }

    /** Writes {@code entry} as the answer to {@code query} into {@code out} from its position; returns the length. */
    public static int write(Entry entry, ByteBuffer query, ByteBuffer out) {
        int start = out.position();
        out.put(entry.response());
        out.putShort(start, query.getShort(query.position()));
        int flags = query.getShort(query.position() + 2) & (RD | CD);
        out.putShort(start + 2, (short) (out.getShort(start + 2) | flags));
        if (entry.ttlOffsets() != null) {
            long elapsed = (System.nanoTime() - entry.storedAt()) / 1_000_000_000L;
            for (int offset : entry.ttlOffsets()) {
                long ttl = (out.getInt(start + offset) & 0xffffffffL) - elapsed;
                out.putInt(start + offset, (int) Math.max(0, ttl));
            }
        }
        return entry.length();
    }

    /** Keeps the engine's {@code length}-octet answer, which ends at {@code out}'s position, to {@code query}. */
    public void store(ByteBuffer query, Transport transport, ByteBuffer out, int length, AnswerSource source) {
        store(query, transport, out, length, source, 0, null);
    }

    /**
     * Keeps an upstream's answer as sent to the client of {@code query} for {@code ttlSeconds}; a hit counts its TTLs
     * down and is logged as {@link AnswerSource#CACHE}.
     */
    public void storeForwarded(ByteBuffer query, Transport transport, ByteBuffer out, int length, long ttlSeconds) {
        if (ttlSeconds > 0) {
            byte[] response = new byte[length];
            out.get(out.position() - length, response);
            store(query, transport, out, length, AnswerSource.CACHE, ttlSeconds, ttlOffsets(response));
        }
    }

    private void store(ByteBuffer query, Transport transport, ByteBuffer out, int length, AnswerSource source,
            long ttlSeconds, int[] ttlOffsets) {
        long key = key(query, transport);
        if (key == NOT_CACHEABLE) {
            return;
        }
        byte[] response = new byte[length];
        out.get(out.position() - length, response);
        response[0] = 0;
        response[1] = 0;
        response[2] &= (byte) ~(RD >>> 8);
        response[3] &= (byte) ~CD;
        byte[] name = new byte[nameLength(key)];
        query.get(query.position() + 12, name);
        long now = System.nanoTime();
        Entry entry = new Entry(name, type(key), edns(key), limit(key), response, source, now,
                now + ttlSeconds * 1_000_000_000L, ttlOffsets);
        if (length <= MAX_ANSWER) {
            entries[slot(key)] = entry;
        } else {
            large[slot(key) & (LARGE_CAPACITY - 1)] = entry;
        }
    }

    /** Where the TTL of each record of a response (our encoder's, so well formed) is; OPT's is no TTL. */
    static int[] ttlOffsets(byte[] response) {
        int records = u16(response, 6) + u16(response, 8) + u16(response, 10);
        int at = 12;
        for (int i = u16(response, 4); i > 0; i--) {
            at = pastName(response, at) + 4;
        }
        int[] offsets = new int[records];
        int count = 0;
        for (int i = 0; i < records; i++) {
            at = pastName(response, at);
            if (u16(response, at) != 41) {
                offsets[count++] = at + 4;
            }
            at += 10 + u16(response, at + 8);
        }
        return java.util.Arrays.copyOf(offsets, count);
    }

    private static int pastName(byte[] wire, int at) {
        while (true) {
            int length = wire[at] & 0xff;
            if ((length & 0xc0) == 0xc0) {
                return at + 2;
            }
            if (length == 0) {
                return at + 1;
            }
            at += 1 + length;
        }
    }

    private static int u16(byte[] wire, int at) {
        return (wire[at] & 0xff) << 8 | wire[at + 1] & 0xff;
    }

    private static boolean matches(Entry entry, long key, ByteBuffer query) {
        if (entry.type() != type(key) || entry.edns() != edns(key) || entry.limit() != limit(key)
                || entry.name().length != nameLength(key)) {
            return false;
        }
        byte[] name = entry.name();
        int nameStart = query.position() + 12;
        for (int i = 0; i < name.length; i++) {
            if (name[i] != query.get(nameStart + i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The key of a query of the common shape: QR clear, opcode QUERY, one question, no answer or authority records,
     * at most one additional record which is a well-formed OPT of version 0 ending the message; the name uncompressed,
     * class IN, a type that is not a meta-type. Anything else is the engine's alone.
     */
    private static long key(ByteBuffer query, Transport transport) {
        int start = query.position();
        int end = query.limit();
        if (end - start < 12 + 5 || (query.getShort(start + 2) & QR_OPCODE) != 0 || query.getShort(start + 4) != 1
                || query.getShort(start + 6) != 0 || query.getShort(start + 8) != 0) {
            return NOT_CACHEABLE;
        }
        int additional = query.getShort(start + 10) & 0xffff;
        int nameStart = start + 12;
        int at = nameStart;
        int hash = 0x811c9dc5;
        while (true) {
            if (at >= end) {
                return NOT_CACHEABLE;
            }
            int labelLength = query.get(at) & 0xff;
            if (labelLength > 63 || at + 1 + labelLength - nameStart > 255) {
                return NOT_CACHEABLE; // a pointer, a reserved label type, or too long: the decoder says what
            }
            for (int i = at; i <= at + labelLength && i < end; i++) {
                hash = (hash ^ query.get(i)) * 0x01000193;
            }
            at += 1 + labelLength;
            if (labelLength == 0) {
                break;
            }
        }
        if (end - at < 4 || query.getShort(at + 2) != 1) {
            return NOT_CACHEABLE;
        }
        int type = query.getShort(at) & 0xffff;
        if (type == 41 || type == 250 || type >= 251 && type <= 255) {
            return NOT_CACHEABLE; // OPT, TSIG, IXFR, AXFR, MAILB, MAILA, ANY
        }
        int questionEnd = at + 4;
        int edns = 0;
        int limit = transport == Transport.TCP ? 0xffff : QueryHandler.CLASSIC_UDP_SIZE;
        if (additional == 1) {
            if (end - questionEnd < OPT_LENGTH || query.get(questionEnd) != 0
                    || query.getShort(questionEnd + 1) != 41 || query.get(questionEnd + 6) != 0
                    || !optionsEndTheMessage(query, questionEnd, end)) {
                return NOT_CACHEABLE;
            }
            edns = (query.get(questionEnd + 7) & 0x80) != 0 ? 2 : 1;
            if (transport == Transport.UDP) {
                int size = query.getShort(questionEnd + 3) & 0xffff;
                limit = Math.max(QueryHandler.CLASSIC_UDP_SIZE, Math.min(size, QueryHandler.OUR_UDP_PAYLOAD_SIZE));
            }
        } else if (additional != 0 || questionEnd != end) {
            return NOT_CACHEABLE;
        }
        hash = (hash ^ type * 31 ^ edns << 20 ^ limit << 8) * 0x01000193;
        long slot = (hash ^ hash >>> 16) & (CAPACITY - 1);
        return slot << 43 | (long) type << 27 | (long) limit << 11 | (long) edns << 9 | at - nameStart;
    }

    /** Whether the OPT record's options are whole and end the message exactly. */
    private static boolean optionsEndTheMessage(ByteBuffer query, int optStart, int end) {
        int optionsEnd = optStart + OPT_LENGTH + (query.getShort(optStart + 9) & 0xffff);
        if (optionsEnd != end) {
            return false;
        }
        for (int option = optStart + OPT_LENGTH; option < optionsEnd; ) {
            if (optionsEnd - option < 4) {
                return false;
            }
            option += 4 + (query.getShort(option + 2) & 0xffff);
            if (option > optionsEnd) {
                return false;
            }
        }
        return true;
    }
}
