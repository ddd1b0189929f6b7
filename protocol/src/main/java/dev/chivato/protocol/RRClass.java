package dev.chivato.protocol;

/**
 * A resource record CLASS (RFC 1035 section 3.2.4); any 16-bit value survives.
 *
 * <p>How to read this file: a 16-bit number; the known ones have names ({@code define}), {@code of} shares
 * instances for the decoder.
 */
public record RRClass(int value) {
    private static final Mnemonics MNEMONICS = new Mnemonics("class", "CLASS", 0xffff);
    /** Up to 4096: past the classes, an OPT record's CLASS is its sender's UDP payload size (512 to 4096 in use). */
    private static final ValueCache<RRClass> CACHE = new ValueCache<>(4097, RRClass::new);

    public static final RRClass IN = define(1, "IN");
    public static final RRClass CH = define(3, "CH");
    public static final RRClass HS = define(4, "HS");
    public static final RRClass NONE = define(254, "NONE");
    public static final RRClass ANY = define(255, "ANY");

    public RRClass {
        MNEMONICS.checkRange(value);
    }

    private static RRClass define(int value, String mnemonic) {
        MNEMONICS.add(value, mnemonic);
        return new RRClass(value);
    }

    /** The value for {@code number}: a shared instance for the common ones. */
    public static RRClass of(int number) {
        return CACHE.get(number);
    }

    /** Parses a mnemonic ({@code IN}, {@code ch}) or the generic {@code CLASS3}. */
    public static RRClass parse(String text) {
        return new RRClass(MNEMONICS.parse(text));
    }

    @Override
    public String toString() {
        return MNEMONICS.name(value);
    }
}
