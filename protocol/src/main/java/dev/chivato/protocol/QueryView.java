package dev.chivato.protocol;

import java.nio.ByteBuffer;

/**
 * One pass over a message as it arrived, recording where its parts are, so that nothing after it walks the octets
 * again: the header's fields, the first question (its name's offset, length and a hash that ignores case; its type
 * and class), the OPT record (payload size, DO, version, where its options are, a COOKIE option) and where a TSIG
 * record starts. Nothing is decoded into objects and nothing is allocated but the view itself; {@link Message#decode}
 * stays the one place where octets become a {@link Message}.
 *
 * <p>The pass checks the message's frame: every record is within the message and ends where the next begins, the
 * first question's name has no pointer (it can have none that points anywhere valid), at most one OPT record (owned
 * by the root, in the additional section), a TSIG record only as the last additional record, nothing after the last
 * record. It does not read RDATA other than OPT's. So a message the decoder accepts has a view (except one with a
 * TSIG record in the answer or authority section, which a query never has), and every offset a view holds is inside
 * its message: a reader can index with them without checking again.
 *
 * <p>Offsets are from the first octet of the message, so they hold for a copy of it too.
 */
public final class QueryView {
    /** The value of an offset for a part the message does not have. */
    public static final int ABSENT = -1;

    private static final int OPT = 41;
    private static final int TSIG = 250;
    private static final int COOKIE = 10;

    private final int length;
    private final int id;
    private final int flags;
    private final int questionCount;
    private final int answerCount;
    private final int authorityCount;
    private final int additionalCount;
    private final int nameLength;
    private final int nameHash;
    private final int qtype;
    private final int qclass;
    private final int optOffset;
    private final int udpPayloadSize;
    private final int optTtlHigh;
    private final boolean dnssecOk;
    private final int optionsOffset;
    private final int optionsLength;
    private final int cookieOffset;
    private final int cookieLength;
    private final int tsigOffset;

    private QueryView(Pass pass) {
        this.length = pass.end;
        this.id = pass.id;
        this.flags = pass.flags;
        this.questionCount = pass.questions;
        this.answerCount = pass.answers;
        this.authorityCount = pass.authority;
        this.additionalCount = pass.additional;
        this.nameLength = pass.nameLength;
        this.nameHash = pass.nameHash;
        this.qtype = pass.qtype;
        this.qclass = pass.qclass;
        this.optOffset = pass.optOffset;
        this.udpPayloadSize = pass.udpPayloadSize;
        this.optTtlHigh = pass.optTtlHigh;
        this.dnssecOk = pass.dnssecOk;
        this.optionsOffset = pass.optionsOffset;
        this.optionsLength = pass.optionsLength;
        this.cookieOffset = pass.cookieOffset;
        this.cookieLength = pass.cookieLength;
        this.tsigOffset = pass.tsigOffset;
    }

    /**
     * The view of the message in {@code wire} from its position to its limit (neither is moved).
     *
     * @throws WireFormatException when the frame above does not hold; its offset is from the message's start
     */
    public static QueryView of(ByteBuffer wire) throws WireFormatException {
        PASSES.increment();
        return new QueryView(new Pass(wire).run());
    }

    /** Passes made in this process: a test counts them per query (one each, however the query is answered). */
    private static final java.util.concurrent.atomic.LongAdder PASSES = new java.util.concurrent.atomic.LongAdder();

    public static long passes() {
        return PASSES.sum();
    }

    /** The view of a whole array. */
    public static QueryView of(byte[] wire) throws WireFormatException {
        return of(ByteBuffer.wrap(wire));
    }

    /** The state of one pass: local to {@link #of}, so the view's own fields can all be final. */
    private static final class Pass {
        final ByteBuffer wire;
        final int base;
        final int end;
        int at = Header.LENGTH;
        int id;
        int flags;
        int questions;
        int answers;
        int authority;
        int additional;
        int nameLength;
        int nameHash;
        int qtype = ABSENT;
        int qclass = ABSENT;
        int optOffset = ABSENT;
        int udpPayloadSize;
        int optTtlHigh;
        boolean dnssecOk;
        int optionsOffset = ABSENT;
        int optionsLength;
        int cookieOffset = ABSENT;
        int cookieLength;
        int tsigOffset = ABSENT;

        Pass(ByteBuffer wire) {
            this.wire = wire;
            this.base = wire.position();
            this.end = wire.remaining();
        }

        int u8(int offset) {
            return wire.get(base + offset) & 0xff;
        }

        int u16(int offset) {
            return wire.getShort(base + offset) & 0xffff;
        }

