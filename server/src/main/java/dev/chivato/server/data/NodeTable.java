package dev.chivato.server.data;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.protocol.WireFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The names of one source of data (a zone, or the hosts records) with their RRsets, packed into one byte array and
 * found through an open-addressing table of offsets. A name with one small RRset costs about 60 octets here, where
 * objects (name, node, RRset, list, RDATA, map entry) cost about 250: a million-record zone fits in the memory NSD
 * needs for it. A lookup decodes the node it finds; the answer cache in front keeps the answers asked for again.
 *
 * <p>A node, at its offset: the owner in wire form (case as first written); the number of RRsets (u32); for each
 * RRset its type (u16), TTL (u32), {@link AnswerSource} (u8) and number of records (u32), then each record's RDATA
 * length (u16) and RDATA, names uncompressed. An empty non-terminal is a node without RRsets. Immutable once built.
 *
 * <p>The nodes lie in pages of whole nodes, each page ending after a node whose name's hash says so (one in
 * {@link #PAGE_EVERY} on average) or once it holds {@link #PAGE_FULL} octets. The cuts depend on the names, not on
 * where a page began, so a change to a few records changes the pages they are in and leaves the others as they
 * were: a new version of a zone {@link PageSharing shares} those with the old one, and a transfer that keeps the old
 * version alive through reloads keeps alive only the pages that changed.
 *
 * <p>Built by {@link NodeTableBuilder} (with the empty non-terminals of {@link EmptyNonTerminals}); walked in wire
 * form, for a transfer, by a {@link WireCursor}.
 */
final class NodeTable {
    static final AnswerSource[] SOURCES = AnswerSource.values();
    /** The largest RDATA: what a record's 16-bit RDLENGTH can say. */
    static final int MAX_RDATA = 0xffff;
    /**
     * The most octets one record may take, its owner uncompressed: what a message holds besides its header and 512
     * octets kept for a TSIG record, so that every record can be sent, alone if need be, in an answer or a transfer.
     */
    public static final int MAX_RECORD_OCTETS = 0xffff - 512 - 12;
    /** A page ends after a node whose name hashes to 0 modulo this: about so many nodes a page. */
    static final int PAGE_EVERY = 512;
    /** A page ends once it holds this many octets, so every node starts in the first 64 KiB of its page. */
    static final int PAGE_FULL = 48 * 1024;
    /** As many pages as a node's place can say (16 bits of page, 16 of offset). */
    static final int MAX_PAGES = 1 << 16;

    private final byte[][] pages;
    /**
     * Each node's entry + 1 in the slot of its name's hash (linear probing), 0 for none; at most half full. An entry
     * is the node's place (its page's index above its offset in that page, in the lower 16 bits) and, in the bits the
     * page index leaves free ({@link #tagMask}), the same bits of the name's spread hash: a probe that meets another
     * name's entry mostly tells from the tag alone, without reading that name in its page (a cache miss in a large
     * table; benchmarks/load/million.sh).
     */
    private final int[] slots;
    /** The bits of an entry that hold the tag; 0 when the page indexes need them all. */
    private final int tagMask;
    private final int names;
    private final int records;
    /** How many names hold an NS RRset: a zone's apex, and its zone cuts. */
    private final int nsOwners;
    private final long digest;

    NodeTable(byte[][] pages, int[] slots, int names, int records, int nsOwners, long digest) {
        this.pages = pages;
        this.slots = slots;
        this.tagMask = tagMask(pages.length);
        this.names = names;
        this.records = records;
        this.nsOwners = nsOwners;
        this.digest = digest;
    }

    /** The tag's bits in a table of {@code pages} pages: those above the offset and the page index. */
    static int tagMask(int pages) {
        int placeBits = 16 + (32 - Integer.numberOfLeadingZeros(Math.max(1, pages - 1)));
        return placeBits >= 32 ? 0 : -1 << placeBits;
    }

    /** What a slot holds for a node at {@code place} whose name's spread hash is {@code hash}. */
    static int slotEntry(int place, int hash, int tagMask) {
        return (hash & tagMask | place) + 1;
    }

    /** The node of {@code name}, its RRsets decoded; with {@code ttl} ≥ 0, every RRset has that TTL. */
    Optional<Snapshot.Node> get(Name name, long ttl) {
        int mask = slots.length - 1;
        int hash = spread(name.hashCode());
        int tag = hash & tagMask;
        for (int i = hash & mask; slots[i] != 0; i = (i + 1) & mask) {
            int entry = slots[i] - 1;
            if ((entry & tagMask) != tag) {
                continue;
            }
            int place = entry & ~tagMask;
            byte[] page = pages[place >>> 16];
            int at = place & 0xffff;
            if (name.equalsWire(page, at, nameLength(page, at))) {
                List<Snapshot.RRset> rrsets = new ArrayList<>();
                decode(page, at, ttl, rrsets);
                return Optional.of(new Snapshot.Node(rrsets));
            }
        }
        return Optional.empty();
    }

    /** Every RRset, node after node in the order the names were first given, each name's types likewise. */
    void forEachRRset(Consumer<Snapshot.RRset> action) {
        List<Snapshot.RRset> rrsets = new ArrayList<>();
        for (byte[] page : pages) {
            for (int at = 0; at < page.length; ) {
                rrsets.clear();
                at = decode(page, at, -1, rrsets);
                rrsets.forEach(action);
            }
        }
    }

    /**
     * The owners that hold an RRset of {@code type}, node after node, read from the nodes' headers alone: no RDATA is
     * decoded (a signed zone's NSEC owners are found this way in a fraction of a full walk's time).
     */
    List<Name> ownersOf(RRType type) {
        List<Name> owners = new ArrayList<>();
        for (byte[] page : pages) {
            for (int at = 0; at < page.length; ) {
                int nameLength = nameLength(page, at);
                int p = at + nameLength;
                int count = u32(page, p);
                p += 4;
                boolean holds = false;
                for (int i = 0; i < count; i++) {
                    holds |= u16(page, p) == type.value();
                    int size = u32(page, p + 7);
                    p += 11;
                    for (int r = 0; r < size; r++) {
                        p += 2 + u16(page, p);
                    }
                }
                if (holds) {
                    owners.add(Name.fromWire(page, at, nameLength));
                }
                at = p;
            }
        }
        return owners;
    }

    /** Whether {@code place} (one {@link #decodeAt} returned) is past the last node, where a cursor stops. */
    boolean isEnd(int place) {
        return place >>> 16 >= pages.length;
    }

    /** Decodes the node at {@code place} (one {@link #decodeAt} returned, or 0) and returns the next one's. */
    int decodeAt(int place, List<Snapshot.RRset> rrsets) {
        byte[] page = pages[place >>> 16];
        int next = decode(page, place & 0xffff, -1, rrsets);
        return next < page.length ? (place & 0xffff0000) | next : ((place >>> 16) + 1) << 16;
    }

    /** Every record, in {@link #forEachRRset}'s order. */
    List<ResourceRecord> records() {
        List<ResourceRecord> all = new ArrayList<>(records);
        forEachRRset(rrset -> all.addAll(rrset.records(rrset.owner())));
        return all;
    }

    /** Names held, empty non-terminals included. */
    int names() {
        return names;
    }

    /** How many names hold an NS RRset. */
    int nsOwners() {
        return nsOwners;
    }

    int recordCount() {
        return records;
    }

    /**
     * A 64-bit digest of the content (owners without case, types, TTLs, RDATA), independent of order: two tables with
     * the same records have the same digest, and two with different records almost surely not.
     */
    long digest() {
        return digest;
    }

    /** Decodes the node at {@code at} in {@code page} into {@code rrsets}; returns the offset after it. */
    static int decode(byte[] page, int at, long ttl, List<Snapshot.RRset> rrsets) {
        int nameLength = nameLength(page, at);
        Name owner = Name.fromWire(page, at, nameLength); // one copy, shared by every RRset of the node
        int p = at + nameLength;
        int count = u32(page, p);
        p += 4;
        for (int i = 0; i < count; i++) {
            RRType type = RRType.of(u16(page, p));
            long rrsetTtl = ttl >= 0 ? ttl : u32(page, p + 2) & 0xffffffffL;
            AnswerSource source = SOURCES[page[p + 6]];
            int size = u32(page, p + 7);
            p += 11;
            List<RData> data = new ArrayList<>(size);
            for (int r = 0; r < size; r++) {
                int length = u16(page, p);
                data.add(rdata(type, page, p + 2, length));
                p += 2 + length;
            }
            rrsets.add(new Snapshot.RRset(owner, type, rrsetTtl, data, source));
        }
        return p;
    }

    static RData rdata(RRType type, byte[] page, int at, int length) {
        try {
            return RData.decode(type, ByteBuffer.wrap(page, at, length).slice());
        } catch (WireFormatException e) {
            throw new IllegalStateException("a node table holds RDATA it cannot read back: " + e.getMessage(), e);
        }
    }

    static int nameLength(byte[] octets, int at) {
        int p = at;
        while (octets[p] != 0) {
            p += 1 + (octets[p] & 0xff);
        }
        return p + 1 - at;
    }

    /** Mixes a name's hash so that names alike (host1, host2, ...) spread over the table's low bits. */
    static int spread(int hash) {
        int h = hash ^ (hash >>> 16); // MurmurHash3's finalizer
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    static int u16(byte[] octets, int at) {
        return (octets[at] & 0xff) << 8 | octets[at + 1] & 0xff;
    }

    static int u32(byte[] octets, int at) {
        return (octets[at] & 0xff) << 24 | (octets[at + 1] & 0xff) << 16 | (octets[at + 2] & 0xff) << 8
                | octets[at + 3] & 0xff;
    }

    /** An open-addressing table of {@code count} entries, at most half full. */
    static int[] slotsFor(int count) {
        return new int[Math.max(16, Integer.highestOneBit(Math.max(1, count)) << 2)];
    }

    /** The pages, in order: for {@link PageSharing} and {@link WireCursor}, which read them and change nothing. */
    byte[][] pages() {
        return pages;
    }

    /** The same table over {@code samePages} (the same octets, some of them held by another table). */
    NodeTable withPages(byte[][] samePages) {
        return new NodeTable(samePages, slots, names, records, nsOwners, digest);
    }
}
