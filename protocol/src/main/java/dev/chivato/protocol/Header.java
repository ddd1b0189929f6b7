package dev.chivato.protocol;

/**
 * The fixed part of the 12-octet header (RFC 1035 section 4.1.1, RFC 2535 for AD and CD). The four section counts are
 * not stored: they come from the sections when a message is encoded.
 *
 * <pre>
 *   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 * +--+-----------+--+--+--+--+--+--+--+-----------+
 * |QR|  OPCODE   |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 * +--+-----------+--+--+--+--+--+--+--+-----------+
 * </pre>
 *
 * <p>How to read this file: a header is its id and its second 16-bit word, laid out above, kept as it is on the
 * wire; each flag is a bit of that word and each accessor reads its bit. The constructor with a parameter per field
 * builds the word, {@link #flagsWord} gives it back. A final class rather than a record only for that: decoding a
 * query takes the word as it comes instead of splitting it into eight booleans and two lookups
 * (CodecBenchmark.decodeDigQuery).
 */
public final class Header {
    public static final int LENGTH = 12;

    static final int QR = 1 << 15;
    static final int AA = 1 << 10;
    static final int TC = 1 << 9;
    static final int RD = 1 << 8;
    static final int RA = 1 << 7;
    static final int Z = 1 << 6;
    static final int AD = 1 << 5;
    static final int CD = 1 << 4;
    private static final int OPCODE_SHIFT = 11;
    private static final int RCODE_BITS = 0xf;

    private final int id;
    /** The second word of the header: QR, OPCODE, AA, TC, RD, RA, Z, AD, CD and RCODE, 16 bits. */
    private final int flags;

    public Header(int id, boolean qr, Opcode opcode, boolean aa, boolean tc, boolean rd, boolean ra,
                  boolean z, boolean ad, boolean cd, Rcode rcode) {
        this(id, (qr ? QR : 0) | opcode.value() << OPCODE_SHIFT | (aa ? AA : 0) | (tc ? TC : 0) | (rd ? RD : 0)
                | (ra ? RA : 0) | (z ? Z : 0) | (ad ? AD : 0) | (cd ? CD : 0) | headerBits(rcode));
    }

    private Header(int id, int flags) {
        if (id < 0 || id > 0xffff) {
            throw new IllegalArgumentException("id " + id + " is not in 0..65535");
        }
        this.id = id;
        this.flags = flags;
    }

    private static int headerBits(Rcode rcode) {
        if (rcode.value() > RCODE_BITS) {
            throw new IllegalArgumentException(
                    "the header holds four bits of rcode; " + rcode + " needs EDNS (use Message.withRcode)");
        }
        return rcode.value();
    }

    /** A query header: QUERY opcode, the given id and RD flag, everything else clear. */
    public static Header query(int id, boolean recursionDesired) {
        return new Header(id, recursionDesired ? RD : 0);
    }

    /** The header from its id and the 16-bit flags word as it is on the wire. */
    public static Header fromWire(int id, int flags) {
        return new Header(id, flags & 0xffff);
    }

    /** The 16-bit flags word as it goes on the wire. */
    public int flagsWord() {
        return flags;
    }

    public int id() {
        return id;
    }

    public boolean qr() {
        return (flags & QR) != 0;
    }

    public Opcode opcode() {
        return Opcode.of(flags >>> OPCODE_SHIFT & 0xf);
    }

    public boolean aa() {
        return (flags & AA) != 0;
    }

    public boolean tc() {
        return (flags & TC) != 0;
    }

    public boolean rd() {
        return (flags & RD) != 0;
    }

    public boolean ra() {
        return (flags & RA) != 0;
    }

    public boolean z() {
        return (flags & Z) != 0;
    }

    public boolean ad() {
        return (flags & AD) != 0;
    }

    public boolean cd() {
        return (flags & CD) != 0;
    }

    /** The header's four bits of the response code; with EDNS the full code is {@link Message#rcode()}. */
    public Rcode rcode() {
        return Rcode.of(flags & RCODE_BITS);
    }

    public Header withRcode(Rcode headerRcode) {
        return new Header(id, flags & ~RCODE_BITS | headerBits(headerRcode));
    }

    /**
     * The header of a response to this query: same id, opcode, RD and CD; QR set; the given AA; no RA, since this
     * server never recurses.
     */
    public Header toResponse(boolean authoritative, Rcode headerRcode) {
        return new Header(id, QR | flags & (0xf << OPCODE_SHIFT | RD | CD) | (authoritative ? AA : 0)
                | headerBits(headerRcode));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Header that && id == that.id && flags == that.flags;
    }

    @Override
    public int hashCode() {
        return id * 31 + flags;
    }

    /** Each field by name, as a record would print it. */
    @Override
    public String toString() {
        return "Header[id=" + id + ", qr=" + qr() + ", opcode=" + opcode() + ", aa=" + aa() + ", tc=" + tc()
                + ", rd=" + rd() + ", ra=" + ra() + ", z=" + z() + ", ad=" + ad() + ", cd=" + cd() + ", rcode="
                + rcode() + "]";
    }

    /** The flags dig prints, in dig's order: {@code qr aa tc rd ra ad cd} (and {@code z} when set). */
    public String flagsText() {
        PresentationText text = new PresentationText(24);
        writeFlags(text);
        return text.toString();
    }

    void writeFlags(PresentationText text) {
        int start = text.length();
        writeFlag(text, start, qr(), "qr");
        writeFlag(text, start, aa(), "aa");
        writeFlag(text, start, tc(), "tc");
        writeFlag(text, start, rd(), "rd");
        writeFlag(text, start, ra(), "ra");
        writeFlag(text, start, z(), "z");
        writeFlag(text, start, ad(), "ad");
        writeFlag(text, start, cd(), "cd");
    }

    private static void writeFlag(PresentationText text, int start, boolean set, String flag) {
        if (set) {
            if (text.length() > start) {
                text.character(' ');
            }
            text.text(flag);
        }
    }
}
