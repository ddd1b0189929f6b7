package dev.chivato.server;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every answer the server can give, encoded once at start: for each name, the answer section of an A, AAAA and
 * PTR response as the encoder writes it after a question for that name. An open-addressing table keyed by the
 * lower-cased wire name finds them straight from a query's bytes, without building a single object.
 */
final class AnswerTable {
    /**
     * The encoded answer sections of one name; a count of 0 is NODATA. An RRset too large for any message (more
     * than 64 KiB) has its count and {@link #TOO_LARGE} for its bytes: it can only be answered truncated.
     */
    record Answers(byte[] a, int aCount, byte[] aaaa, int aaaaCount, byte[] ptr, int ptrCount) {
    }

    /**
     * Stands for the bytes of an RRset that no message can carry: longer than any limit, so the fast path's size
     * check sends it the way the encoder would, truncated with no records.
     */
    static final byte[] TOO_LARGE = new byte[Message.MAX_LENGTH + 1];

    private final byte[][] keys;
    private final Answers[] values;
    private final int mask;

    private AnswerTable(byte[][] keys, Answers[] values) {
        this.keys = keys;
        this.values = values;
        this.mask = keys.length - 1;
    }

    static AnswerTable of(RecordStore store, long ttl) {
        int capacity = Integer.highestOneBit(Math.max(4, store.nodeCount() * 2 - 1)) << 1;
        byte[][] keys = new byte[capacity][];
        Answers[] values = new Answers[capacity];
        for (Map.Entry<Name, RecordStore.Node> node : store.nodes()) {
            byte[] key = node.getKey().toLowerCase().wire();
            int slot = hash(key, 0, key.length) & (capacity - 1);
            while (keys[slot] != null) {
                slot = (slot + 1) & (capacity - 1);
            }
            keys[slot] = key;
            Name owner = new Name(key);
            RecordStore.Node records = node.getValue();
            values[slot] = new Answers(section(owner, RRType.A, records.addresses4(), ttl),
                    records.addresses4().size(), section(owner, RRType.AAAA, records.addresses6(), ttl),
                    records.addresses6().size(), section(owner, RRType.PTR, records.pointers(), ttl),
                    records.pointers().size());
        }
        return new AnswerTable(keys, values);
    }

    /** The answer section's bytes as the encoder writes them after the header and a question for {@code owner}. */
    private static byte[] section(Name owner, RRType type, List<RData> data, long ttl) {
        if (data.isEmpty()) {
            return new byte[0];
        }
        List<ResourceRecord> answers = new ArrayList<>(data.size());
        for (RData rdata : data) {
            answers.add(new ResourceRecord(owner, RRClass.IN, ttl, rdata));
        }
        Message message = new Message(dev.chivato.protocol.Header.query(0, false),
                List.of(new Question(owner, type, RRClass.IN)), answers, List.of(), List.of(), Optional.empty());
        byte[] wire = message.toWire();
        if ((wire[2] & 0x02) != 0) {
            return TOO_LARGE; // the encoder dropped it whole: it does not fit in 65,535 octets
        }
        int start = 12 + owner.wireLength() + 4;
        return java.util.Arrays.copyOfRange(wire, start, wire.length);
    }

    /** The answers for the name of {@code length} octets at {@code offset} in {@code buffer}, or null. */
    Answers find(ByteBuffer buffer, int offset, int length) {
        int slot = hash(buffer, offset, length) & mask;
        while (true) {
            byte[] key = keys[slot];
            if (key == null) {
                return null;
            }
            if (key.length == length && equalsIgnoreCase(key, buffer, offset)) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
    }

    private static boolean equalsIgnoreCase(byte[] lowerKey, ByteBuffer buffer, int offset) {
        for (int i = 0; i < lowerKey.length; i++) {
            if (lowerKey[i] != toLower(buffer.get(offset + i))) {
                return false;
            }
        }
        return true;
    }

    private static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    private static int hash(byte[] lowerKey, int offset, int length) {
        int hash = 0x811c9dc5;
        for (int i = offset; i < offset + length; i++) {
            hash = (hash ^ lowerKey[i]) * 0x01000193;
        }
        return hash ^ hash >>> 16;
    }

    private static int hash(ByteBuffer buffer, int offset, int length) {
        int hash = 0x811c9dc5;
        for (int i = offset; i < offset + length; i++) {
            hash = (hash ^ toLower(buffer.get(i))) * 0x01000193;
        }
        return hash ^ hash >>> 16;
    }
}
