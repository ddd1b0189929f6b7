package dev.chivato.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The one decoder. Reads with absolute indexes into the buffer, checks every read against the current limit first,
 * and reports every failure as a {@link WireFormatException} whose offset counts from the start of the message.
 * Nothing is ever allocated from a count read off the wire.
 */
final class WireReader {
    /** Fewest octets a question can take: root name, type, class. */
    private static final int MIN_QUESTION_LENGTH = 5;
    /** Fewest octets a record can take: root name, type, class, TTL, RDLENGTH. */
    private static final int MIN_RECORD_LENGTH = 11;

    private final ByteBuffer buffer;
    private final int base;
    private final int messageEnd;
    /** Reads may not pass this offset: the message end, or the end of the RDATA being read. */
    private int limit;
    private int position;
    /** Null when decoding for use; set when explaining, so every field read is also described. */
    private final WireAnnotator annotator;

    private WireReader(ByteBuffer buffer, WireAnnotator annotator) {
        this.annotator = annotator;
        // Absolute reads below honour the buffer's byte order; DNS is big-endian whatever the caller set.
        this.buffer = buffer.order() == ByteOrder.BIG_ENDIAN ? buffer : buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
        this.base = buffer.position();
        this.messageEnd = buffer.remaining();
        this.limit = messageEnd;
    }

    static Message decodeMessage(ByteBuffer wire) throws WireFormatException {
        return decodeMessage(wire, null);
    }

    static Message decodeMessage(ByteBuffer wire, WireAnnotator annotator) throws WireFormatException {
        WireReader reader = new WireReader(wire, annotator);
        try {
            return reader.message();
        } catch (IllegalArgumentException e) {
            // A value constructor refused what the bytes said; the wire checks should have caught it first.
            throw new WireFormatException(reader.position, e.getMessage());
        }
    }

    /** Reads only the header: what a server needs to answer FORMERR to a message it cannot decode. */
    static Header decodeHeader(ByteBuffer wire) throws WireFormatException {
        WireReader reader = new WireReader(wire, null);
        reader.need(Header.LENGTH, "message shorter than the 12-octet header");
        return Header.fromWire(reader.u16(), reader.u16());
    }

    private Message message() throws WireFormatException {
        section("HEADER");
        need(Header.LENGTH, "message shorter than the 12-octet header");
        Header header = Header.fromWire(u16(), u16());
        if (annotator != null) {
            note(0, 2, "ID " + header.id() + (header.qr() ? " (the ID of the query this answers)"
                    : " (the response will repeat it)"));
            note(2, 2, Explainer.describeFlags(header));
        }
        int questionCount = count("QDCOUNT", "question");
        int answerCount = count("ANCOUNT", "answer record");
        int authorityCount = count("NSCOUNT", "authority record");
        int additionalCount = count("ARCOUNT", "additional record");
        long fewestOctets = (long) questionCount * MIN_QUESTION_LENGTH
                + (long) (answerCount + authorityCount + additionalCount) * MIN_RECORD_LENGTH;
        if (fewestOctets > messageEnd - position) {
            throw new WireFormatException(4, "section counts need at least " + fewestOctets + " octets but "
                    + (messageEnd - position) + " follow the header");
        }
        List<Question> questions = new ArrayList<>(Math.min(questionCount, 1));
        section(questionCount > 0 ? "QUESTION SECTION" : null);
        for (int i = 0; i < questionCount; i++) {
            Name name = name();
            questions.add(new Question(name, type("QTYPE"), rrClass("QCLASS")));
        }
        List<ResourceRecord> answers = section(answerCount, "answer");
        List<ResourceRecord> authority = section(authorityCount, "authority");
        section(additionalCount > 0 ? "ADDITIONAL SECTION" : null);
        Optional<Edns> edns = Optional.empty();
        List<ResourceRecord> additional = new ArrayList<>();
        for (int i = 0; i < additionalCount; i++) {
            int start = position;
            ResourceRecord record = record();
            if (!record.type().equals(RRType.OPT)) {
                additional.add(record);
            } else if (edns.isPresent()) {
                throw new WireFormatException(start, "more than one OPT record");
            } else if (!record.name().isRoot()) {
                throw new WireFormatException(start, "OPT record whose owner is not the root");
            } else {
                edns = Optional.of(Edns.fromRecord(record));
            }
        }
        if (position != messageEnd) {
            throw new WireFormatException(position, (messageEnd - position) + " bytes after the last record");
        }
        return new Message(header, questions, answers, authority, additional, edns);
    }

    private List<ResourceRecord> section(int count, String title) throws WireFormatException {
        List<ResourceRecord> records = new ArrayList<>();
        section(count > 0 ? title.toUpperCase(java.util.Locale.ROOT) + " SECTION" : null);
        for (int i = 0; i < count; i++) {
            int start = position;
            ResourceRecord record = record();
            if (record.type().equals(RRType.OPT)) {
                throw new WireFormatException(start, "OPT record in the " + title + " section");
            }
            records.add(record);
        }
        return records;
    }

