package dev.chivato.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The reference decoder: a DNS message read the plain way, to follow with RFC 1035 section 4 open beside it. It is
 * what {@code chivato explain} runs on, telling a {@link WireAnnotator} what each run of octets means as it reads
 * them. The server decodes with {@link WireReader}, which gives the same message, or fails at the same offset for
 * the same reason ({@code ReferenceCodecTest} holds the two to that over generated, captured and damaged messages).
 *
 * <p>How to read this file: top to bottom. {@link #message} reads the header (RFC 1035 4.1.1), the questions
 * (4.1.2) and the three sections of records (4.1.3), the OPT record being EDNS (RFC 6891 section 6.1). A name
 * (4.1.4) is read label by label, a compression pointer sending the reader back to where the rest was written.
 * A record's RDATA is read by its type: the ten types the server itself builds by hand, every other type field by
 * field from its row of {@link TypeTable}. Every read first checks that the octets are there; every failure is a
 * {@link WireFormatException} carrying the offset where it was found.
 */
final class ReferenceReader {
    /** Fewest octets a question can take: root name, QTYPE, QCLASS. */
    private static final int MIN_QUESTION_LENGTH = 5;
    /** Fewest octets a record can take: root name, TYPE, CLASS, TTL, RDLENGTH. */
    private static final int MIN_RECORD_LENGTH = 11;

    private final byte[] wire;
    private final WireAnnotator annotator;
    /** The next octet to read. */
    private int position;
    /** Reads may not pass this offset: the end of the message, or of the RDATA being read. */
    private int limit;

    private ReferenceReader(byte[] wire, WireAnnotator annotator) {
        this.wire = wire;
        this.annotator = annotator;
        this.limit = wire.length;
    }

    /** Decodes the whole of {@code wire}, telling {@code annotator} what each field is as it goes. */
    static Message decode(byte[] wire, WireAnnotator annotator) throws WireFormatException {
        ReferenceReader reader = new ReferenceReader(wire, annotator);
        try {
            return reader.message();
        } catch (IllegalArgumentException e) {
            // A value's constructor refused what the octets said (a TTL, a CAA tag...).
            throw new WireFormatException(reader.position, e.getMessage());
        }
    }

    /** Decodes the whole of {@code wire} with nobody listening. */
    static Message decode(byte[] wire) throws WireFormatException {
        return decode(wire, new WireAnnotator() {
            @Override
            public void field(int offset, int length, String meaning) {
            }
        });
    }

    /** RFC 1035 section 4.1: a header, then the question, answer, authority and additional sections. */
    private Message message() throws WireFormatException {
        annotator.section("HEADER");
        Header header = header();
        int questionCount = count("QDCOUNT", "question");
        int answerCount = count("ANCOUNT", "answer record");
        int authorityCount = count("NSCOUNT", "authority record");
        int additionalCount = count("ARCOUNT", "additional record");
        // A count is a claim, not a fact: before trusting it, check that the octets could hold that many.
        long fewestOctets = (long) questionCount * MIN_QUESTION_LENGTH
                + (long) (answerCount + authorityCount + additionalCount) * MIN_RECORD_LENGTH;
        if (fewestOctets > wire.length - position) {
            throw new WireFormatException(4, "section counts need at least " + fewestOctets + " octets but "
                    + (wire.length - position) + " follow the header");
        }
        if (questionCount > 0) {
            annotator.section("QUESTION SECTION");
        }
        List<Question> questions = new ArrayList<>();
        for (int i = 0; i < questionCount; i++) {
            questions.add(question());
        }
        List<ResourceRecord> answers = section("answer", answerCount);
        List<ResourceRecord> authority = section("authority", authorityCount);
        if (additionalCount > 0) {
            annotator.section("ADDITIONAL SECTION");
        }
        List<ResourceRecord> additional = new ArrayList<>();
        Optional<Edns> edns = Optional.empty();
        for (int i = 0; i < additionalCount; i++) {
            int start = position;
            Name owner = name();
            RRType type = type("TYPE");
            if (type.equals(RRType.TSIG) && i != additionalCount - 1) {
                throw new WireFormatException(start, "TSIG record before the last record (RFC 8945 section 5.1)");
            }
            if (!type.equals(RRType.OPT)) {
                additional.add(recordAfterType(owner, type));
            } else if (edns.isPresent()) {
                throw new WireFormatException(start, "more than one OPT record");
            } else if (!owner.isRoot()) {
                throw new WireFormatException(start, "OPT record whose owner is not the root");
            } else {
                edns = Optional.of(opt());
            }
        }
        if (position != wire.length) {
            throw new WireFormatException(position, (wire.length - position) + " bytes after the last record");
        }
        return new Message(header, questions, answers, authority, additional, edns);
    }

    /** RFC 1035 section 4.1.1: the ID, then the flags word. */
    private Header header() throws WireFormatException {
        if (wire.length < Header.LENGTH) {
            throw new WireFormatException(0, "message shorter than the 12-octet header");
        }
        Header header = Header.fromWire(u16(), u16());
        note(0, 2, "ID " + header.id() + (header.qr() ? " (the ID of the query this answers)"
                : " (the response will repeat it)"));
        note(2, 2, Explainer.describeFlags(header));
        return header;
    }

    private int count(String field, String what) throws WireFormatException {
        int at = position;
        int value = u16();
        note(at, field + " " + value + ": " + what + (value == 1 ? "" : "s"));
        return value;
    }

    /** RFC 1035 section 4.1.2: QNAME, QTYPE, QCLASS. */
    private Question question() throws WireFormatException {
        Name name = name();
        RRType type = type("QTYPE");
        int at = position;
        RRClass rrClass = RRClass.of(u16());
        note(at, "QCLASS " + rrClass.value() + " (" + rrClass + ")");
        return new Question(name, type, rrClass);
    }

    /** The answer or the authority section: records, where an OPT record has no place. */
    private List<ResourceRecord> section(String title, int count) throws WireFormatException {
        if (count > 0) {
            annotator.section(title.toUpperCase(Locale.ROOT) + " SECTION");
        }
        List<ResourceRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int start = position;
            Name owner = name();
            RRType type = type("TYPE");
            if (type.equals(RRType.OPT)) {
                throw new WireFormatException(start, "OPT record in the " + title + " section");
            }
            records.add(recordAfterType(owner, type));
        }
        return records;
    }

    /** RFC 1035 section 4.1.3, after NAME and TYPE: CLASS, TTL, RDLENGTH, then RDATA of exactly that length. */
    private ResourceRecord recordAfterType(Name owner, RRType type) throws WireFormatException {
        int at = position;
        RRClass rrClass = RRClass.of(u16());
        note(at, "CLASS " + rrClass.value() + " (" + rrClass + ")");
        at = position;
        long ttl = u32();
        note(at, "TTL " + ttl + " seconds");
        int rdataEnd = rdataLength();
        int start = position;
        limit = rdataEnd;
        RData data = rdata(type, rrClass);
        rdataRead(type, start);
        return new ResourceRecord(owner, rrClass, ttl, data);
    }

    /**
     * The OPT pseudo-record after its owner and TYPE (RFC 6891 section 6.1.2): its CLASS is the sender's UDP payload
     * size, its TTL the extended rcode, version and flags, its RDATA a list of options.
     */
    private Edns opt() throws WireFormatException {
        int at = position;
        int payloadSize = u16();
        note(at, "CLASS of OPT = the sender's UDP payload size: " + payloadSize);
        at = position;
        long ttl = u32();
        note(at, Explainer.describeOptTtl(ttl));
        int rdataEnd = rdataLength();
        int start = position;
        limit = rdataEnd;
        List<EdnsOption> options = ednsOptions();
        rdataRead(RRType.OPT, start);
        return Edns.fromOpt(payloadSize, ttl, options);
    }

    /** Reads RDLENGTH and returns where the RDATA it announces ends, which must be inside the message. */
    private int rdataLength() throws WireFormatException {
        int at = position;
        int length = u16();
        note(at, "RDLENGTH " + length + ": octets of RDATA that follow");
        if (length > limit - position) {
            throw new WireFormatException(at, "RDLENGTH " + length + " runs past the end of the message");
        }
        return position + length;
    }

    /** Checks that the RDATA begun at {@code start} was read to its very end; reads may go to the message end again. */
    private void rdataRead(RRType type, int start) throws WireFormatException {
        if (position != limit) {
            throw new WireFormatException(position, "RDLENGTH " + (limit - start) + " is longer than the " + type
                    + " RDATA (" + (position - start) + " octets)");
        }
        limit = wire.length;
    }

    /** RDATA, from the position to the limit, read as its type says. */
    private RData rdata(RRType type, RRClass rrClass) throws WireFormatException {
        int start = position;
        if (!RData.hasTypedForm(type, rrClass)) {
            TypeDescriptor row = TypeTable.descriptor(type, rrClass);
            if (row != null) {
                return described(type, row);
            }
            RData.Unknown unknown = new RData.Unknown(type, octets(limit - position, "RDATA"));
            note(start, "RDATA kept as opaque octets (RFC 3597): " + unknown);
            return unknown;
        }
        switch (type.value()) {
            case 1 -> { // RFC 1035 3.4.1: four octets
                RData.A a = new RData.A(address(type));
                note(start, "A address " + a);
                return a;
            }
            case 28 -> { // RFC 3596: sixteen octets
                if (limit - position < 16) {
                    throw new WireFormatException(position, "RDLENGTH too short for AAAA");
                }
                long high = (long) address(type) << 32 | address(type) & 0xffffffffL;
                long low = (long) address(type) << 32 | address(type) & 0xffffffffL;
                RData.AAAA aaaa = new RData.AAAA(high, low);
                note(start, "AAAA address " + aaaa);
                return aaaa;
            }
            case 2 -> {
                return new RData.Ns(name());
            }
            case 5 -> {
                return new RData.Cname(name());
            }
            case 12 -> {
                return new RData.Ptr(name());
            }
            case 15 -> {
                return new RData.Mx(number16("MX preference"), name());
            }
            case 33 -> {
                return new RData.Srv(number16("SRV priority"), number16("SRV weight"), number16("SRV port"), name());
            }
            case 6 -> {
                return new RData.Soa(name(), name(), number32("SOA serial"), number32("SOA refresh"),
                        number32("SOA retry"), number32("SOA expire"), number32("SOA minimum (negative TTL)"));
            }
            case 16 -> { // RFC 1035 3.3.14: character-strings, each its length octet then its octets
                List<byte[]> strings = new ArrayList<>();
                while (position < limit) {
                    int at = position;
                    int length = u8();
                    byte[] string = octets(length, "TXT character-string");
                    strings.add(string);
                    note(at, "TXT string of " + length + " octets (length octet first): "
                            + new RData.Txt(List.of(string)));
                }
                return new RData.Txt(strings);
            }
            case 257 -> {
                return caa();
            }
            case 41 -> {
                return new RData.Opt(ednsOptions());
            }
            default -> throw new IllegalStateException("typed form without a decoder: " + type);
        }
    }

    /** CAA RDATA (RFC 8659 section 4.1): flags, the tag's length and the tag, then the value to the end. */
    private RData.Caa caa() throws WireFormatException {
        int flags = u8();
        int at = position;
        int tagLength = u8();
        byte[] tag = octets(tagLength, "CAA tag");
        byte[] value = octets(limit - position, "CAA value");
        RData.Caa caa;
        try {
            caa = new RData.Caa(flags, new String(tag, StandardCharsets.ISO_8859_1), value);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(at, e.getMessage());
        }
        note(at - 1, "CAA flags " + flags + ", tag of " + tagLength + " octets, value: " + caa);
        return caa;
    }

    /**
     * RDATA of a type the table describes, field by field as its row says. A name is read with {@link #name} where
     * the type allows compression pointers (and kept expanded); where it does not, its kind refuses them.
     */
    private RData.Described described(RRType type, TypeDescriptor row) throws WireFormatException {
        ByteArrayOutputStream rdata = new ByteArrayOutputStream();
        for (TypeDescriptor.Field field : row.fields()) {
            int at = position;
            if (field.kind() == FieldKind.NAME_COMPRESSED || field.kind() == FieldKind.NAME_DECOMPRESSED) {
                rdata.writeBytes(name().wire()); // a name explains itself, label by label
                continue;
            }
            int end;
            try {
                end = field.kind().end(wire, position, limit);
            } catch (WireFormatException e) {
                throw new WireFormatException(e.offset(), type + " " + field.name() + ": " + e.reason());
            }
            int fieldStart = rdata.size();
            rdata.write(wire, position, end - position);
            position = end;
            byte[] sofar = rdata.toByteArray();
            StringBuilder value = new StringBuilder();
            field.kind().print(sofar, fieldStart, sofar.length, value);
            if (field.name().equals("public key") && (type.value() == 48 || type.value() == 60)) {
                value.append(" (key tag ").append(keyTag(sofar)).append(')'); // what DS and RRSIG name it by
            }
            note(at, type + " " + field.name() + ": " + value);
        }
        return new RData.Described(type, rdata.toByteArray());
    }

    /** A DNSKEY's key tag (RFC 4034 appendix B): its RDATA summed as 16-bit words, the carry folded in once. */
    static int keyTag(byte[] rdata) {
        long sum = 0;
        for (int i = 0; i < rdata.length; i++) {
            sum += (i & 1) == 0 ? (rdata[i] & 0xff) << 8 : rdata[i] & 0xff;
        }
        return (int) (sum + (sum >> 16 & 0xffff) & 0xffff);
    }

    /** The options of OPT RDATA (RFC 6891 section 6.1.2): each a code, a length and that many octets. */
    private List<EdnsOption> ednsOptions() throws WireFormatException {
        List<EdnsOption> options = new ArrayList<>();
        while (position < limit) {
            int at = position;
            int code = u16();
            int length = u16();
            if (length > limit - position) {
                throw new WireFormatException(position - 2, "EDNS option length " + length
                        + " overruns the OPT RDATA");
            }
            EdnsOption option = new EdnsOption(code, octets(length, "EDNS option"));
            options.add(option);
            note(at, "EDNS option code " + code + " (" + option.codeName() + "), length " + length
                    + (length > 0 ? ": " + Hex.format(option.sharedData()) : ""));
        }
        return options;
    }

    /**
     * RFC 1035 section 4.1.4: a name is labels, each a length octet (0 to 63) and that many octets, ending in the
     * root's empty label, or in a compression pointer (two octets, the top two bits set) to where the rest of the
     * name was written before. Each pointer must point before the previous one's target (before itself, for the
     * first), so that reading always ends; pointers into the header or past the end, and label types 0x40 and 0x80,
     * are refused.
     */
    private Name name() throws WireFormatException {
        int start = position;
        List<byte[]> labels = new ArrayList<>();
        int length = 0; // octets of the name uncompressed, its root label included
        int at = position;
        int end = limit;
        int previousTarget = -1; // none yet: the name is still read where it is written
        while (true) {
            if (at >= end) {
                throw new WireFormatException(at, "name runs past the end of "
                        + (end == wire.length ? "the message" : "the RDATA"));
            }
            int lengthOctet = wire[at] & 0xff;
            if (lengthOctet < 0x40) { // a label
                if (length + 1 + lengthOctet > Name.MAX_WIRE_LENGTH) {
                    throw new WireFormatException(at, "name longer than 255 octets");
                }
                length += 1 + lengthOctet;
                if (lengthOctet == 0) { // the root: the name is complete
                    if (previousTarget < 0) {
                        position = at + 1;
                    }
                    break;
                }
                if (at + 1 + lengthOctet > end) {
                    throw new WireFormatException(at, "label of " + lengthOctet + " octets runs past the end");
                }
                labels.add(java.util.Arrays.copyOfRange(wire, at + 1, at + 1 + lengthOctet));
                at += 1 + lengthOctet;
            } else if (lengthOctet >= 0xc0) { // a compression pointer
                if (at + 2 > end) {
                    throw new WireFormatException(at, "compression pointer cut short");
                }
                int target = (lengthOctet & 0x3f) << 8 | wire[at + 1] & 0xff;
                if (target < Header.LENGTH) {
                    throw new WireFormatException(at, "compression pointer into the header (" + target + ")");
                }
                if (target >= wire.length) {
                    throw new WireFormatException(at, "compression pointer past the end (" + target + ")");
                }
                if (target >= (previousTarget < 0 ? at : previousTarget)) {
                    throw new WireFormatException(at, "compression pointer to " + target
                            + " does not point backwards" + (previousTarget < 0 ? "" : " of the previous one"));
                }
                if (previousTarget < 0) {
                    position = at + 2; // the name, as written here, ends with its first pointer
                }
                previousTarget = target;
                at = target;
                end = wire.length; // what a pointer leads to was written earlier: the message bounds it, not RDATA
            } else {
                throw new WireFormatException(at, lengthOctet < 0x80
                        ? "label type 0x40 (extended label) is not supported" : "label type 0x80 is reserved");
            }
        }
        Name name = Name.fromLabels(labels);
        describeName(start, name);
        return name;
    }

    /** Describes the octets of a name where it is written: its labels, then its root label or pointer. */
    private void describeName(int at, Name name) {
        int labels = 0;
        while (true) {
            int lengthOctet = wire[at] & 0xff;
            if (lengthOctet == 0) {
                note(at, 1, name.isRoot() ? "root label: the name is the root (.)"
                        : "root label: end of the name " + name);
                return;
            }
            if (lengthOctet >= 0xc0) {
                int target = (lengthOctet & 0x3f) << 8 | wire[at + 1] & 0xff;
                note(at, 2, Explainer.describePointer(target, name, labels));
                return;
            }
            note(at, 1 + lengthOctet, "label of " + lengthOctet + " octets: "
                    + Explainer.labelText(wire, at + 1, lengthOctet));
            labels++;
            at += 1 + lengthOctet;
        }
    }

    private RRType type(String field) throws WireFormatException {
        int at = position;
        RRType type = RRType.of(u16());
        note(at, field + " " + type.value() + " (" + type + ")");
        return type;
    }

    private int number16(String field) throws WireFormatException {
        int at = position;
        int value = u16();
        note(at, field + " " + value);
        return value;
    }

    private long number32(String field) throws WireFormatException {
        int at = position;
        long value = u32();
        note(at, field + " " + value);
        return value;
    }

    /** Four octets of an address, as one int; a short RDATA says which type it cut short. */
    private int address(RRType type) throws WireFormatException {
        if (limit - position < 4) {
            throw new WireFormatException(position, "RDLENGTH too short for " + type);
        }
        return (int) u32();
    }

    private int u8() throws WireFormatException {
        if (limit - position < 1) {
            throw new WireFormatException(position, "one octet needed, none left");
        }
        return wire[position++] & 0xff;
    }

    /** Network order: the high octet first. */
    private int u16() throws WireFormatException {
        if (limit - position < 2) {
            throw new WireFormatException(position, limit == wire.length ? "message ends inside a 16-bit field"
                    : "RDATA ends inside a 16-bit field");
        }
        int value = (wire[position] & 0xff) << 8 | wire[position + 1] & 0xff;
        position += 2;
        return value;
    }

    private long u32() throws WireFormatException {
        if (limit - position < 4) {
            throw new WireFormatException(position, limit == wire.length ? "message ends inside a 32-bit field"
                    : "RDATA ends inside a 32-bit field");
        }
        long value = 0;
        for (int i = 0; i < 4; i++) {
            value = value << 8 | wire[position++] & 0xff;
        }
        return value;
    }

    private byte[] octets(int count, String what) throws WireFormatException {
        if (count > limit - position) {
            throw new WireFormatException(position, what + " of " + count + " octets runs past the end");
        }
        byte[] copy = java.util.Arrays.copyOfRange(wire, position, position + count);
        position += count;
        return copy;
    }

    /** Describes the octets from {@code start} to the position. */
    private void note(int start, String meaning) {
        note(start, position - start, meaning);
    }

    /** A field of no octets (empty RDATA) is not a field: nothing is said of it. */
    private void note(int start, int length, String meaning) {
        if (length > 0) {
            annotator.field(start, length, meaning);
        }
    }
}
