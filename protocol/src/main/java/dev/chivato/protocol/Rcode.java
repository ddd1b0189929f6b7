package dev.chivato.protocol;

/**
 * A response code. Values up to 15 fit the header; larger ones (BADVERS = 16) need EDNS, which carries the upper
 * eight bits of the 12-bit code (RFC 6891 section 6.1.3).
 *
 * <p>How to read this file: a 12-bit number, split by {@code headerBits} and {@code extendedBits} into what the
 * header and OPT carry.
 */
public record Rcode(int value) {
    private static final Mnemonics MNEMONICS = new Mnemonics("rcode", "RCODE", 0xfff);
    private static final ValueCache<Rcode> CACHE = new ValueCache<>(32, Rcode::new);

    public static final Rcode NOERROR = define(0, "NOERROR");
    public static final Rcode FORMERR = define(1, "FORMERR");
    public static final Rcode SERVFAIL = define(2, "SERVFAIL");
    public static final Rcode NXDOMAIN = define(3, "NXDOMAIN");
    public static final Rcode NOTIMP = define(4, "NOTIMP");
    public static final Rcode REFUSED = define(5, "REFUSED");
    public static final Rcode YXDOMAIN = define(6, "YXDOMAIN");
    public static final Rcode YXRRSET = define(7, "YXRRSET");
    public static final Rcode NXRRSET = define(8, "NXRRSET");
    public static final Rcode NOTAUTH = define(9, "NOTAUTH");
    public static final Rcode NOTZONE = define(10, "NOTZONE");
    public static final Rcode BADVERS = define(16, "BADVERS");
    public static final Rcode BADCOOKIE = define(23, "BADCOOKIE");

    public Rcode {
        MNEMONICS.checkRange(value);
    }

    private static Rcode define(int value, String mnemonic) {
        MNEMONICS.add(value, mnemonic);
        return new Rcode(value);
    }

    /** The value for {@code number}: a shared instance for the common ones. */
    public static Rcode of(int number) {
        return CACHE.get(number);
    }

    public static Rcode parse(String text) {
        return new Rcode(MNEMONICS.parse(text));
    }

    /** Combines the header's four bits with EDNS's upper eight. */
    public static Rcode of(int headerBits, int extendedBits) {
        return of(extendedBits << 4 | headerBits);
    }

    /** The low four bits, the part the header holds. */
    public int headerBits() {
        return value & 0xf;
    }

    /** The upper eight bits, the part the OPT record holds. */
    public int extendedBits() {
        return value >>> 4;
    }

    @Override
    public String toString() {
        return MNEMONICS.name(value);
    }
}