    private ResourceRecord record() throws WireFormatException {
        Name owner = name();
        RRType type = type("TYPE");
        boolean opt = type.equals(RRType.OPT);
        int at = position;
        RRClass rrClass = new RRClass(u16());
        if (annotator != null) {
            note(at, opt ? "CLASS of OPT = the sender's UDP payload size: " + rrClass.value()
                    : "CLASS " + rrClass.value() + " (" + rrClass + ")");
        }
        at = position;
        long ttl = u32();
        if (annotator != null) {
            note(at, opt ? Explainer.describeOptTtl(ttl) : "TTL " + ttl + " seconds");
        }
        at = position;
        int rdLength = u16();
        if (annotator != null) {
            note(at, "RDLENGTH " + rdLength + ": octets of RDATA that follow");
        }
        int start = position;
        if (rdLength > limit - start) {
            throw new WireFormatException(start - 2, "RDLENGTH " + rdLength + " runs past the end of the message");
        }
        int outerLimit = limit;
        limit = start + rdLength;
        RData data = rdata(type, rrClass, rdLength);
        if (position != limit) {
            throw new WireFormatException(position, "RDLENGTH " + rdLength + " is longer than the " + type
                    + " RDATA (" + (position - start) + " octets)");
        }
        limit = outerLimit;
        return new ResourceRecord(owner, rrClass, ttl, data);
    }

    private RData rdata(RRType type, RRClass rrClass, int length) throws WireFormatException {
        int start = position;
        if (!RData.hasTypedForm(type, rrClass)) {
            RData.Unknown unknown = new RData.Unknown(type, bytes(length, "RDATA"));
            if (annotator != null) {
                note(start, "RDATA kept as opaque octets (RFC 3597): " + unknown);
            }
            return unknown;
        }
        switch (type.value()) {
            case 1: {
                RData.A a = new RData.A(s32(type));
                if (annotator != null) {
                    note(start, "A address " + a);
                }
                return a;
            }
            case 28: {
                need(16, "RDLENGTH too short for AAAA");
                long high = (long) s32(type) << 32 | s32(type) & 0xffffffffL;
                long low = (long) s32(type) << 32 | s32(type) & 0xffffffffL;
                RData.AAAA aaaa = new RData.AAAA(high, low);
                if (annotator != null) {
                    note(start, "AAAA address " + aaaa);
                }
                return aaaa;
            }
            case 2:
                return new RData.Ns(name());
            case 5:
                return new RData.Cname(name());
            case 12:
                return new RData.Ptr(name());
            case 15:
                return new RData.Mx(number16("MX preference"), name());
            case 6:
                return new RData.Soa(name(), name(), number32("SOA serial"), number32("SOA refresh"),
                        number32("SOA retry"), number32("SOA expire"), number32("SOA minimum (negative TTL)"));
            case 16: {
                List<byte[]> strings = new ArrayList<>();
                while (position < limit) {
                    int at = position;
                    int stringLength = u8();
                    byte[] string = bytes(stringLength, "TXT character-string");
                    strings.add(string);
                    if (annotator != null) {
                        note(at, "TXT string of " + stringLength + " octets (length octet first): "
                                + new RData.Txt(List.of(string)));
                    }
                }
                return new RData.Txt(strings);
            }
            case 41: {
                List<EdnsOption> options = new ArrayList<>();
                while (position < limit) {
                    int at = position;
                    int code = u16();
                    int optionLength = u16();
                    if (optionLength > limit - position) {
                        throw new WireFormatException(position - 2,
                                "EDNS option length " + optionLength + " overruns the OPT RDATA");
                    }
                    EdnsOption option = new EdnsOption(code, bytes(optionLength, "EDNS option"));
                    options.add(option);
                    if (annotator != null) {
                        note(at, "EDNS option code " + code + " (" + option.codeName() + "), length "
                                + optionLength + (optionLength > 0 ? ": " + Hex.format(option.sharedData()) : ""));
                    }
                }
                return new RData.Opt(options);
            }
            default:
                throw new IllegalStateException("typed form without a decoder: " + type);
        }
    }

