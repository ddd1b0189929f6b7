package dev.chivato.server.data;

import static dev.chivato.server.data.NodeTable.MAX_PAGES;
import static dev.chivato.server.data.NodeTable.MAX_RDATA;
import static dev.chivato.server.data.NodeTable.MAX_RECORD_OCTETS;
import static dev.chivato.server.data.NodeTable.PAGE_EVERY;
import static dev.chivato.server.data.NodeTable.PAGE_FULL;
import static dev.chivato.server.data.NodeTable.slotsFor;
import static dev.chivato.server.data.NodeTable.spread;
import static dev.chivato.server.data.NodeTable.u16;
import static dev.chivato.server.data.NodeTable.u32;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.WireFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Collects records one at a time (duplicates, same owner, type and RDATA, are left out; the first TTL of an RRset
 * stands for it, RFC 2181 section 5.2) in arrays and octets rather than objects, then lays the table out.
 */
final class NodeTableBuilder {
    final GrowableBytes names = new GrowableBytes();
    int[] ownerAt = new int[16];
    private int[] ownerHash = new int[16];
    /** The names that hold an NS RRset, counted as the table is laid out. */
    private int nsOwners;
    private int[] firstRecord = new int[16];
    private int[] lastRecord = new int[16];
    int owners;
    private int[] ownerSlots = slotsFor(0);
    /** Per record: type (u16), TTL (u32), source (u8), RDATA length (u16), RDATA; at {@link #recordAt}. */
    private final ChunkedBytes data = new ChunkedBytes();
    /** Per chunk of {@link #data}: the highest owner with a record in it, for {@link #build} to free it after. */
    private int[] lastOwnerOfChunk = new int[16];
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
        int place = data.reserve(9 + MAX_RDATA);
        int length = write(data.chunk(place), ChunkedBytes.offset(place), owner, type, ttl, rdata, source);
        return keep(id, place, length);
    }

    /**
     * A record as {@link #addWrittenReportingFirstType} takes it, checked to fit in a message: what a thread that
     * parses records can do for the one that keeps them (benchmarks/load/signed.sh: the keeping thread is the one
     * the others wait for).
     */
    static byte[] written(Name owner, RRType type, long ttl, RData rdata, AnswerSource source) {
        byte[] scratch = SCRATCH.get();
        int length = write(scratch, 0, owner, type, ttl, rdata, source);
        return Arrays.copyOf(scratch, 9 + length);
    }

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[9 + MAX_RDATA]);

    /** As {@link #addReportingFirstType}, the record {@link #written} already. */
    int addWrittenReportingFirstType(Name owner, byte[] written) {
        int id = intern(owner);
        int place = data.reserve(written.length);
        System.arraycopy(written, 0, data.chunk(place), ChunkedBytes.offset(place), written.length);
        return keep(id, place, written.length - 9);
    }

    /** Writes the record at {@code d[start]}: type, TTL, source, RDATA length, RDATA; returns the RDATA's length. */
    private static int write(byte[] d, int start, Name owner, RRType type, long ttl, RData rdata,
            AnswerSource source) {
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
        return length;
    }

    /** Keeps the record written at {@code place} for owner {@code id}, unless the owner has it already. */
    private int keep(int id, int place, int length) {
        int earlier = firstRecord[id] < 0 ? FIRST_AT_OWNER : data.u16(recordAt[firstRecord[id]]);
        if (earlier != FIRST_AT_OWNER && holds(id, place)) {
            return DUPLICATE;
        }
        int chunk = ChunkedBytes.chunkOf(place);
        if (chunk == lastOwnerOfChunk.length) {
            lastOwnerOfChunk = Arrays.copyOf(lastOwnerOfChunk, chunk * 2);
        }
        lastOwnerOfChunk[chunk] = Math.max(lastOwnerOfChunk[chunk], id);
        int r = recordCount++;
        growRecords();
        recordAt[r] = place;
        recordOwner[r] = id;
        nextRecord[r] = -1;
        if (firstRecord[id] < 0) {
            firstRecord[id] = r;
        } else {
            nextRecord[lastRecord[id]] = r;
        }
        lastRecord[id] = r;
        data.commit(place, 9 + length);
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

    private int recordHash(int owner, int place) {
        byte[] d = data.chunk(place);
        int at = ChunkedBytes.offset(place);
        int length = u16(d, at + 7);
        int hash = owner * 31 + u16(d, at);
        boolean names = holdsNames(u16(d, at));
        for (int b = at + 9; b < at + 9 + length; b++) {
            byte octet = d[b];
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

    /** Adds the empty non-terminals up to {@code ceiling}: see {@link EmptyNonTerminals}. */
    void addEmptyNonTerminals(Name ceiling) {
        EmptyNonTerminals.add(this, ceiling);
    }

    /** Adds the empty non-terminals, each name's ceiling given by {@code ceiling}. */
    void addEmptyNonTerminals(UnaryOperator<Name> ceiling) {
        EmptyNonTerminals.add(this, ceiling);
    }

    /**
     * Lays the nodes out page by page, once: each chunk of records is freed as soon as its owners are laid out, so
     * that a zone whose records come owner by owner (as signers write them) is not held twice while it is copied.
     */
    NodeTable build() {
        int freed = 0;
        GrowableBytes page = new GrowableBytes();
        List<byte[]> pages = new ArrayList<>();
        int[] nodeAt = new int[owners];
        int[] scratch = new int[16];
        long digest = 0;
        for (int id = 0; id < owners; id++) {
            if (page.length == 0 && pages.size() == MAX_PAGES) {
                throw new IllegalArgumentException("more than " + MAX_PAGES + " pages of names and records in one "
                        + "zone or hosts list");
            }
            nodeAt[id] = pages.size() << 16 | page.length;
            int nameLength = nameLength(id);
            page.ensure(nameLength + 4);
            System.arraycopy(names.octets, ownerAt[id], page.octets, page.length, nameLength);
            page.length += nameLength;
            long ownerHash = Digest.ofLowerCase(names.octets, ownerAt[id], nameLength);
            int count = 0;
            for (int r = firstRecord[id]; r >= 0; r = nextRecord[r]) {
                if (count == scratch.length) {
                    scratch = Arrays.copyOf(scratch, count * 2);
                }
                scratch[count++] = r;
            }
            digest += writeRRsets(page, scratch, count, ownerHash);
            while (freed < data.chunks() && lastOwnerOfChunk[freed] <= id) {
                data.release(freed++);
            }
            if (id + 1 == owners || page.length >= PAGE_FULL
                    || (spread((int) (ownerHash ^ ownerHash >>> 32)) & PAGE_EVERY - 1) == 0) {
                pages.add(Arrays.copyOf(page.octets, page.length)); // the next node opens the next page
                page.length = 0;
            }
        }
        int[] slots = slotsFor(owners);
        int mask = slots.length - 1;
        int tagMask = NodeTable.tagMask(pages.size());
        for (int id = 0; id < owners; id++) {
            int i = ownerHash[id] & mask;
            while (slots[i] != 0) {
                i = (i + 1) & mask;
            }
            slots[i] = NodeTable.slotEntry(nodeAt[id], ownerHash[id], tagMask);
        }
        return new NodeTable(pages.toArray(byte[][]::new), slots, owners, recordCount, nsOwners, digest);
    }

    /** Writes one owner's records grouped into RRsets, types in the order they first came; returns their digest. */
    private long writeRRsets(GrowableBytes out, int[] records, int count, long ownerHash) {
        List<int[]> rrsets = groupByType(records, count);
        put32(out.octets, out.length, rrsets.size());
        out.length += 4;
        long digest = 0;
        for (int[] rrset : rrsets) {
            byte[] header = data.chunk(recordAt[rrset[0]]);
            int first = ChunkedBytes.offset(recordAt[rrset[0]]);
            if (u16(header, first) == RRType.NS.value()) {
                nsOwners++; // one NS RRset a name: only RRSIG is split
            }
            out.ensure(11);
            System.arraycopy(header, first, out.octets, out.length, 7); // type, TTL, source
            put32(out.octets, out.length + 7, rrset.length);
            out.length += 11;
            for (int r : rrset) {
                byte[] d = data.chunk(recordAt[r]);
                int at = ChunkedBytes.offset(recordAt[r]);
                int length = u16(d, at + 7);
                out.ensure(2 + length);
                System.arraycopy(d, at + 7, out.octets, out.length, 2 + length);
                out.length += 2 + length;
                digest += Digest.ofRecord(ownerHash, header, first, d, at + 9, length);
            }
        }
        return digest;
    }

    /**
     * The records split by type, each group in the order given, the groups in the order their types came. RRSIG
     * records are split by TTL as well: each has the TTL of the RRset it covers (RFC 4034 section 3), which differ
     * from type to type, and the signer's TTLs are kept for the answers and the transfers.
     */
    private List<int[]> groupByType(int[] records, int count) {
        if (count == 0) {
            return List.of(); // an empty non-terminal
        }
        int firstType = data.u16(recordAt[records[0]]);
        boolean oneType = true;
        for (int i = 1; i < count && oneType; i++) {
            oneType = data.u16(recordAt[records[i]]) == firstType;
        }
        if (oneType) {
            return List.of(Arrays.copyOf(records, count));
        }
        long[] keys = new long[count];
        int[] groupOf = new int[count];
        int[] sizes = new int[count];
        int groups = 0;
        int[] slots = new int[Integer.highestOneBit(count) << 2]; // group + 1 by key, open addressing
        int mask = slots.length - 1;
        for (int i = 0; i < count; i++) {
            int at = recordAt[records[i]];
            long type = data.u16(at);
            long key = type == RRType.RRSIG.value() ? type | (long) data.u32(at + 2) << 16 : type;
            int slot = spread(Long.hashCode(key)) & mask;
            while (slots[slot] != 0 && keys[slots[slot] - 1] != key) {
                slot = (slot + 1) & mask;
            }
            if (slots[slot] == 0) {
                keys[groups] = key;
                slots[slot] = ++groups;
            }
            groupOf[i] = slots[slot] - 1;
            sizes[groupOf[i]]++;
        }
        int[][] grouped = new int[groups][];
        for (int g = 0; g < groups; g++) {
            grouped[g] = new int[sizes[g]];
            sizes[g] = 0;
        }
        for (int i = 0; i < count; i++) {
            int g = groupOf[i];
            grouped[g][sizes[g]++] = records[i];
        }
        return Arrays.asList(grouped);
    }

    private boolean sameTypeAndData(int placeA, int placeB) {
        byte[] da = data.chunk(placeA);
        byte[] db = data.chunk(placeB);
        int a = ChunkedBytes.offset(placeA);
        int b = ChunkedBytes.offset(placeB);
        int length = u16(da, a + 7);
        int type = u16(da, a);
        if (type != u16(db, b) || length != u16(db, b + 7)) {
            return false;
        }
        if (Arrays.equals(da, a + 9, a + 9 + length, db, b + 9, b + 9 + length)) {
            return true;
        }
        return holdsNames(type) && decoded(type, placeA).equals(decoded(type, placeB)); // names without case
    }

    private RData decoded(int type, int place) {
        int at = ChunkedBytes.offset(place);
        try {
            return RData.decode(RRType.of(type), ByteBuffer.wrap(data.chunk(place), at + 9, data.u16(place + 7))
                    .slice());
        } catch (WireFormatException e) {
            throw new IllegalStateException("a record written here does not read back: " + e.getMessage(), e);
        }
    }

    int nameLength(int id) {
        return (id + 1 < owners ? ownerAt[id + 1] : names.length) - ownerAt[id];
    }

    Name nameOf(int id) {
        return Name.fromWire(names.octets, ownerAt[id], nameLength(id));
    }

    private int intern(Name name) {
        names.ensure(name.wireLength());
        name.copyWire(names.octets, names.length); // staged past the end: kept only if the name is new
        return internRegion(names.length, name.wireLength(), spread(name.hashCode()));
    }

    /** The owner whose name is {@code names[from..from+length)}, or -1. */
    int findRegion(int from, int length, int hash) {
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
    int internRegion(int from, int length, int hash) {
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

    /** 64-bit hashes for {@link NodeTable#digest()} (FNV-1a, then a finalizer so that sums of them stay spread). */
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

        /** A record: its owner's hash, the type and TTL at {@code header}, the RDATA at {@code rdata}. */
        static long ofRecord(long ownerHash, byte[] headers, int header, byte[] octets, int rdata, int length) {
            long h = ownerHash;
            for (int i = header; i < header + 6; i++) {
                h = (h ^ (headers[i] & 0xff)) * PRIME;
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