        Pass run() throws WireFormatException {
            if (end < Header.LENGTH) {
                throw new WireFormatException(0, "message shorter than the 12-octet header");
            }
            id = u16(0);
            flags = u16(2);
            questions = u16(4);
            answers = u16(6);
            authority = u16(8);
            additional = u16(10);
            for (int i = 0; i < questions; i++) {
                int nameStart = at;
                at = i == 0 ? firstName() : skipName();
                need(4, "question cut short");
                if (i == 0) {
                    nameLength = at - nameStart;
                    qtype = u16(at);
                    qclass = u16(at + 2);
                }
                at += 4;
            }
            for (int i = 0; i < answers + authority; i++) {
                int start = at;
                int type = recordType();
                if (type == OPT) {
                    throw new WireFormatException(start, "OPT record outside the additional section");
                }
                if (type == TSIG) {
                    throw new WireFormatException(start, "TSIG record outside the additional section");
                }
                at = pastRData();
            }
            for (int i = 0; i < additional; i++) {
                additionalRecord(i == additional - 1);
            }
            if (at != end) {
                throw new WireFormatException(at, (end - at) + " bytes after the last record");
            }
            return this;
        }

        /** The first question's name: labels only (a pointer there could point to nothing valid); its hash. */
        int firstName() throws WireFormatException {
            int start = at;
            int p = at;
            while (true) {
                if (p >= end) {
                    throw new WireFormatException(p, "name cut short");
                }
                int label = u8(p);
                if (label == 0) {
                    p++;
                    break;
                }
                if (label > Name.MAX_LABEL_LENGTH) {
                    throw new WireFormatException(p, (label & 0xc0) == 0xc0
                            ? "compression pointer in the first question" : "reserved label type " + (label >> 6));
                }
                p += 1 + label;
                if (p - start >= Name.MAX_WIRE_LENGTH) {
                    throw new WireFormatException(start, "name longer than 255 octets");
                }
            }
            nameHash = Name.hashCodeOf(wire, base + start, p - start);
            return p;
        }

        /** Steps over a name anywhere else: labels, ended by the root label or a pointer (not followed). */
        int skipName() throws WireFormatException {
            int start = at;
            int p = at;
            while (true) {
                if (p >= end) {
                    throw new WireFormatException(p, "name cut short");
                }
                int label = u8(p);
                if (label == 0) {
                    return p + 1;
                }
                if ((label & 0xc0) == 0xc0) {
                    if (p + 2 > end) {
                        throw new WireFormatException(p, "compression pointer cut short");
                    }
                    return p + 2;
                }
                if (label > Name.MAX_LABEL_LENGTH) {
                    throw new WireFormatException(p, "reserved label type " + (label >> 6));
                }
                p += 1 + label;
                if (p - start >= Name.MAX_WIRE_LENGTH) {
                    throw new WireFormatException(start, "name longer than 255 octets");
                }
            }
        }

        /** Steps over a record's owner and reads its TYPE; {@link #at} is then at its CLASS. */
        int recordType() throws WireFormatException {
            at = skipName();
            need(10, "record cut short");
            return u16(at);
        }

        /** From a record's TYPE, past its RDATA. */
        int pastRData() throws WireFormatException {
            int rdLength = u16(at + 8);
            if (rdLength > end - at - 10) {
                throw new WireFormatException(at + 8, "RDLENGTH " + rdLength + " runs past the end of the message");
            }
            return at + 10 + rdLength;
        }

        void additionalRecord(boolean last) throws WireFormatException {
            int start = at;
            boolean rootOwner = at < end && u8(at) == 0;
            int type = recordType();
            int next = pastRData();
            if (type == TSIG) {
                if (!last) {
                    throw new WireFormatException(start, "TSIG record before the last record (RFC 8945 section 5.1)");
                }
                tsigOffset = start;
            } else if (type == OPT) {
                if (optOffset != ABSENT) {
                    throw new WireFormatException(start, "more than one OPT record");
                }
                if (!rootOwner) {
                    throw new WireFormatException(start, "OPT record whose owner is not the root");
                }
                opt(start);
            }
            at = next;
        }

        /** The OPT record at {@code start}, {@link #at} at its TYPE: its fields and options. */
        void opt(int start) throws WireFormatException {
            optOffset = start;
            udpPayloadSize = u16(at + 2);
            optTtlHigh = u16(at + 4);
            dnssecOk = (u8(at + 6) & 0x80) != 0;
            optionsOffset = at + 10;
            optionsLength = u16(at + 8);
            int optionsEnd = optionsOffset + optionsLength;
            for (int option = optionsOffset; option < optionsEnd; ) {
                if (optionsEnd - option < 4) {
                    throw new WireFormatException(option, "EDNS option cut short");
                }
                int code = u16(option);
                int length = u16(option + 2);
                if (length > optionsEnd - option - 4) {
                    throw new WireFormatException(option, "EDNS option runs past its OPT record");
                }
                if (code == COOKIE && cookieOffset == ABSENT) {
                    cookieOffset = option + 4;
                    cookieLength = length;
                }
                option += 4 + length;
            }
        }

