package dev.chivato.protocol;

/**
 * A resource record TYPE (RFC 1035 section 3.2.2 and the IANA registry); any 16-bit value survives.
 *
 * <p>How to read this file: a 16-bit number; mnemonics come from {@link TypeTable}'s rows and the meta-types listed
 * here, {@code of} shares instances for the decoder.
 */
public record RRType(int value) {
    /** The mnemonics of every type in {@link TypeTable}, and of the meta-types, which have no RDATA of their own. */
    private static final Mnemonics MNEMONICS = mnemonics();
    private static final ValueCache<RRType> CACHE = new ValueCache<>(300, RRType::new);

    public static final RRType A = new RRType(1);
    public static final RRType NS = new RRType(2);
    public static final RRType CNAME = new RRType(5);
    public static final RRType SOA = new RRType(6);
    public static final RRType PTR = new RRType(12);
    public static final RRType HINFO = new RRType(13);
    public static final RRType MX = new RRType(15);
    public static final RRType TXT = new RRType(16);
    public static final RRType AAAA = new RRType(28);
    public static final RRType SRV = new RRType(33);
    public static final RRType DNAME = new RRType(39);
    public static final RRType OPT = new RRType(41);
    public static final RRType DS = new RRType(43);
    public static final RRType RRSIG = new RRType(46);
    public static final RRType NSEC = new RRType(47);
    public static final RRType DNSKEY = new RRType(48);
    public static final RRType NSEC3 = new RRType(50);
    public static final RRType NSEC3PARAM = new RRType(51);
    public static final RRType SVCB = new RRType(64);
    public static final RRType HTTPS = new RRType(65);
    public static final RRType IXFR = new RRType(251);
    public static final RRType AXFR = new RRType(252);
    public static final RRType MAILB = new RRType(253);
    public static final RRType MAILA = new RRType(254);
    public static final RRType ANY = new RRType(255);
    public static final RRType CAA = new RRType(257);
    /** Transaction signature (RFC 8945): a meta-record, only ever the last of the additional section. */
    public static final RRType TSIG = new RRType(250);

    private static Mnemonics mnemonics() {
        Mnemonics mnemonics = new Mnemonics("type", "TYPE", 0xffff);
        for (TypeDescriptor row : TypeTable.rows()) {
            mnemonics.add(row.number(), row.mnemonic());
        }
        return mnemonics.add(41, "OPT").add(249, "TKEY").add(250, "TSIG").add(251, "IXFR").add(252, "AXFR")
                .add(253, "MAILB").add(254, "MAILA").add(255, "ANY");
    }

    public RRType {
        MNEMONICS.checkRange(value);
    }

    /** The value for {@code number}: a shared instance for the common ones. */
    public static RRType of(int number) {
        return CACHE.get(number);
    }

    /** Parses a mnemonic ({@code A}, {@code aaaa}) or the generic {@code TYPE65534}. */
    public static RRType parse(String text) {
        return new RRType(MNEMONICS.parse(text));
    }

    @Override
    public String toString() {
        return MNEMONICS.name(value);
    }
}
