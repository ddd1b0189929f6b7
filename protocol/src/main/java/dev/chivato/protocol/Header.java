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
 * <p>How to read this file: the record's components are the fields; {@code fromWire} and {@code flagsWord} are the
 * two directions between them and the header's second 16-bit word, laid out above.
 *
 * @param rcode the header's four bits of the response code; with EDNS the full code is {@link Message#rcode()}
 */
public record Header(int id, boolean qr, Opcode opcode, boolean aa, boolean tc, boolean rd, boolean ra,
                     boolean z, boolean ad, boolean cd, Rcode rcode) {
    public static final int LENGTH = 12;

    static final int QR = 1 << 15;
    static final int AA = 1 << 10;
    static final int TC = 1 << 9;
    static final int RD = 1 << 8;
    static final int RA = 1 << 7;
    static final int Z = 1 << 6;
    static final int AD = 1 << 5;
    static final int CD = 1 << 4;

    public Header {
        if (id < 0 || id > 0xffff) {
            throw new IllegalArgumentException("id " + id + " is not in 0..65535");
        }
        if (rcode.value() > 0xf) {
            throw new IllegalArgumentException(
                    "the header holds four bits of rcode; " + rcode + " needs EDNS (use Message.withRcode)");
        }
    }

    /** A query header: QUERY opcode, the given id and RD flag, everything else clear. */
    public static Header query(int id, boolean recursionDesired) {
        return new Header(id, false, Opcode.QUERY, false, false, recursionDesired, false, false, false, false,
                Rcode.NOERROR);
    }

    /** The header from its id and the 16-bit flags word as it is on the wire. */
    public static Header fromWire(int id, int flags) {
        return new Header(id, (flags & QR) != 0, Opcode.of(flags >>> 11 & 0xf), (flags & AA) != 0,
                (flags & TC) != 0, (flags & RD) != 0, (flags & RA) != 0, (flags & Z) != 0, (flags & AD) != 0,
                (flags & CD) != 0, Rcode.of(flags & 0xf));
    }

    /** The 16-bit flags word as it goes on the wire. */
    public int flagsWord() {
        return (qr ? QR : 0) | opcode.value() << 11 | (aa ? AA : 0) | (tc ? TC : 0) | (rd ? RD : 0)
                | (ra ? RA : 0) | (z ? Z : 0) | (ad ? AD : 0) | (cd ? CD : 0) | rcode.value();
    }

    public Header withRcode(Rcode headerRcode) {
        return new Header(id, qr, opcode, aa, tc, rd, ra, z, ad, cd, headerRcode);
    }

    /**
     * The header of a response to this query: same id, opcode, RD and CD; QR set; the given AA; no RA, since this
     * server never recurses.
     */
    public Header toResponse(boolean authoritative, Rcode headerRcode) {
        return new Header(id, true, opcode, authoritative, false, rd, false, false, false, cd, headerRcode);
    }

    /** The flags dig prints, in dig's order: {@code qr aa tc rd ra ad cd} (and {@code z} when set). */
    public String flagsText() {
        PresentationText text = new PresentationText(24);
        writeFlags(text);
        return text.toString();
    }

    void writeFlags(PresentationText text) {
        int start = text.length();
        writeFlag(text, start, qr, "qr");
        writeFlag(text, start, aa, "aa");
        writeFlag(text, start, tc, "tc");
        writeFlag(text, start, rd, "rd");
        writeFlag(text, start, ra, "ra");
        writeFlag(text, start, z, "z");
        writeFlag(text, start, ad, "ad");
        writeFlag(text, start, cd, "cd");
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