        void need(int octets, String what) throws WireFormatException {
            if (end - at < octets) {
                throw new WireFormatException(at, what);
            }
        }
    }

    /** Octets in the message. */
    public int length() {
        return length;
    }

    public int id() {
        return id;
    }

    /** The header's second 16 bits: QR, opcode, AA, TC, RD, RA, Z, AD, CD and the rcode's low four bits. */
    public int flags() {
        return flags;
    }

    public boolean qr() {
        return (flags & 0x8000) != 0;
    }

    public int opcode() {
        return flags >>> 11 & 0xf;
    }

    public boolean rd() {
        return (flags & 0x0100) != 0;
    }

    public boolean cd() {
        return (flags & 0x0010) != 0;
    }

    public int questionCount() {
        return questionCount;
    }

    public int answerCount() {
        return answerCount;
    }

    public int authorityCount() {
        return authorityCount;
    }

    public int additionalCount() {
        return additionalCount;
    }

    /** Whether there is a first question (its name, type and class). */
    public boolean hasQuestion() {
        return questionCount > 0;
    }

    /** Where the first question's name starts: right after the header. */
    public int nameOffset() {
        return hasQuestion() ? Header.LENGTH : ABSENT;
    }

    /** Octets of the first question's name, its root label included; 0 when there is no question. */
    public int nameLength() {
        return nameLength;
    }

    /** The first question's name's hash, the same as {@link Name#hashCode()} of that name: case does not count. */
    public int nameHash() {
        return nameHash;
    }

    /** The first question's type, or {@link #ABSENT}. */
    public int qtype() {
        return qtype;
    }

    /** The first question's class, or {@link #ABSENT}. */
    public int qclass() {
        return qclass;
    }

    /** Where the first question ends. */
    public int questionEnd() {
        return hasQuestion() ? Header.LENGTH + nameLength + 4 : Header.LENGTH;
    }

    /** Whether the message has an OPT record (EDNS). */
    public boolean hasEdns() {
        return optOffset != ABSENT;
    }

    /** Where the OPT record starts, or {@link #ABSENT}. */
    public int optOffset() {
        return optOffset;
    }

    /** The sender's UDP payload size (the OPT record's CLASS); 0 without EDNS. */
    public int udpPayloadSize() {
        return udpPayloadSize;
    }

    /** The EDNS version; 0 without EDNS. */
    public int ednsVersion() {
        return optTtlHigh & 0xff;
    }

    /** The upper eight bits of the rcode, from the OPT record. */
    public int extendedRcode() {
        return optTtlHigh >>> 8;
    }

    /** The DO bit: the sender wants DNSSEC records. */
    public boolean dnssecOk() {
        return dnssecOk;
    }

    /** Where the OPT record's options start (each a code, a length and its octets), or {@link #ABSENT}. */
    public int optionsOffset() {
        return optionsOffset;
    }

    /** Octets of the OPT record's options. */
    public int optionsLength() {
        return optionsLength;
    }

    /** Where the first COOKIE option's data starts, or {@link #ABSENT}. */
    public int cookieOffset() {
        return cookieOffset;
    }

    /** Octets of the COOKIE option's data (8 for a client cookie alone, 16 to 40 with a server cookie). */
    public int cookieLength() {
        return cookieLength;
    }

    /** Where the TSIG record (the last record) starts, or {@link #ABSENT}. */
    public int tsigOffset() {
        return tsigOffset;
    }

    public boolean signed() {
        return tsigOffset != ABSENT;
    }

    /** Whether the first question's name, as written here, is {@code name}'s octets exactly, case included. */
    public boolean nameEquals(ByteBuffer wire, byte[] name) {
        if (name.length != nameLength) {
            return false;
        }
        int from = wire.position() + Header.LENGTH;
        for (int i = 0; i < name.length; i++) {
            if (wire.get(from + i) != name[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first question's name, read from {@code wire} (the message this view is of, or a copy of it). */
    public Name name(ByteBuffer wire) {
        byte[] octets = new byte[nameLength];
        wire.get(wire.position() + Header.LENGTH, octets);
        return new Name(octets);
    }

    /** The first question's name from a copy of the message. */
    public Name name(byte[] wire) {
        return name(ByteBuffer.wrap(wire));
    }
}
