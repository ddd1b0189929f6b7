package dev.chivato.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fast decoder, the one the server uses. Reads with absolute indexes into the buffer, checks every read against
 * the current limit first, and reports every failure as a {@link WireFormatException} whose offset counts from the
 * start of the message. Nothing is ever allocated from a count read off the wire. It gives what
 * {@link ReferenceReader} gives, message or failure, octet for octet ({@code ReferenceCodecTest}).
 *
 * <p>How to read this file: read {@link ReferenceReader} first; this is the same walk made cheaper.
 * {@link #message()} reads the sections in order (RFC 1035 section 4.1); each record is its owner ({@link #name()},
 * the pointer rules), TYPE, CLASS, TTL and RDATA ({@code rdata}: the engine's types by hand, every other type field
 * by field from its {@link TypeTable} row). The memo of names read before ({@code namesAt}) only saves walking a
 * name twice; what costs what is measured by {@code CodecBenchmark}'s decode shapes.
 */
final class WireReader {
    /** Fewest octets a question can take: root name, type, class. */
    private static final int MIN_QUESTION_LENGTH = 5;
    /** Fewest octets a record can take: root name, type, class, TTL, RDLENGTH. */
    private static final int MIN_RECORD_LENGTH = 11;

    /** The message's bytes: the buffer's own array when it has one, else a copy; plain array reads are fastest. */
    private final byte[] bytes;
    private final int base;
    private final int messageEnd;
    /** Reads may not pass this offset: the message end, or the end of the RDATA being read. */
    private int limit;
    private int position;
    /**
     * Names read in this message, by an offset where each is written: a name that is only a pointer to one of these
     * is that same {@link Name} (an answer's owners, usually all pointers to the question), and one that ends in
     * such a pointer is its labels and that name. Direct-mapped by a hash of the offset (0, in the header, marks an
     * empty slot; a newer name takes an older one's slot), sized to the message. Null for a message of one record
     * at most, where nothing would be found again.
     */
    private int[] namesAt;
    private Name[] namesRead;
    /** How far a hashed offset is shifted to give a slot: 32 less the table's bits. */
    private int namesShift;