    /**
     * Reads a name, following compression pointers. Each pointer must point strictly before the previous one's
     * target (before the pointer itself, for the first), so a chain always ends; pointers into the header or past
     * the end, and the label types 0x40 and 0x80, are refused.
     */
    private Name name() throws WireFormatException {
        byte[] wire = new byte[Name.MAX_WIRE_LENGTH];
        int length = 0;
        int at = position;
        int end = limit;
        int ceiling = -1;
        int pointerAt = -1;
        int labelsBeforePointer = 0;
        while (true) {
            if (at >= end) {
                throw new WireFormatException(at, "name runs past the end of " + (end == messageEnd
                        ? "the message" : "the RDATA"));
            }
            int lengthOctet = octetAt(at);
            switch (lengthOctet & 0xc0) {
                case 0x00 -> {
                    if (length + 1 + lengthOctet > Name.MAX_WIRE_LENGTH) {
                        throw new WireFormatException(at, "name longer than 255 octets");
                    }
                    if (lengthOctet == 0) {
                        wire[length++] = 0;
                        Name name = new Name(Arrays.copyOf(wire, length));
                        if (ceiling < 0) {
                            position = at + 1;
                            if (annotator != null) {
                                note(at, 1, name.isRoot() ? "root label: the name is the root (.)"
                                        : "root label: end of the name " + name);
                            }
                        } else if (annotator != null) {
                            note(pointerAt, 2, Explainer.describePointer(ceilingOfFirst(pointerAt), name,
                                    labelsBeforePointer));
                        }
                        return name;
                    }
                    if (at + 1 + lengthOctet > end) {
                        throw new WireFormatException(at, "label of " + lengthOctet + " octets runs past the end");
                    }
                    wire[length++] = (byte) lengthOctet;
                    buffer.get(base + at + 1, wire, length, lengthOctet);
                    if (ceiling < 0 && annotator != null) {
                        note(at, 1 + lengthOctet, "label of " + lengthOctet + " octets: "
                                + Explainer.labelText(wire, length, lengthOctet));
                        labelsBeforePointer++;
                    }
                    length += lengthOctet;
                    at += 1 + lengthOctet;
                }
                case 0xc0 -> {
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
                        pointerAt = at;
                    }
                    ceiling = target;
                    at = target;
                    // The bytes a pointer leads to lie before this record, so they are bounded by the message only.
                    end = messageEnd;
                }
                case 0x40 -> throw new WireFormatException(at, "label type 0x40 (extended label) is not supported");
                default -> throw new WireFormatException(at, "label type 0x80 is reserved");
            }
        }
    }

    /** The target of the pointer at {@code at} (annotation only). */
    private int ceilingOfFirst(int at) {
        return (octetAt(at) & 0x3f) << 8 | octetAt(at + 1);
    }

    private void section(String title) {
        if (annotator != null && title != null) {
            annotator.section(title);
        }
    }

    /** Describes the bytes from {@code start} to the current position. */
    private void note(int start, String meaning) {
        note(start, position - start, meaning);
    }

    /** A field of no bytes (empty RDATA) is not a field: nothing is said of it. */
    private void note(int start, int length, String meaning) {
        if (annotator != null && length > 0) {
            annotator.field(start, length, meaning);
        }
    }

    private int count(String field, String what) throws WireFormatException {
        int at = position;
        int value = u16();
        if (annotator != null) {
            note(at, field + " " + value + ": " + what + (value == 1 ? "" : "s"));
        }
        return value;
    }

    private RRType type(String field) throws WireFormatException {
        int at = position;
        RRType type = new RRType(u16());
        if (annotator != null) {
            note(at, field + " " + type.value() + " (" + type + ")");
        }
        return type;
    }

    private RRClass rrClass(String field) throws WireFormatException {
        int at = position;
        RRClass rrClass = new RRClass(u16());
        if (annotator != null) {
            note(at, field + " " + rrClass.value() + " (" + rrClass + ")");
        }
        return rrClass;
    }

    private int number16(String field) throws WireFormatException {
        int at = position;
        int value = u16();
        if (annotator != null) {
            note(at, field + " " + value);
        }
        return value;
    }

    private long number32(String field) throws WireFormatException {
        int at = position;
        long value = u32();
        if (annotator != null) {
            note(at, field + " " + value);
        }
        return value;
    }

    private void need(int count, String reason) throws WireFormatException {
        if (count > limit - position) {
            throw new WireFormatException(position, reason);
        }
    }

    private int octetAt(int at) {
        return buffer.get(base + at) & 0xff;
    }

    private int u8() throws WireFormatException {
        need(1, "one octet needed, none left");
        return octetAt(position++);
    }

    private int u16() throws WireFormatException {
        need(2, limit == messageEnd ? "message ends inside a 16-bit field" : "RDATA ends inside a 16-bit field");
        int value = buffer.getShort(base + position) & 0xffff;
        position += 2;
        return value;
    }

    private long u32() throws WireFormatException {
        need(4, limit == messageEnd ? "message ends inside a 32-bit field" : "RDATA ends inside a 32-bit field");
        long value = buffer.getInt(base + position) & 0xffffffffL;
        position += 4;
        return value;
    }

    /** Four octets of an address; a short RDATA says which type it cut short. */
    private int s32(RRType type) throws WireFormatException {
        need(4, "RDLENGTH too short for " + type);
        int value = buffer.getInt(base + position);
        position += 4;
        return value;
    }

    private byte[] bytes(int count, String what) throws WireFormatException {
        need(count, what + " of " + count + " octets runs past the end");
        byte[] bytes = new byte[count];
        buffer.get(base + position, bytes);
        position += count;
        return bytes;
    }
}
