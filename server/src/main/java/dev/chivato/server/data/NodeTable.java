package dev.chivato.server.data;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.protocol.WireFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

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
 * were: a new version of a zone {@link #sharingPagesWith shares} those with the old one, and a transfer that keeps
 * the old version alive through reloads keeps alive only the pages that changed.
 */
final class NodeTable {
    private static final AnswerSource[] SOURCES = AnswerSource.values();
    /** The largest RDATA: what a record's 16-bit RDLENGTH can say. */
    private static final int MAX_RDATA = 0xffff;
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
    private static final int MAX_PAGES = 1 << 16;

    private final byte[][] pages;
    /**
     * Each node's place + 1 in the slot of its name's hash (linear probing), 0 for none; at most half full. A place
     * is its page's index in the upper 16 bits and its offset in that page in the lower 16.
     */
    private final int[] slots;
    private final int names;
    private final int records;
    private final long digest;

    private NodeTable(byte[][] pages, int[] slots, int names, int records, long digest) {
        this.pages = pages;
        this.slots = slots;
        this.names = names;
        this.records = records;
        this.digest = digest;
    }

    /** The node of {@code name}, its RRsets decoded; with {@code ttl} ≥ 0, every RRset has that TTL. */
    Optional<Snapshot.Node> get(Name name, long ttl) {
        int mask = slots.length - 1;
        for (int i = spread(name.hashCode()) & mask; slots[i] != 0; i = (i + 1) & mask) {
            int place = slots[i] - 1;
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

    /**
     * This table with each page that {@code older} holds too, octet for octet, replaced by {@code older}'s: what did
     * not change between two versions is then held once for both.
     */
    NodeTable sharingPagesWith(NodeTable older) {
        Map<Page, byte[]> held = new HashMap<>();
        for (byte[] page : older.pages) {
            held.putIfAbsent(new Page(page), page);
        }
        byte[][] shared = pages.clone();
        for (int i = 0; i < shared.length; i++) {
            shared[i] = held.getOrDefault(new Page(shared[i]), shared[i]);
        }
        return new NodeTable(shared, slots, names, records, digest);
    }

    /** How many of this table's pages are the very arrays {@code other} holds. */
    int pagesSharedWith(NodeTable other) {
        Set<byte[]> theirs = Collections.newSetFromMap(new IdentityHashMap<>());
        theirs.addAll(Arrays.asList(other.pages));
        return (int) Arrays.stream(pages).filter(theirs::contains).count();
    }

    int pageCount() {
        return pages.length;
    }

    /** A page as a key by its content. */
    private record Page(byte[] octets, int hash) {
        Page(byte[] octets) {
            this(octets, Arrays.hashCode(octets));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Page other && hash == other.hash && Arrays.equals(octets, other.octets);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Walks the records in wire form, for a zone transfer: each is written as it is held (RDATA copied, its names
     * uncompressed, which is always allowed), its owner compressed against the zone's origin and the owner before
     * it in the same message. No record object is made. The apex SOA is passed over (a transfer brackets the zone
     * with it).
     */
    final class WireWalk implements WireRecords {
        private final byte[] origin;
        /** The page in hand, and its index. */
        private byte[] page = pages.length > 0 ? pages[0] : new byte[0];
        private int pageIndex;
        /** The offset in it of the next record to write, or of the next node when {@link #rrsetsLeft} is 0. */
        private int p;
        private int owner = -1;
        private int ownerLength;
        private int rrsetsLeft;
        private int recordsLeft;
        private int type;
        private int ttl;
        /** Where, in the message being written, the origin's wire form and the current owner's start (-1: not yet). */
        private int originAt = -1;
        private int ownerAt = -1;

        WireWalk(byte[] origin) {
            this.origin = origin;
        }

        @Override
        public void newMessage() {
            originAt = -1;
            ownerAt = -1;
        }

        @Override
        public boolean done() {
            skipEmpty();
            return recordsLeft == 0;
        }

        @Override
        public int write(ByteBuffer out, int messageStart, int soft, int hard) {
            int written = 0;
            while (out.position() < soft && !done()) {
                int length = u16(page, p);
                if (out.position() + ownerLength + 10 + length > hard) {
                    break; // past the most a message takes: the next message goes on from here
                }
                writeOwner(out, messageStart);
                out.putShort((short) type).putShort((short) 1).putInt(ttl).put(page, p, 2 + length);
                p += 2 + length;
                recordsLeft--;
                written++;
            }
            return written;
        }

        /** Moves to the next record, past empty non-terminals, RRsets done, ends of pages and the apex SOA. */
        private void skipEmpty() {
            while (recordsLeft == 0) {
                if (p >= page.length) { // a node ended the page: the next node opens the next one
                    if (pageIndex + 1 >= pages.length) {
                        return;
                    }
                    page = pages[++pageIndex];
                    p = 0;
                } else if (rrsetsLeft == 0) {
                    owner = p;
                    ownerLength = nameLength(page, p);
                    rrsetsLeft = u32(page, p + ownerLength);
                    p += ownerLength + 4;
                    ownerAt = -1;
                } else {
                    type = u16(page, p);
                    ttl = u32(page, p + 2);
                    recordsLeft = u32(page, p + 7);
                    rrsetsLeft--;
                    p += 11;
                    if (type == RRType.SOA.value() && ownerLength == origin.length
                            && Name.regionEqualsIgnoreCase(page, owner, origin, 0, origin.length)) {
                        for (; recordsLeft > 0; recordsLeft--) {
                            p += 2 + u16(page, p);
                        }
                    }
                }
            }
        }

        /** The owner: a pointer to where it was written in this message, or its labels before the origin's. */
        private void writeOwner(ByteBuffer out, int messageStart) {
            if (ownerAt >= 0) {
                out.putShort((short) (0xc000 | ownerAt));
                return;
            }
            int start = out.position() - messageStart;
            int prefix = ownerLength - origin.length;
            boolean underOrigin = prefix >= 0
                    && Name.regionEqualsIgnoreCase(page, owner + prefix, origin, 0, origin.length);
            if (underOrigin && originAt >= 0) {
                out.put(page, owner, prefix).putShort((short) (0xc000 | originAt));
            } else {
                out.put(page, owner, ownerLength);
                if (underOrigin && start + prefix < 0x4000) {
                    originAt = start + prefix;
                }
            }
            if (start < 0x4000) {
                ownerAt = start; // pointers reach only the first 16 KiB of a message
            }
        }
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
    private static int decode(byte[] page, int at, long ttl, List<Snapshot.RRset> rrsets) {
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

    private static RData rdata(RRType type, byte[] page, int at, int length) {
        try {
            return RData.decode(type, ByteBuffer.wrap(page, at, length).slice());
        } catch (WireFormatException e) {
            throw new IllegalStateException("a node table holds RDATA it cannot read back: " + e.getMessage(), e);
        }
    }

    private static int nameLength(byte[] octets, int at) {
        int p = at;
        while (octets[p] != 0) {
            p += 1 + (octets[p] & 0xff);
        }
        return p + 1 - at;
    }

    /** Mixes a name's hash so that names alike (host1, host2, ...) spread over the table's low bits. */
    private static int spread(int hash) {
        int h = hash ^ (hash >>> 16); // MurmurHash3's finalizer
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    private static int u16(byte[] octets, int at) {
        return (octets[at] & 0xff) << 8 | octets[at + 1] & 0xff;
    }

    private static int u32(byte[] octets, int at) {
        return (octets[at] & 0xff) << 24 | (octets[at + 1] & 0xff) << 16 | (octets[at + 2] & 0xff) << 8
                | octets[at + 3] & 0xff;
    }

    /** An open-addressing table of {@code count} entries, at most half full. */
    private static int[] slotsFor(int count) {
        return new int[Math.max(16, Integer.highestOneBit(Math.max(1, count)) << 2)];
    }

    /**
     * Collects records one at a time (duplicates, same owner, type and RDATA, are left out; the first TTL of an RRset
     * stands for it, RFC 2181 section 5.2) in arrays and octets rather than objects, then lays the table out.
     */
    static final class Builder {
        private final GrowableBytes names = new GrowableBytes();
        private int[] ownerAt = new int[16];
        private int[] ownerHash = new int[16];
        private int[] firstRecord = new int[16];
        private int[] lastRecord = new int[16];
        private int owners;
        private int[] ownerSlots = slotsFor(0);
        /** Per record: type (u16), TTL (u32), source (u8), RDATA length (u16), RDATA. */
        private final GrowableBytes data = new GrowableBytes();
        private int[] recordAt = new int[16];
        private int[] recordOwner = new int[16];
        private int[] recordHash = new int[16];
        private int[] nextRecord = new int[16];
        private int recordCount;
        /** Records per owner; from {@link #INDEXED_FROM} on, an owner's records are in {@link #recordSlots}. */
        private int[] ownerRecords = new int[16];
        private int[] recordSlots = slotsFor(0);
        private int indexed;

        private static final int INDEXED_FROM = 8;
        /** What {@link #add} returns when the owner had no record before. */
        static final int FIRST_AT_OWNER = -1;
        /** What {@link #add} returns when the owner already had the record (same type and RDATA): not added. */
        static final int DUPLICATE = -2;

        /** Adds one record; false when the same owner already has it (same type and RDATA). */
        boolean add(Name owner, RRType type, long ttl, RData rdata, AnswerSource source) {
            return addReportingFirstType(owner, type, ttl, rdata, source) != DUPLICATE;
        }

        /**
         * Adds one record, and says what was at its owner before: the type of the owner's first record, for a check
         * such as "CNAME stands alone", or {@link #FIRST_AT_OWNER}, or {@link #DUPLICATE}.
         */
        int addReportingFirstType(Name owner, RRType type, long ttl, RData rdata, AnswerSource source) {
            int id = intern(owner);
            int earlier = firstRecord[id] < 0 ? FIRST_AT_OWNER : u16(data.octets, recordAt[firstRecord[id]]);
            int start = data.length;
            data.ensure(9 + MAX_RDATA);
            byte[] d = data.octets;
            put16(d, start, type.value());
            put32(d, start + 2, (int) ttl);
            d[start + 6] = (byte) source.ordinal();
            int length = RData.encode(rdata, ByteBuffer.wrap(d, start + 9, MAX_RDATA));
            if (owner.wireLength() + 10 + length > MAX_RECORD_OCTETS) {
                throw new IllegalArgumentException("a " + type + " record of " + (owner.wireLength() + 10 + length)
                        + " octets fits in no message (at most " + MAX_RECORD_OCTETS + ", with room for the header "
                        + "and a TSIG record)");
            }
            put16(d, start + 7, length);
            if (earlier != FIRST_AT_OWNER && holds(id, start)) {
                return DUPLICATE;
            }
            int r = recordCount++;
            growRecords();
            recordAt[r] = start;
            recordOwner[r] = id;
            nextRecord[r] = -1;
            if (firstRecord[id] < 0) {
                firstRecord[id] = r;
            } else {
                nextRecord[lastRecord[id]] = r;
            }
            lastRecord[id] = r;
            data.length = start + 9 + length;
            if (++ownerRecords[id] == INDEXED_FROM) {
                index(firstRecord[id]); // the owner's records so far, this one among them
            } else if (ownerRecords[id] > INDEXED_FROM) {
                index(r);
            }
            return earlier;
        }

        /**
         * Whether the owner already has the record written at {@code candidate}: a look along its few records, or in
         * the table of the records of owners with many (a name may have thousands of addresses).
         */
        private boolean holds(int id, int candidate) {
            if (ownerRecords[id] < INDEXED_FROM) {
                for (int r = firstRecord[id]; r >= 0; r = nextRecord[r]) {
                    if (sameTypeAndData(recordAt[r], candidate)) {
                        return true;
                    }
                }
                return false;
            }
            int hash = recordHash(id, candidate);
            int mask = recordSlots.length - 1;
            for (int i = hash & mask; recordSlots[i] != 0; i = (i + 1) & mask) {
                int other = recordSlots[i] - 1;
                if (recordHash[other] == hash && recordOwner[other] == id
                        && sameTypeAndData(recordAt[other], candidate)) {
                    return true;
                }
            }
            return false;
        }

        /** Puts record {@code from} and those after it at its owner into {@link #recordSlots}. */
        private void index(int from) {
            int added = 0;
            for (int r = from; r >= 0; r = nextRecord[r]) {
                recordHash[r] = recordHash(recordOwner[r], recordAt[r]);
                added++;
            }
            indexed += added;
            if (indexed * 2 > recordSlots.length) {
                int[] slots = slotsFor(indexed);
                for (int r = 0; r < recordCount; r++) {
                    if (ownerRecords[recordOwner[r]] >= INDEXED_FROM) {
                        insert(slots, r);
                    }
                }
                recordSlots = slots;
                return;
            }
            for (int r = from; r >= 0; r = nextRecord[r]) {
                insert(recordSlots, r);
            }
        }

        private void insert(int[] slots, int r) {
            int mask = slots.length - 1;
            int i = recordHash[r] & mask;
            while (slots[i] != 0) {
                i = (i + 1) & mask;
            }
            slots[i] = r + 1;
        }

        private int recordHash(int owner, int at) {
            int length = u16(data.octets, at + 7);
            int hash = owner * 31 + u16(data.octets, at);
            boolean names = holdsNames(u16(data.octets, at));
            for (int b = at + 9; b < at + 9 + length; b++) {
                byte octet = data.octets[b];
                hash = 31 * hash + (names && octet >= 'A' && octet <= 'Z' ? octet + ('a' - 'A') : octet);
            }
            return spread(hash);
        }

        /**
         * The types whose RDATA holds names, which compare without regard to case (RFC 4343): two such records that
         * differ only in the case of a name are one record, as NSD and Knot have them.
         */
        private static boolean holdsNames(int type) {
            return switch (type) {
                case 2, 5, 6, 12, 15, 33 -> true; // NS, CNAME, SOA, PTR, MX, SRV
                default -> false;
            };
        }

        /** Records added, duplicates not counted. */
        int records() {
            return recordCount;
        }

        /**
         * Adds every ancestor of every name, up to and with {@code ceiling} (the zone's apex; the root for hosts
         * records outside every zone), as an empty non-terminal (RFC 8020: NODATA there).
         */
        void addEmptyNonTerminals(Name ceiling) {
            byte[] top = ceiling.wire();
            addAncestors(id -> top);
        }

        /** As {@link #addEmptyNonTerminals(Name)}, with the ceiling of each name given by {@code ceiling}. */
        void addEmptyNonTerminals(UnaryOperator<Name> ceiling) {
            addAncestors(id -> ceiling.apply(nameOf(id)).wire());
        }

        /** Walks up each name's wire form in place (a parent is the name past its first label), adding what is new. */
        private void addAncestors(IntFunction<byte[]> ceiling) {
            int given = owners;
            for (int id = 0; id < given; id++) {
                byte[] top = ceiling.apply(id);
                int at = ownerAt[id];
                int length = nameLength(id);
                for (int skip = 0; length - skip > 1 && !isRegion(top, at + skip, length - skip); ) {
                    skip += 1 + (names.octets[at + skip] & 0xff);
                    int hash = spread(Name.hashCodeOf(names.octets, at + skip, length - skip));
                    if (findRegion(at + skip, length - skip, hash) >= 0) {
                        break; // already there, and so are its ancestors
                    }
                    internRegion(at + skip, length - skip, hash);
                }
            }
        }

        private boolean isRegion(byte[] wire, int from, int length) {
            return wire.length == length && Name.regionEqualsIgnoreCase(wire, 0, names.octets, from, length);
        }

        NodeTable build() {
            GrowableBytes out = new GrowableBytes();
            out.ensure(names.length + data.length + owners * 4 + recordCount * 4);
            int[] nodeAt = new int[owners];
            int[] pageStarts = new int[16];
            int pageCount = 0;
            int[] scratch = new int[16];
            long digest = 0;
            for (int id = 0; id < owners; id++) {
                if (out.length == pageStarts[pageCount]) { // this node opens a page
                    if (pageCount == MAX_PAGES) {
                        throw new IllegalArgumentException("more than " + MAX_PAGES + " pages of names and records "
                                + "in one zone or hosts list");
                    }
                    pageCount++;
                }
                nodeAt[id] = (pageCount - 1) << 16 | out.length - pageStarts[pageCount - 1];
                int nameLength = nameLength(id);
                out.ensure(nameLength + 4);
                System.arraycopy(names.octets, ownerAt[id], out.octets, out.length, nameLength);
                out.length += nameLength;
                long ownerHash = Digest.ofLowerCase(names.octets, ownerAt[id], nameLength);
                int count = 0;
                for (int r = firstRecord[id]; r >= 0; r = nextRecord[r]) {
                    if (count == scratch.length) {
                        scratch = Arrays.copyOf(scratch, count * 2);
                    }
                    scratch[count++] = r;
                }
                digest += writeRRsets(out, scratch, count, ownerHash);
                if (out.length - pageStarts[pageCount - 1] >= PAGE_FULL
                        || (spread((int) (ownerHash ^ ownerHash >>> 32)) & PAGE_EVERY - 1) == 0) {
                    if (pageCount + 1 >= pageStarts.length) {
                        pageStarts = Arrays.copyOf(pageStarts, pageStarts.length * 2);
                    }
                    pageStarts[pageCount] = out.length; // the next node opens the next page
                }
            }
            byte[][] pages = new byte[pageCount][];
            for (int i = 0; i < pageCount; i++) {
                int end = i + 1 < pageCount ? pageStarts[i + 1] : out.length;
                pages[i] = Arrays.copyOfRange(out.octets, pageStarts[i], end);
            }
            int[] slots = slotsFor(owners);
            int mask = slots.length - 1;
            for (int id = 0; id < owners; id++) {
                int i = ownerHash[id] & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = nodeAt[id] + 1;
            }
            return new NodeTable(pages, slots, owners, recordCount, digest);
        }

        /** Writes one owner's records grouped into RRsets, types in the order they first came; returns their digest. */
        private long writeRRsets(GrowableBytes out, int[] records, int count, long ownerHash) {
            List<int[]> rrsets = groupByType(records, count);
            put32(out.octets, out.length, rrsets.size());
            out.length += 4;
            long digest = 0;
            for (int[] rrset : rrsets) {
                int first = recordAt[rrset[0]];
                out.ensure(11);
                System.arraycopy(data.octets, first, out.octets, out.length, 7); // type, TTL, source
                put32(out.octets, out.length + 7, rrset.length);
                out.length += 11;
                for (int r : rrset) {
                    int at = recordAt[r];
                    int length = u16(data.octets, at + 7);
                    out.ensure(2 + length);
                    System.arraycopy(data.octets, at + 7, out.octets, out.length, 2 + length);
                    out.length += 2 + length;
                    digest += Digest.ofRecord(ownerHash, data.octets, first, at + 9, length);
                }
            }
            return digest;
        }

        /** The records split by type, each group in the order given, the groups in the order their types came. */
        private List<int[]> groupByType(int[] records, int count) {
            if (count == 0) {
                return List.of(); // an empty non-terminal
            }
            int firstType = u16(data.octets, recordAt[records[0]]);
            boolean oneType = true;
            for (int i = 1; i < count && oneType; i++) {
                oneType = u16(data.octets, recordAt[records[i]]) == firstType;
            }
            if (oneType) {
                return List.of(Arrays.copyOf(records, count));
            }
            Map<Integer, List<Integer>> byType = new java.util.LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                byType.computeIfAbsent(u16(data.octets, recordAt[records[i]]), t -> new ArrayList<>())
                        .add(records[i]);
            }
            List<int[]> groups = new ArrayList<>(byType.size());
            byType.values().forEach(group -> groups.add(group.stream().mapToInt(Integer::intValue).toArray()));
            return groups;
        }

        private boolean sameTypeAndData(int a, int b) {
            byte[] d = data.octets;
            int length = u16(d, a + 7);
            int type = u16(d, a);
            if (type != u16(d, b) || length != u16(d, b + 7)) {
                return false;
            }
            if (Arrays.equals(d, a + 9, a + 9 + length, d, b + 9, b + 9 + length)) {
                return true;
            }
            return holdsNames(type) && decoded(type, a).equals(decoded(type, b)); // names without regard to case
        }

        private RData decoded(int type, int at) {
            try {
                return RData.decode(RRType.of(type), ByteBuffer.wrap(data.octets, at + 9, u16(data.octets, at + 7))
                        .slice());
            } catch (WireFormatException e) {
                throw new IllegalStateException("a record written here does not read back: " + e.getMessage(), e);
            }
        }

        private int nameLength(int id) {
            return (id + 1 < owners ? ownerAt[id + 1] : names.length) - ownerAt[id];
        }

        private Name nameOf(int id) {
            return Name.fromWire(names.octets, ownerAt[id], nameLength(id));
        }

        private int intern(Name name) {
            names.ensure(name.wireLength());
            name.copyWire(names.octets, names.length); // staged past the end: kept only if the name is new
            return internRegion(names.length, name.wireLength(), spread(name.hashCode()));
        }

        /** The owner whose name is {@code names[from..from+length)}, or -1. */
        private int findRegion(int from, int length, int hash) {
            int mask = ownerSlots.length - 1;
            for (int i = hash & mask; ownerSlots[i] != 0; i = (i + 1) & mask) {
                int id = ownerSlots[i] - 1;
                if (ownerHash[id] == hash && nameLength(id) == length
                        && Name.regionEqualsIgnoreCase(names.octets, ownerAt[id], names.octets, from, length)) {
                    return id;
                }
            }
            return -1;
        }

        /** The owner whose name is {@code names[from..from+length)}: found, or added with a copy at the end. */
        private int internRegion(int from, int length, int hash) {
            int found = findRegion(from, length, hash);
            if (found >= 0) {
                return found;
            }
            int id = owners++;
            if (id == ownerAt.length) {
                ownerAt = Arrays.copyOf(ownerAt, id * 2);
                ownerHash = Arrays.copyOf(ownerHash, id * 2);
                ownerRecords = Arrays.copyOf(ownerRecords, id * 2);
                firstRecord = Arrays.copyOf(firstRecord, id * 2);
                lastRecord = Arrays.copyOf(lastRecord, id * 2);
            }
            names.ensure(length);
            if (from != names.length) {
                System.arraycopy(names.octets, from, names.octets, names.length, length);
            }
            ownerAt[id] = names.length;
            names.length += length;
            ownerHash[id] = hash;
            firstRecord[id] = -1;
            lastRecord[id] = -1;
            int mask = ownerSlots.length - 1;
            int i = hash & mask;
            while (ownerSlots[i] != 0) {
                i = (i + 1) & mask;
            }
            ownerSlots[i] = id + 1;
            if (owners * 2 > ownerSlots.length) {
                ownerSlots = rehash(owners, ownerHash);
            }
            return id;
        }

        private void growRecords() {
            if (recordCount > recordAt.length) {
                int size = recordAt.length * 2;
                recordAt = Arrays.copyOf(recordAt, size);
                recordOwner = Arrays.copyOf(recordOwner, size);
                recordHash = Arrays.copyOf(recordHash, size);
                nextRecord = Arrays.copyOf(nextRecord, size);
            }
        }

        /** A new slot table for entries 0..count-1 with the given (spread) hashes. */
        private static int[] rehash(int count, int[] hashes) {
            int[] slots = slotsFor(count);
            int mask = slots.length - 1;
            for (int e = 0; e < count; e++) {
                int i = hashes[e] & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = e + 1;
            }
            return slots;
        }
    }

    /** A growable run of octets; at most what one Java array holds. */
    private static final class GrowableBytes {
        byte[] octets = new byte[256];
        int length;

        void ensure(int more) {
            long needed = (long) length + more;
            if (needed > octets.length) {
                if (needed > Integer.MAX_VALUE - 16) {
                    throw new IllegalArgumentException("more than 2 GiB of names and records in one zone or "
                            + "hosts list");
                }
                octets = Arrays.copyOf(octets, (int) Math.min(Integer.MAX_VALUE - 16,
                        Math.max(needed, (long) octets.length * 2)));
            }
        }
    }

    /** 64-bit hashes for {@link #digest()} (FNV-1a, then a finalizer so that sums of them stay spread). */
    private static final class Digest {
        private static final long OFFSET = 0xcbf29ce484222325L;
        private static final long PRIME = 0x100000001b3L;

        static long ofLowerCase(byte[] octets, int from, int length) {
            long h = OFFSET;
            for (int i = from; i < from + length; i++) {
                byte b = octets[i];
                h = (h ^ (b >= 'A' && b <= 'Z' ? b + 32 : b & 0xff)) * PRIME;
            }
            return h;
        }

        /** A record: its owner's hash, the type and TTL at {@code header}, the RDATA. */
        static long ofRecord(long ownerHash, byte[] octets, int header, int rdata, int length) {
            long h = ownerHash;
            for (int i = header; i < header + 6; i++) {
                h = (h ^ (octets[i] & 0xff)) * PRIME;
            }
            for (int i = rdata; i < rdata + length; i++) {
                h = (h ^ (octets[i] & 0xff)) * PRIME;
            }
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            h *= 0xc4ceb9fe1a85ec53L;
            return h ^ (h >>> 33);
        }
    }

    private static void put16(byte[] octets, int at, int value) {
        octets[at] = (byte) (value >>> 8);
        octets[at + 1] = (byte) value;
    }

    private static void put32(byte[] octets, int at, int value) {
        octets[at] = (byte) (value >>> 24);
        octets[at + 1] = (byte) (value >>> 16);
        octets[at + 2] = (byte) (value >>> 8);
        octets[at + 3] = (byte) value;
    }
}