    private WireReader(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            this.bytes = buffer.array();
            this.base = buffer.arrayOffset() + buffer.position();
        } else {
            this.bytes = new byte[buffer.remaining()];
            buffer.get(buffer.position(), this.bytes);
            this.base = 0;
        }
        this.messageEnd = buffer.remaining();
        this.limit = messageEnd;
    }

    /** Messages decoded in this process: a test counts them per query. */
    static final java.util.concurrent.atomic.LongAdder DECODES = new java.util.concurrent.atomic.LongAdder();
    /** Off unless a test asks ({@link Message#countDecodes}): a shared count costs every decode an atomic add. */
    static volatile boolean countingDecodes;

    static Message decodeMessage(ByteBuffer wire) throws WireFormatException {
        if (countingDecodes) {
            DECODES.increment();
        }
        WireReader reader = new WireReader(wire);
        try {
            return reader.message();
        } catch (IllegalArgumentException e) {
            // A value constructor refused what the bytes said; the wire checks should have caught it first.
            throw new WireFormatException(reader.position, e.getMessage());
        }
    }

    /** The RDATA of one record of class IN, filling the whole of {@code wire}: the form {@link RData#decode} reads. */
    static RData decodeRData(RRType type, ByteBuffer wire) throws WireFormatException {
        WireReader reader = new WireReader(wire);
        try {
            RData data = reader.rdata(type, RRClass.IN, reader.limit);
            if (reader.position != reader.limit) {
                throw new WireFormatException(reader.position, "octets after the " + type + " RDATA");
            }
            return data;
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(reader.position, e.getMessage());
        }
    }

    /** Reads only the header: what a server needs to answer FORMERR to a message it cannot decode. */
    static Header decodeHeader(ByteBuffer wire) throws WireFormatException {
        WireReader reader = new WireReader(wire);
        reader.need(Header.LENGTH, "message shorter than the 12-octet header");
        return Header.fromWire(reader.u16(), reader.u16());
    }

    private Message message() throws WireFormatException {
        need(Header.LENGTH, "message shorter than the 12-octet header");
        // the six words read at fixed offsets after the one check
        Header header = Header.fromWire(word(0), word(2));
        int questionCount = word(4);
        int answerCount = word(6);
        int authorityCount = word(8);
        int additionalCount = word(10);
        position = Header.LENGTH;
        long fewestOctets = (long) questionCount * MIN_QUESTION_LENGTH
                + (long) (answerCount + authorityCount + additionalCount) * MIN_RECORD_LENGTH;
        if (fewestOctets > messageEnd - position) {
            throw new WireFormatException(4, "section counts need at least " + fewestOctets + " octets but "
                    + (messageEnd - position) + " follow the header");
        }
        if (answerCount + authorityCount + additionalCount > 1) {
            // about a slot per 16 octets, from 16 to 256 slots: twice as many slots as names, in the usual answer
            int bits = Math.max(4, Math.min(8, 32 - Integer.numberOfLeadingZeros(messageEnd >>> 4)));
            namesAt = new int[1 << bits];
            namesRead = new Name[1 << bits];
            namesShift = 32 - bits;
        }
        List<Question> questions;
        if (questionCount == 1) { // the usual case: no list to grow and copy
            Name name = name();
            questions = List.of(new Question(name, RRType.of(u16()), RRClass.of(u16())));
        } else {
            List<Question> read = new ArrayList<>(Math.min(questionCount, 16));
            for (int i = 0; i < questionCount; i++) {
                Name name = name();
                read.add(new Question(name, RRType.of(u16()), RRClass.of(u16())));
            }
            questions = frozen(read);
        }
        List<ResourceRecord> answers = section(answerCount, "answer");
        List<ResourceRecord> authority = section(authorityCount, "authority");
        Optional<Edns> edns = Optional.empty();
        List<ResourceRecord> additional = null; // made when a record other than OPT comes
        for (int i = 0; i < additionalCount; i++) {
            int start = position;
            Name owner = rootOrName();
            int type = u16(); // looked up only for a record other than OPT
            if (type == RRType.TSIG.value() && i != additionalCount - 1) {
                throw new WireFormatException(start, "TSIG record before the last record (RFC 8945 section 5.1)");
            }
            if (type != RRType.OPT.value()) {
                if (additional == null) {
                    additional = new ArrayList<>(Math.min(additionalCount, 16));
                }
                additional.add(recordAfterType(owner, RRType.of(type)));
            } else if (edns.isPresent()) {
                throw new WireFormatException(start, "more than one OPT record");
            } else if (!owner.isRoot()) {
                throw new WireFormatException(start, "OPT record whose owner is not the root");
            } else {
                edns = Optional.of(optAfterType());
            }
        }
        if (position != messageEnd) {
            throw new WireFormatException(position, (messageEnd - position) + " bytes after the last record");
        }
        return new Message(header, questions, answers, authority,
                additional == null ? List.of() : frozen(additional), edns);
    }

    /** An immutable copy, made cheaply for the common sizes, so Message's own copy is a no-op. */
    private static <T> List<T> frozen(List<T> list) {
        return switch (list.size()) {
            case 0 -> List.of();
            case 1 -> List.of(list.get(0));
            case 2 -> List.of(list.get(0), list.get(1));
            default -> List.copyOf(list);
        };
    }

    private List<ResourceRecord> section(int count, String title) throws WireFormatException {
        if (count == 0) {
            return List.of();
        }
        if (count <= 2) { // the usual sizes: no list to grow and copy
            ResourceRecord first = sectionRecord(title);
            return count == 1 ? List.of(first) : List.of(first, sectionRecord(title));
        }
        // The count is bounded by the octets present (checked against the fewest a record takes), not trusted.
        // An array of the exact size, copied once by List.of: no list grown and then copied twice by List.copyOf.
        ResourceRecord[] records = new ResourceRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = sectionRecord(title);
        }
        return List.of(records);
    }

    /** A record of the answer or authority section, where OPT has no place. */
    private ResourceRecord sectionRecord(String title) throws WireFormatException {
        int start = position;
        Name owner = name();
        RRType type = RRType.of(u16());
        if (type.value() == RRType.OPT.value()) { // refused before its RDATA is read
            throw new WireFormatException(start, "OPT record in the " + title + " section");
        }
        return recordAfterType(owner, type);
    }

    /** The rest of a record whose owner and TYPE are read. */
    private ResourceRecord recordAfterType(Name owner, RRType type) throws WireFormatException {
        RRClass rrClass = RRClass.of(u16());
        long ttl = u32();
        int outerLimit = enterRData();
        int start = position;
        RData data = rdata(type, rrClass, limit - start);
        leaveRData(type, start, outerLimit);
        return new ResourceRecord(owner, rrClass, ttl, data);
    }

    /**
     * The rest of an OPT record whose owner and TYPE are read, straight into {@link Edns}: no {@link ResourceRecord}
     * or {@link RData.Opt} made only to be taken apart again.
     */
    private Edns optAfterType() throws WireFormatException {
        int payloadSize = u16();
        long ttl = u32();
        int outerLimit = enterRData();
        int start = position;
        byte[] options = ednsOptionOctets();
        leaveRData(RRType.OPT, start, outerLimit);
        return Edns.fromOpt(payloadSize, ttl, options);
    }

    /** Reads RDLENGTH and limits reads to the RDATA it announces; returns the limit to restore after it. */
    private int enterRData() throws WireFormatException {
        int at = position;
        int rdLength = u16();
        if (rdLength > limit - position) {
            throw new WireFormatException(at, "RDLENGTH " + rdLength + " runs past the end of the message");
        }
        int outerLimit = limit;
        limit = position + rdLength;
        return outerLimit;
    }

    /** Checks that the RDATA begun at {@code start} was read to its end, and restores the outer limit. */
    private void leaveRData(RRType type, int start, int outerLimit) throws WireFormatException {
        if (position != limit) {
            throw new WireFormatException(position, "RDLENGTH " + (limit - start) + " is longer than the " + type
                    + " RDATA (" + (position - start) + " octets)");
        }
        limit = outerLimit;
    }

    private RData rdata(RRType type, RRClass rrClass, int length) throws WireFormatException {
        if (!RData.hasTypedForm(type, rrClass)) {
            TypeDescriptor row = TypeTable.descriptor(type, rrClass);
            if (row != null) {
                return described(type, row);
            }
            return new RData.Unknown(type, bytes(length, "RDATA"));
        }
        switch (type.value()) {
            case 1:
                return new RData.A(s32(type));
            case 28: {
                need(16, "RDLENGTH too short for AAAA");
                long high = (long) s32(type) << 32 | s32(type) & 0xffffffffL;
                long low = (long) s32(type) << 32 | s32(type) & 0xffffffffL;
                return new RData.AAAA(high, low);
            }
            case 2:
                return new RData.Ns(name());
            case 5:
                return new RData.Cname(name());
            case 12:
                return new RData.Ptr(name());
            case 15:
                return new RData.Mx(u16(), name());
            case 33:
                return new RData.Srv(u16(), u16(), u16(), name());
            case 257:
                return caa();
            case 6:
                return new RData.Soa(name(), name(), u32(), u32(), u32(), u32(), u32());
            case 16:
                return RData.Txt.trusted(txtStrings()); // a length octet bounds each string to 255
            case 41:
                return new RData.Opt(Edns.optionsIn(ednsOptionOctets()));
            default:
                throw new IllegalStateException("typed form without a decoder: " + type);
        }
    }

    /**
     * A TXT record's character-strings, to the end of its RDATA: one or two, the usual counts, with no list grown
     * (CodecBenchmark.decodeHundred, -prof gc: 17,984 octets a decode against 18,464).
     */
    private List<byte[]> txtStrings() throws WireFormatException {
        if (position == limit) {
            return List.of();
        }
        byte[] first = bytes(u8(), "TXT character-string");
        if (position == limit) {
            return List.of(first);
        }
        byte[] second = bytes(u8(), "TXT character-string");
        if (position == limit) {
            return List.of(first, second);
        }
        List<byte[]> strings = new ArrayList<>(4);
        strings.add(first);
        strings.add(second);
        while (position < limit) {
            strings.add(bytes(u8(), "TXT character-string"));
        }
        return strings;
    }

    /**
     * RDATA of a type the table describes, read field by field as its row says: names expanded where the type
     * allows pointers (and refused where it does not), every other field checked by its kind and copied.
     */
    private RData.Described described(RRType type, TypeDescriptor row) throws WireFormatException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(limit - position);
        for (TypeDescriptor.Field field : row.fields()) {
            if (field.kind() == FieldKind.NAME_COMPRESSED || field.kind() == FieldKind.NAME_DECOMPRESSED) {
                out.writeBytes(name().sharedWire());
            } else {
                int end;
                try {
                    end = field.kind().end(bytes, base + position, base + limit) - base;
                } catch (WireFormatException e) {
                    throw new WireFormatException(e.offset() - base, type + " " + field.name() + ": " + e.reason());
                }
                out.write(bytes, base + position, end - position);
                position = end;
            }
        }
        return new RData.Described(type, out.toByteArray());
    }

    /** The options of an OPT record's RDATA, to its end, checked and copied as they are: {@link Edns} keeps them so. */
    private byte[] ednsOptionOctets() throws WireFormatException {
        int start = position;
        while (position < limit) {
            u16(); // the code
            int optionLength = u16();
            if (optionLength > limit - position) {
                throw new WireFormatException(position - 2,
                        "EDNS option length " + optionLength + " overruns the OPT RDATA");
            }
            position += optionLength;
        }
        return java.util.Arrays.copyOfRange(bytes, base + start, base + position);
    }

    /** CAA RDATA (RFC 8659 section 4.1): flags, the tag's length and tag, then the value to the end. */
    private RData.Caa caa() throws WireFormatException {
        int flags = u8();
        int at = position;
        int tagLength = u8();
        byte[] tag = bytes(tagLength, "CAA tag");
        byte[] value = bytes(limit - position, "CAA value");
        try {
            return new RData.Caa(flags, new String(tag, java.nio.charset.StandardCharsets.ISO_8859_1), value);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(at, e.getMessage());
        }
    }

    /**
     * Reads a name, following compression pointers. Each pointer must point strictly before the previous one's
     * target (before the pointer itself, for the first), so a chain always ends; pointers into the header or past
     * the end, and the label types 0x40 and 0x80, are refused. A first pass checks and measures the name, a second
     * copies it into an array of the exact size.
     */
    /** The name at the position: the root, every OPT record's owner, without the walk {@link #name()} makes. */
    private Name rootOrName() throws WireFormatException {
        if (position < limit && octetAt(position) == 0) {
            position++;
            return Name.ROOT;
        }
        return name();
    }

    /**
     * The name at the position. A name of labels only (no pointer), within the limit, is the usual question and
     * the first owner: walked here, in a method small enough to be compiled into its callers; anything else, and
     * every failure, goes to {@link #walkedName}, which reports it.
     */
    private Name name() throws WireFormatException {
        int start = position;
        int end = Math.min(limit, start + Name.MAX_WIRE_LENGTH);
        for (int at = start; at < end; ) {
            int lengthOctet = octetAt(at);
            if (lengthOctet == 0) {
                position = at + 1;
                return kept(start, at == start ? Name.ROOT
                        : Name.trusted(copyName(start, at + 1 - start, false)), -1);
            }
            if (lengthOctet > Name.MAX_LABEL_LENGTH) {
                Name known = lengthOctet >= 0xc0 ? labelsThenNameRead(start, at) : null;
                return known != null ? known : walkedName(); // a label type this walk leaves to the full one
            }
            at += 1 + lengthOctet;
        }
        return walkedName();
    }

    /**
     * The name whose labels from {@code start} (checked by {@link #name()}'s walk) end in a pointer at {@code at}
     * that leads back to a name read before, as an owner's usually does; null for any other pointer, which
     * {@link #walkedName} then follows or refuses. Saves walking the labels twice (CodecBenchmark.decodeHundred).
     */
    private Name labelsThenNameRead(int start, int at) {
        if (at + 2 > limit) {
            return null;
        }
        int target = (octetAt(at) & 0x3f) << 8 | octetAt(at + 1);
        Name suffix = target < at ? nameReadAt(target) : null;
        if (suffix == null || at - start + suffix.wireLength() > Name.MAX_WIRE_LENGTH) {
            return null;
        }
        position = at + 2;
        return at == start ? suffix : labelsThen(start, at, suffix);
    }

    /** {@link #name()}'s full walk: pointers, the names read before, and every way a name can be wrong. */
    private Name walkedName() throws WireFormatException {
        int start = position;
        Name known = pointerToNameRead();
        if (known != null) {
            position = start + 2;
            return known;
        }
        int length = 0;
        int at = position;
        int end = limit;
        int ceiling = -1;
        int firstTarget = -1;
        while (true) {
            if (at >= end) {
                throw new WireFormatException(at, "name runs past the end of " + (end == messageEnd
                        ? "the message" : "the RDATA"));
            }
            int lengthOctet = octetAt(at);
            if ((lengthOctet & 0xc0) == 0) {
                if (length + 1 + lengthOctet > Name.MAX_WIRE_LENGTH) {
                    throw new WireFormatException(at, "name longer than 255 octets");
                }
                length += 1 + lengthOctet;
                if (lengthOctet == 0) {
                    if (ceiling < 0) {
                        position = at + 1;
                    }
                    break;
                }
                if (at + 1 + lengthOctet > end) {
                    throw new WireFormatException(at, "label of " + lengthOctet + " octets runs past the end");
                }
                at += 1 + lengthOctet;
            } else if ((lengthOctet & 0xc0) == 0xc0) {
                if (at + 2 > end) {
                    throw new WireFormatException(at, "compression pointer cut short");
                }
                int target = (lengthOctet & 0x3f) << 8 | octetAt(at + 1);
                if (target < Header.LENGTH) {
                    throw new WireFormatException(at, "compression pointer into the header (" + target + ")");
                }
                if (target >= messageEnd) {
                    throw new WireFormatException(at, "compression pointer past the end (" + target + ")");
                }
                if (target >= (ceiling < 0 ? at : ceiling)) {
                    throw new WireFormatException(at, "compression pointer to " + target
                            + " does not point backwards" + (ceiling < 0 ? "" : " of the previous one"));
                }
                if (ceiling < 0) {
                    position = at + 2;
                    firstTarget = target;
                    Name suffix = nameReadAt(target);
                    // checked when it was read: only this name's own labels are new (unless the whole is too
                    // long, which the walk reports where the reference decoder does, in the suffix)
                    if (suffix != null && at - start + suffix.wireLength() <= Name.MAX_WIRE_LENGTH) {
                        return labelsThen(start, at, suffix);
                    }
                }
                ceiling = target;
                at = target;
                // The bytes a pointer leads to lie before this record, so they are bounded by the message only.
                end = messageEnd;
            } else {
                throw new WireFormatException(at, (lengthOctet & 0xc0) == 0x40
                        ? "label type 0x40 (extended label) is not supported" : "label type 0x80 is reserved");
            }
        }
        // checked above, so no second copy and check
        return kept(start, length == 1 ? Name.ROOT : Name.trusted(copyName(start, length,
                ceiling >= 0)), firstTarget);
    }

    /**
     * The labels from {@code start} to the pointer at {@code at}, then {@code suffix}: a new name, kept. (A name that
     * is only the pointer is that name read before, found without this, so there is at least one label.)
     */
    private Name labelsThen(int start, int at, Name suffix) {
        int labels = at - start;
        byte[] wire = new byte[labels + suffix.wireLength()];
        System.arraycopy(bytes, base + start, wire, 0, labels);
        suffix.copyWire(wire, labels);
        // Its pointer leads to a name read before it, so it is kept under its own offset, as kept() would.
        return remember(start, Name.trusted(wire));
    }

    /**
     * The name at the position when it is only a pointer to where a name was read before, or null. That name was
     * checked when it was read, and every pointer into the octets read so far points backwards, so it needs no
     * second walk: an answer's owners, and glue's, are usually such pointers.
     */
    private Name pointerToNameRead() {
        if (position + 2 > limit || octetAt(position) < 0xc0) {
            return null;
        }
        return nameReadAt(readAt(position));
    }

    /** The name read before at {@code target}, or null. */
    private Name nameReadAt(int target) {
        if (namesAt == null) {
            return null;
        }
        int slot = nameSlot(target);
        return namesAt[slot] == target ? namesRead[slot] : null;
    }

    /**
     * A name just read at {@code start}, whose first pointer (if any) leads to {@code firstTarget}, kept under the
     * offset its octets are read from. What is kept under an offset must be what a pointer to that offset reads:
     * such a read allows only pointers before it, so a name whose first pointer leads into its own labels (legal
     * where it is written, refused when pointed to) is not kept.
     */
    private Name kept(int start, Name name, int firstTarget) {
        if (namesAt == null) {
            return name;
        }
        int at;
        if (octetAt(start) >= 0xc0) {
            at = firstTarget; // only a pointer: its target was read as a pointer reads it
        } else if (firstTarget < start) {
            at = start; // no pointer, or one to before the name
        } else {
            return name;
        }
        return remember(at, name);
    }

    /** Keeps {@code name} as what a pointer to {@code at} reads (the table exists: a name was found in it or may be). */
    private Name remember(int at, Name name) {
        int slot = nameSlot(at);
        namesAt[slot] = at;
        namesRead[slot] = name;
        return name;
    }

    private int nameSlot(int offset) {
        return offset * 0x9e3779b1 >>> namesShift;
    }

    /** Where the name written at {@code start} is read from: the pointer's target, if it is only a pointer. */
    private int readAt(int start) {
        return octetAt(start) >= 0xc0 ? (octetAt(start) & 0x3f) << 8 | octetAt(start + 1) : start;
    }

    /**
     * Copies a name already checked by {@link #name()}, following its pointers: each run of labels between pointers
     * in one copy, since a copy call per label costs more than the copying.
     */
    private byte[] copyName(int at, int length, boolean hasPointer) {
        if (!hasPointer) { // the usual question: one run, copied without zeroing the array first
            return java.util.Arrays.copyOfRange(bytes, base + at, base + at + length);
        }
        byte[] wire = new byte[length];
        int copied = 0;
        int runStart = at;
        while (true) {
            int lengthOctet = octetAt(at);
            if (lengthOctet >= 0xc0 || lengthOctet == 0) {
                int run = at - runStart + (lengthOctet == 0 ? 1 : 0);
                System.arraycopy(bytes, base + runStart, wire, copied, run);
                copied += run;
                if (lengthOctet == 0) {
                    return wire;
                }
                at = (lengthOctet & 0x3f) << 8 | octetAt(at + 1);
                runStart = at;
                continue;
            }
            at += 1 + lengthOctet;
        }
    }


    private void need(int count, String reason) throws WireFormatException {
        if (count > limit - position) {
            throw new WireFormatException(position, reason);
        }
    }

    private int octetAt(int at) {
        return bytes[base + at] & 0xff;
    }

    /** The 16-bit word at {@code at}, which the caller checked is within the message. */
    private int word(int at) {
        return octetAt(at) << 8 | octetAt(at + 1);
    }

    private int int32(int at) {
        return octetAt(at) << 24 | octetAt(at + 1) << 16 | octetAt(at + 2) << 8 | octetAt(at + 3);
    }

    private int u8() throws WireFormatException {
        need(1, "one octet needed, none left");
        return octetAt(position++);
    }

    private int u16() throws WireFormatException {
        need(2, limit == messageEnd ? "message ends inside a 16-bit field" : "RDATA ends inside a 16-bit field");
        int value = octetAt(position) << 8 | octetAt(position + 1);
        position += 2;
        return value;
    }

    private long u32() throws WireFormatException {
        need(4, limit == messageEnd ? "message ends inside a 32-bit field" : "RDATA ends inside a 32-bit field");
        long value = int32(position) & 0xffffffffL;
        position += 4;
        return value;
    }

    /** Four octets of an address; a short RDATA says which type it cut short. */
    private int s32(RRType type) throws WireFormatException {
        if (4 > limit - position) {
            throw new WireFormatException(position, "RDLENGTH too short for " + type);
        }
        int value = int32(position);
        position += 4;
        return value;
    }

    private byte[] bytes(int count, String what) throws WireFormatException {
        if (count > limit - position) {
            // the reason is built only when it is needed: this runs for every TXT string and EDNS option
            throw new WireFormatException(position, what + " of " + count + " octets runs past the end");
        }
        byte[] copy = new byte[count];
        System.arraycopy(bytes, base + position, copy, 0, count);
        position += count;
        return copy;
    }
}
