package dev.chivato.protocol;

import java.nio.ByteBuffer;

/**
 * One pass over a message as it arrived, recording where its parts are, so that nothing after it walks the octets
 * again: the header's fields, the first question (its name's offset, length and a hash that ignores case; its type
 * and class), the OPT record (payload size, DO, version, where its options are, a COOKIE option) and where a TSIG
 * record starts. Nothing is decoded into objects, and a reused view allocates nothing once its scratch array (for
 * direct buffers) has grown to the largest message it met; {@link Message#decode} stays the one place where octets
 * become a {@link Message}.
 *
 * <p>The pass checks the message's frame: every record is within the message and ends where the next begins, the
 * first question's name has no pointer (it can have none that points anywhere valid), at most one OPT record (owned
 * by the root, in the additional section), a TSIG record only as the last additional record, nothing after the last
 * record. It does not read RDATA other than OPT's. So a message the decoder accepts has a view (except one with a
 * TSIG record in the answer or authority section, which a query never has), and every offset a view holds is inside
 * its message: a reader can index with them without checking again.
 *
 * <p>Offsets are from the first octet of the message, so they hold for a copy of it too.
 *
 * <p>A view is a value once read: {@link #of} gives a new one. An event loop, which reads a message per turn, keeps one
 * view and {@link #read reads} each message into it, so that answering allocates nothing; whatever keeps a view past
 * its message's turn (a log entry, a query waiting upstream) keeps a {@link #copy()}.
 *
 * <p>How to read this file: {@code pass} walks the message once, section by section, framing each record without
 * decoding it; the getters after it hand out what the walk wrote down.
 */
public final class QueryView {
    /** The value of an offset for a part the message does not have. */
    public static final int ABSENT = -1;

    private static final int OPT = 41;
    private static final int TSIG = 250;
    private static final int COOKIE = 10;

    private int length;
    private int id;
    private int flags;
    private int questionCount;
    private int answerCount;
    private int authorityCount;
    private int additionalCount;
    private int nameLength;
    private int nameHash;
    private int qtype;
    private int qclass;
    private int optOffset;
    private int udpPayloadSize;
    private int optTtlHigh;
    private boolean dnssecOk;
    private int optionsOffset;
    private int optionsLength;
    private int cookieOffset;
    private int cookieLength;
    private int tsigOffset;

    /**
     * While reading: the message's octets, where it starts in them, and where the pass is (from the message's start).
     * A heap buffer's array is read in place; a direct buffer's message is first copied, in one bulk move, into
     * {@link #scratch}: array reads need no bounds check of the buffer's own per octet, which made the pass a third
     * of an answer-cache hit (JFR, HandlerBenchmark.handle_chivato, 2026-12-05).
     */
    private byte[] wire;
    private int base;
    private int at;
    /** The copy of a direct buffer's message; kept from one read to the next (a view is reused per loop). */
    private byte[] scratch = NO_OCTETS;
    private static final byte[] NO_OCTETS = new byte[0];

    /** A view of no message yet, to {@link #read} messages into. */
    public QueryView() {
    }

    /** An independent copy of this view, for keeping past the message's turn. */
    public QueryView copy() {
        QueryView copy = new QueryView();
        copy.length = length;
        copy.id = id;
        copy.flags = flags;
        copy.questionCount = questionCount;
        copy.answerCount = answerCount;
        copy.authorityCount = authorityCount;
        copy.additionalCount = additionalCount;
        copy.nameLength = nameLength;
        copy.nameHash = nameHash;
        copy.qtype = qtype;
        copy.qclass = qclass;
        copy.optOffset = optOffset;
        copy.udpPayloadSize = udpPayloadSize;
        copy.optTtlHigh = optTtlHigh;
        copy.dnssecOk = dnssecOk;
        copy.optionsOffset = optionsOffset;
        copy.optionsLength = optionsLength;
        copy.cookieOffset = cookieOffset;
        copy.cookieLength = cookieLength;
        copy.tsigOffset = tsigOffset;
        return copy;
    }

    /**
     * The view of the message in {@code wire} from its position to its limit (neither is moved).
     *
     * @throws WireFormatException when the frame above does not hold; its offset is from the message's start
     */
    public static QueryView of(ByteBuffer wire) throws WireFormatException {
        QueryView view = new QueryView();
        view.read(wire);
        return view;
    }

