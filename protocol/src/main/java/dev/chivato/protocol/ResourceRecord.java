package dev.chivato.protocol;

/**
 * A resource record (RFC 1035 section 4.1.3). Its TYPE is the type of its RDATA, so the two cannot disagree.
 *
 * <p>How to read this file: a value with four parts; {@code sameRRset} is what the encoder groups records by.
 *
 * @param ttl an unsigned 32-bit value, kept as it came
 */
public record ResourceRecord(Name name, RRClass rrClass, long ttl, RData data) {
    public ResourceRecord {
        if (name == null || rrClass == null || data == null) {
            throw new NullPointerException("record needs a name, class and data");
        }
        if (ttl < 0 || ttl > 0xffffffffL) {
            throw new IllegalArgumentException("TTL " + ttl + " is not in 0..4294967295");
        }
        if (!RData.formFits(data, rrClass)) {
            // The decoder turns exactly the typed (type, class) pairs into typed RDATA; built records must agree,
            // or a record would not decode back to itself.
            throw new IllegalArgumentException("type " + data.type() + " in class " + rrClass + " is not held as "
                    + data.getClass().getSimpleName() + ": " + (RData.hasTypedForm(data.type(), rrClass)
                    ? "it has a typed form" : TypeTable.descriptor(data.type(), rrClass) != null
                    ? "the type table describes it (RData.Described)" : "nothing describes it (RData.Unknown)"));
        }
    }

    /** A record of class IN. */
    public static ResourceRecord in(Name name, long ttl, RData data) {
        return new ResourceRecord(name, RRClass.IN, ttl, data);
    }

    public RRType type() {
        return data.type();
    }

    /** Whether the two records belong to the same RRset: same owner, type and class (RFC 2181 section 5). */
    public boolean sameRRset(ResourceRecord other) {
        return sameType(data, other.data) && name.equals(other.name) && rrClass.equals(other.rrClass);
    }

    /**
     * Whether the two RDATA have the same TYPE. A typed form's class is its type, so most pairs are told apart by
     * class alone: {@link RData#type()} is an interface call, megamorphic where types mix (CodecBenchmark.encodeHundred).
     */
    private static boolean sameType(RData a, RData b) {
        return a.getClass() == b.getClass() && (!carriesType(a) || a.type().equals(b.type()));
    }

    /** Whether the RDATA's form holds its TYPE as a value ({@link RData.Described}, {@link RData.Unknown}). */
    private static boolean carriesType(RData data) {
        return data instanceof RData.Described || data instanceof RData.Unknown;
    }

    /**
     * Where the RRset that starts at {@code first} in {@code records} ends, with the RRSIG records right after it at
     * the same owner: the unit an encoder writes whole or not at all, so that an RRset never goes out without its
     * signatures (RFC 4035 section 3.1.1: rather TC).
     */
    public static int endOfRRset(java.util.List<ResourceRecord> records, int first) {
        ResourceRecord head = records.get(first);
        int end = first + 1;
        while (end < records.size() && records.get(end).sameRRset(head)) {
            end++;
        }
        while (end < records.size() && carriesType(records.get(end).data)
                && records.get(end).type().equals(RRType.RRSIG) && records.get(end).name.equals(head.name)
                && records.get(end).rrClass.equals(head.rrClass)) {
            end++;
        }
        return end;
    }

    /** The line dig prints for the record. */
    @Override
    public String toString() {
        PresentationText text = new PresentationText(64);
        writeTo(text);
        return text.toString();
    }

    /** The line dig prints: owner, TTL, class, type and data, tab-separated as dig lines them up. */
    void writeTo(PresentationText text) {
        int start = text.length();
        text.name(name);
        text.text(text.length() - start < 16 ? "\t\t" : "\t").number(ttl).character('\t').text(rrClass.toString())
                .character('\t').text(type().toString()).character('\t').rdata(data);
    }
}
