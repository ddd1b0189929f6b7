package dev.chivato.protocol;

/** A resource record TYPE (RFC 1035 section 3.2.2 and the IANA registry); any 16-bit value survives. */
public record RRType(int value) {
    private static final Mnemonics MNEMONICS = new Mnemonics("type", "TYPE", 0xffff);
    private static final ValueCache<RRType> CACHE = new ValueCache<>(300, RRType::new);

    public static final RRType A = define(1, "A");
    public static final RRType NS = define(2, "NS");
    public static final RRType CNAME = define(5, "CNAME");
    public static final RRType SOA = define(6, "SOA");
    public static final RRType PTR = define(12, "PTR");
    public static final RRType HINFO = define(13, "HINFO");
    public static final RRType MX = define(15, "MX");
    public static final RRType TXT = define(16, "TXT");
    public static final RRType AAAA = define(28, "AAAA");
    public static final RRType SRV = define(33, "SRV");
    public static final RRType OPT = define(41, "OPT");
    public static final RRType DS = define(43, "DS");
    public static final RRType RRSIG = define(46, "RRSIG");
    public static final RRType NSEC = define(47, "NSEC");
    public static final RRType DNSKEY = define(48, "DNSKEY");
    public static final RRType SVCB = define(64, "SVCB");
    public static final RRType HTTPS = define(65, "HTTPS");
    public static final RRType IXFR = define(251, "IXFR");
    public static final RRType AXFR = define(252, "AXFR");
    public static final RRType MAILB = define(253, "MAILB");
    public static final RRType MAILA = define(254, "MAILA");
    public static final RRType ANY = define(255, "ANY");
    public static final RRType CAA = define(257, "CAA");
    /** Transaction signature (RFC 8945): a meta-record, only ever the last of the additional section. */
    public static final RRType TSIG = define(250, "TSIG");

    public RRType {
        MNEMONICS.checkRange(value);
    }

    private static RRType define(int value, String mnemonic) {
        MNEMONICS.add(value, mnemonic);
        return new RRType(value);
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