    /**
     * Reads the message in {@code wire} from its position to its limit (neither is moved) into this view, in place of
     * what it held: for the one owner of a reused view. After a failure the view holds nothing usable.
     *
     * @throws WireFormatException when the frame above does not hold; its offset is from the message's start
     */
    public void read(ByteBuffer wire) throws WireFormatException {
        if (counting) {
            PASSES.increment();
        }
        this.length = wire.remaining();
        if (wire.hasArray()) {
            this.wire = wire.array();
            this.base = wire.arrayOffset() + wire.position();
        } else {
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, Math.min(2 * scratch.length, 65_535))];
            }
            wire.get(wire.position(), scratch, 0, length);
            this.wire = scratch;
            this.base = 0;
        }
        this.at = Header.LENGTH;
        nameLength = 0;
        nameHash = 0;
        qtype = ABSENT;
        qclass = ABSENT;
        optOffset = ABSENT;
        udpPayloadSize = 0;
        optTtlHigh = 0;
        dnssecOk = false;
        optionsOffset = ABSENT;
        optionsLength = 0;
        cookieOffset = ABSENT;
        cookieLength = 0;
        tsigOffset = ABSENT;
        try {
            pass();
        } finally {
            this.wire = null; // a view holds no message
        }
    }

    /** Passes made in this process since {@link #countPasses()}: a test counts them per query (one each). */
    private static final java.util.concurrent.atomic.LongAdder PASSES = new java.util.concurrent.atomic.LongAdder();
    /** Off unless a test asks: a shared count costs a tenth of an answer-cache hit (JFR, HandlerBenchmark). */
    private static volatile boolean counting;

    /** Counts passes from now on, for {@link #passes()}. */
    public static void countPasses() {
        counting = true;
    }

    public static long passes() {
        return PASSES.sum();
    }

    /** The view of a whole array. */
    public static QueryView of(byte[] wire) throws WireFormatException {
        return of(ByteBuffer.wrap(wire));
    }

    private int u8(int offset) {
        return wire[base + offset] & 0xff;
    }

    private int u16(int offset) {
        return (wire[base + offset] & 0xff) << 8 | wire[base + offset + 1] & 0xff;
    }

    private void pass() throws WireFormatException {
        if (length < Header.LENGTH) {
            throw new WireFormatException(0, "message shorter than the 12-octet header");
        }
        id = u16(0);
        flags = u16(2);
        questionCount = u16(4);
        answerCount = u16(6);
        authorityCount = u16(8);
        additionalCount = u16(10);
        for (int i = 0; i < questionCount; i++) {
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
        for (int i = 0; i < answerCount + authorityCount; i++) {
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
        for (int i = 0; i < additionalCount; i++) {
            additionalRecord(i == additionalCount - 1);
        }
        if (at != length) {
            throw new WireFormatException(at, (length - at) + " bytes after the last record");
        }
    }

    /** The first question's name: labels only (a pointer there could point to nothing valid); its hash. */
    private int firstName() throws WireFormatException {
        int past = skipName(false);
        nameHash = Name.hashCodeOf(wire, base + at, past - at);
        return past;
    }

    /** Steps over a name anywhere else: labels, ended by the root label or a pointer (not followed). */
    private int skipName() throws WireFormatException {
        return skipName(true);
    }

    /** Where the name at {@link #at} ends: after its root label, or after a pointer when {@code pointers}. */
    private int skipName(boolean pointers) throws WireFormatException {
        int start = at;
        int p = at;
        while (true) {
            if (p >= length) {
                throw new WireFormatException(p, "name cut short");
            }
            int label = u8(p);
            if (label == 0) {
                return p + 1;
            }
            if ((label & 0xc0) == 0xc0 && pointers) {
                if (p + 2 > length) {
                    throw new WireFormatException(p, "compression pointer cut short");
                }
                return p + 2;
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
    }

    /** Steps over a record's owner and reads its TYPE; {@link #at} is then at its CLASS. */
    private int recordType() throws WireFormatException {
        at = skipName();
        need(10, "record cut short");
        return u16(at);
    }

    /** From a record's TYPE, past its RDATA. */
    private int pastRData() throws WireFormatException {
        int rdLength = u16(at + 8);
        if (rdLength > length - at - 10) {
            throw new WireFormatException(at + 8, "RDLENGTH " + rdLength + " runs past the end of the message");
        }
        return at + 10 + rdLength;
    }

    private void additionalRecord(boolean last) throws WireFormatException {
        int start = at;
        boolean rootOwner = at < length && u8(at) == 0;
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
    private void opt(int start) throws WireFormatException {
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
            int optionLength = u16(option + 2);
            if (optionLength > optionsEnd - option - 4) {
                throw new WireFormatException(option, "EDNS option runs past its OPT record");
            }
            if (code == COOKIE && cookieOffset == ABSENT) {
                if (optionLength != 8 && (optionLength < 16 || optionLength > 40)) {
                    throw new WireFormatException(option, "COOKIE option of " + optionLength + " octets: a client "
                            + "cookie is 8, with a server cookie 16 to 40 (RFC 7873 section 5.2.2)");
                }
                cookieOffset = option + 4;
                cookieLength = optionLength;
            }
            option += 4 + optionLength;
        }
    }

    private void need(int octets, String what) throws WireFormatException {
        if (length - at < octets) {
            throw new WireFormatException(at, what);
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

    /** Whether the first question's name, as written here, is {@code name} exactly, case included. */
    public boolean nameEquals(ByteBuffer wire, Name name) {
        return nameEquals(wire, name.sharedWire());
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
