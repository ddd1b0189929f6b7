package dev.chivato.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The one encoder. Writes a message into a buffer within a size limit, compressing names through a map from each
 * name suffix already written to its offset. A mark taken before an RRset lets it roll the RRset back, output and
 * compression entries both, when it does not fit.
 *
 * <p>How to read this file: {@code encode} writes the header, then each section's RRsets whole or not at all;
 * {@code name} is where compression happens (the longest suffix already written becomes a pointer); {@code rdata}
 * writes each type's fields, and a {@link RData.Described} record's octets as they are (never compressed).
 */
final class WireWriter {
    /** A compression pointer holds 14 bits of offset. */
    private static final int MAX_POINTER_TARGET = 0x3fff;

    /** Thrown when a write would pass the limit; caught inside this class only, so it needs no stack trace. */
    private static final class Overflow extends RuntimeException {
        private static final Overflow INSTANCE = new Overflow();

        private Overflow() {
            super("message limit reached", null, false, false);
        }
    }

    /** Each thread's table, reused from one message to the next: encoding allocates nothing for compression. */
    private static final ThreadLocal<CompressionTable> TABLES = ThreadLocal.withInitial(CompressionTable::new);
    /** Each thread's array to write into when the buffer has none of its own (a direct or read-only buffer). */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[Message.MAX_LENGTH]);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** What a writer that does not compress has: a table nothing is ever added to, so shared and always empty. */
    private static final CompressionTable NO_SUFFIXES = new CompressionTable();

    /** Where the message goes. */
    private final ByteBuffer buffer;
    /**
     * What is written into: the buffer's own array when it has one (plain array stores are the fastest writes),
     * else this thread's scratch array, copied into the buffer by {@link #finish}.
     */
    private final byte[] bytes;
    /** Where offset 0 of the message is in {@link #bytes}. */
    private final int base;
    private final boolean compress;
    private final CompressionTable suffixes;
    private int limit;
    private int position;

    private WireWriter(ByteBuffer buffer, int limit, boolean compress) {
        this.buffer = buffer;
        if (buffer.hasArray()) {
            this.bytes = buffer.array();
            this.base = buffer.arrayOffset() + buffer.position();
        } else {
            this.bytes = SCRATCH.get();
            this.base = 0;
        }
        this.limit = Math.min(limit, bytes.length - base); // the scratch array holds one message at most
        this.compress = compress;
        this.suffixes = compress ? TABLES.get() : NO_SUFFIXES;
        if (compress) {
            suffixes.clear(); // the shared empty table is never written: threads would take its cache line in turn
        }
    }

    static int encode(Message message, ByteBuffer out, int maxLength, boolean compress) {
        int limit = Math.min(Math.min(maxLength, out.remaining()), Message.MAX_LENGTH);
        // A TSIG record ends the message, after OPT (RFC 8945 section 5.1); like OPT, it always has its room.
        List<ResourceRecord> additional = message.additional();
        ResourceRecord tsig = null;
        if (!additional.isEmpty() && additional.get(additional.size() - 1).type().equals(RRType.TSIG)) {
            tsig = additional.get(additional.size() - 1);
            additional = additional.subList(0, additional.size() - 1);
        }
        Edns edns = message.edns().isPresent() ? message.edns().get() : null;
        int reserved = (edns == null ? 0 : edns.wireLength()) + (tsig == null ? 0 : uncompressedLength(tsig));
        if (limit < Header.LENGTH + reserved) {
            throw new IllegalArgumentException("a limit of " + limit + " octets leaves no room for the message");
        }
        WireWriter writer = new WireWriter(out, limit - reserved, compress);
        writer.position = Header.LENGTH;
        for (Question question : message.questions()) {
            try {
                writer.name(question.name(), true);
                writer.u16(question.type().value());
                writer.u16(question.qclass().value());
            } catch (Overflow e) {
                throw new IllegalArgumentException("a limit of " + limit + " octets leaves no room for the question");
            }
        }
        boolean truncated = false;
        int answerCount = writer.recordsThatFit(message.answers(), false);
        int authorityCount = 0;
        int additionalCount = 0;
        if (answerCount < message.answers().size()) {
            truncated = true;
        } else {
            authorityCount = writer.recordsThatFit(message.authority(), false);
            if (authorityCount < message.authority().size()) {
                truncated = true;
            } else {
                // Additional data is a courtesy (RFC 2181 section 9): what does not fit is left out, the rest goes.
                additionalCount = writer.recordsThatFit(additional, true);
            }
        }
        writer.limit = limit;
        if (edns != null) {
            writer.opt(edns);
            additionalCount++;
        }
        if (tsig != null) {
            writer.record(tsig, false); // its owner, the key's name, is never compressed
            additionalCount++;
        }
        Header header = message.header();
        int flags = header.flagsWord() | (truncated ? Header.TC : 0);
        writer.put16(0, header.id());
        writer.put16(2, flags);
        writer.put16(4, message.questions().size());
        writer.put16(6, answerCount);
        writer.put16(8, authorityCount);
        writer.put16(10, additionalCount);
        return writer.finish();
    }

    /** Puts what was written into the buffer, if it went into the scratch array, and moves the buffer past it. */
    private int finish() {
        if (!buffer.hasArray()) {
            buffer.put(buffer.position(), bytes, 0, position);
        }
        buffer.position(buffer.position() + position);
        return position;
    }

    /**
     * Writes whole RRsets while they fit, or, with {@code skipWhatDoesNotFit}, every RRset that fits; returns how
     * many records went out.
     */
    private int recordsThatFit(List<ResourceRecord> records, boolean skipWhatDoesNotFit) {
        int written = 0;
        int i = 0;
        while (i < records.size()) {
            int end = ResourceRecord.endOfRRset(records, i);
            int markPosition = position;
            int markSuffixes = suffixes.size();
            try {
                for (int j = i; j < end; j++) {
                    record(records.get(j));
                }
                written += end - i;
            } catch (Overflow e) {
                rollback(markPosition, markSuffixes);
                if (!skipWhatDoesNotFit) {
                    return written;
                }
            }
            i = end;
        }
        return written;
    }

    private void rollback(int markPosition, int markSuffixes) {
        position = markPosition;
        if (compress) {
            suffixes.truncate(markSuffixes);
        }
    }

    /** Writes RDATA alone, names uncompressed, at {@code out}'s position, and moves it past; returns the length. */
    static int encodeRData(RData data, ByteBuffer out) {
        WireWriter writer = new WireWriter(out, out.remaining(), false);
        try {
            writer.rdata(data); // the TYPE it returns is the caller's to know
        } catch (Overflow e) {
            throw new IllegalArgumentException("no room for " + data.type() + " RDATA in " + out.remaining()
                    + " octets");
        }
        return writer.finish();
    }

    private void record(ResourceRecord record) {
        record(record, true);
    }

    private void record(ResourceRecord record, boolean compressOwner) {
        name(record.name(), compressOwner);
        int typeAt = position;
        reserve(10);
        put16(position + 2, record.rrClass().value());
        INTS.set(bytes, base + position + 4, (int) record.ttl());
        position += 10;
        // The TYPE comes from the RDATA's own branch: record.type() is an interface call, megamorphic in a
        // message of many types (CodecBenchmark.encodeHundred).
        put16(typeAt, rdata(record.data()));
        put16(typeAt + 8, position - typeAt - 10);
    }

    /** The OPT record that carries {@code edns}: what {@code record(edns.toRecord())} writes, without making it. */
    private void opt(Edns edns) {
        u8(0); // the root
        u16(RRType.OPT.value());
        u16(edns.udpPayloadSize());
        u32(edns.optTtl());
        int lengthAt = position;
        u16(0);
        bytes(edns.sharedOptionOctets());
        put16(lengthAt, position - lengthAt - 2);
    }

    private void options(List<EdnsOption> options) {
        for (int i = 0; i < options.size(); i++) {
            EdnsOption option = options.get(i);
            u16(option.code());
            u16(option.length());
            bytes(option.sharedData());
        }
    }

    /** The octets of a record written without compression: only a meta-record's, whose RDATA is kept opaque. */
    private static int uncompressedLength(ResourceRecord record) {
        return record.name().wireLength() + 10 + ((RData.Unknown) record.data()).sharedData().length;
    }

    /**
     * RDATA, and its TYPE's value to put in the record's header; names inside NS, CNAME, PTR, SOA and MX may be
     * compressed, as RFC 3597 section 4 allows; SRV's not.
     */
    private int rdata(RData data) {
        if (data instanceof RData.A a) {
            u32(a.address() & 0xffffffffL);
            return RRType.A.value();
        } else if (data instanceof RData.AAAA aaaa) {
            u32(aaaa.high() >>> 32);
            u32(aaaa.high() & 0xffffffffL);
            u32(aaaa.low() >>> 32);
            u32(aaaa.low() & 0xffffffffL);
            return RRType.AAAA.value();
        } else if (data instanceof RData.Ptr ptr) {
            name(ptr.target(), true);
            return RRType.PTR.value();
        } else if (data instanceof RData.Cname cname) {
            name(cname.target(), true);
            return RRType.CNAME.value();
        } else if (data instanceof RData.Ns ns) {
            name(ns.host(), true);
            return RRType.NS.value();
        } else if (data instanceof RData.Mx mx) {
            u16(mx.preference());
            name(mx.exchange(), true);
            return RRType.MX.value();
        } else if (data instanceof RData.Srv srv) {
            u16(srv.priority());
            u16(srv.weight());
            u16(srv.port());
            name(srv.target(), false); // RFC 2782: never compressed
            return RRType.SRV.value();
        } else if (data instanceof RData.Caa caa) {
            u8(caa.flags());
            u8(caa.tag().length());
            bytes(caa.tag().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            bytes(caa.sharedValue());
            return RRType.CAA.value();
        } else if (data instanceof RData.Soa soa) {
            name(soa.mname(), true);
            name(soa.rname(), true);
            u32(soa.serial());
            u32(soa.refresh());
            u32(soa.retry());
            u32(soa.expire());
            u32(soa.minimum());
            return RRType.SOA.value();
        } else if (data instanceof RData.Txt txt) {
            for (byte[] string : txt.sharedStrings()) {
                u8(string.length);
                bytes(string);
            }
            return RRType.TXT.value();
        } else if (data instanceof RData.Opt opt) {
            options(opt.options());
            return RRType.OPT.value();
        } else if (data instanceof RData.Described described) {
            bytes(described.sharedData()); // names uncompressed: only RFC 1035's types may compress (RFC 3597 s. 4)
            return described.type().value();
        }
        RData.Unknown unknown = (RData.Unknown) data; // RData is sealed: the one form left
        bytes(unknown.sharedData());
        return unknown.type().value();
    }

    /**
     * Writes a name: its labels up to the longest suffix already in the output, then a pointer to that suffix (or the
     * root's zero octet), in one copy. Every suffix written at an offset a pointer can reach is remembered for the
     * names that follow.
     */
    private void name(Name name, boolean compressible) {
        byte[] wire = name.sharedWire();
        if (!compress || !compressible) {
            bytes(wire);
            return;
        }
        if (suffixes.size() == 0) { // the first name, usually the question's: nothing to find, all to remember (later)
            int start = position;
            bytes(wire);
            suffixes.addFirstName(name, start, MAX_POINTER_TARGET);
            if (wire.length > 1 && start <= MAX_POINTER_TARGET) { // the root is its one octet, never a pointer
                suffixes.addRecent(name, wire, start);
            }
            return;
        }
        int recent = suffixes.findRecent(name, wire);
        if (recent >= 0) {
            u16(0xc000 | recent);
            return;
        }
        int start = position;
        int at = 0;
        int pointer = -1;
        while (wire[at] != 0) {
            if (at > 0) { // the suffix the last name ended in, usually the zone's: found without hashing it
                pointer = suffixes.findLastSuffix(wire, at);
                if (pointer >= 0) {
                    break;
                }
            }
            int hash = CompressionTable.suffixHash(name, wire, at);
            pointer = suffixes.find(wire, at, hash);
            if (pointer >= 0) {
                break;
            }
            if (start + at <= MAX_POINTER_TARGET) {
                suffixes.add(wire, at, hash, start + at); // rolled back with the RRset if the name does not fit
            }
            at += 1 + (wire[at] & 0xff);
        }
        reserve(pointer >= 0 ? at + 2 : at + 1);
        System.arraycopy(wire, 0, bytes, base + position, at); // one copy, not one a label (CodecBenchmark.encode*)
        position += at;
        if (pointer >= 0) {
            u16(0xc000 | pointer);
        } else {
            u8(0);
        }
        if (at == 0 && pointer >= 0) {
            suffixes.addRecent(name, wire, pointer);
        } else if (at > 0 && start <= MAX_POINTER_TARGET) {
            suffixes.addRecent(name, wire, start);
        }
    }

    private void reserve(int count) {
        if (count > limit - position) {
            throw Overflow.INSTANCE;
        }
    }

    private void u8(int value) {
        reserve(1);
        bytes[base + position++] = (byte) value;
    }

    private void u16(int value) {
        reserve(2);
        put16(position, value);
        position += 2;
    }

    private void put16(int at, int value) {
        SHORTS.set(bytes, base + at, (short) value);
    }

    private void u32(long value) {
        reserve(4);
        INTS.set(bytes, base + position, (int) value);
        position += 4;
    }

    private void bytes(byte[] octets) {
        reserve(octets.length);
        System.arraycopy(octets, 0, bytes, base + position, octets.length);
        position += octets.length;
    }
}
