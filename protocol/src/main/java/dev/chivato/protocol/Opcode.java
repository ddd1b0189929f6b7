package dev.chivato.protocol;

/**
 * The 4-bit OPCODE of the header (RFC 1035, 1996, 2136, 8490).
 *
 * <p>How to read this file: a 4-bit number; the known ones have names ({@code define}), {@code of} shares instances
 * for the decoder.
 */
public record Opcode(int value) {
    private static final Mnemonics MNEMONICS = new Mnemonics("opcode", "RESERVED", 15);
    private static final ValueCache<Opcode> CACHE = new ValueCache<>(16, Opcode::new);

    public static final Opcode QUERY = define(0, "QUERY");
    public static final Opcode IQUERY = define(1, "IQUERY");
    public static final Opcode STATUS = define(2, "STATUS");
    public static final Opcode NOTIFY = define(4, "NOTIFY");
    public static final Opcode UPDATE = define(5, "UPDATE");
    public static final Opcode DSO = define(6, "DSO");

    public Opcode {
        MNEMONICS.checkRange(value);
    }

    private static Opcode define(int value, String mnemonic) {
        MNEMONICS.add(value, mnemonic);
        return new Opcode(value);
    }

    /** The value for {@code number}: a shared instance for the common ones. */
    public static Opcode of(int number) {
        return CACHE.get(number);
    }

    public static Opcode parse(String text) {
        return new Opcode(MNEMONICS.parse(text));
    }

    @Override
    public String toString() {
        return MNEMONICS.name(value);
    }
}
