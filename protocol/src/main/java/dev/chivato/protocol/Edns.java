package dev.chivato.protocol;

import java.util.List;

/**
 * The EDNS(0) information a message carries in its OPT pseudo-record (RFC 6891 section 6.1.3). On the wire the
 * record's CLASS is the UDP payload size and its TTL holds the extended rcode, the version and the flags:
 *
 * <pre>
 * TTL: | EXTENDED-RCODE (8) | VERSION (8) | DO (1) | Z (15) |
 * </pre>
 *
 * <p>How to read this file: the record's components are the fields decoded; {@code fromOpt} and {@code optTtl} are
 * the two directions between them and the OPT record's CLASS and TTL.
 *
 * @param extendedRcode the upper eight bits of the 12-bit rcode (BADVERS = 16 is 1 here, 0 in the header)
 * @param zFlags        the fifteen flag bits after DO, kept as they were (none are defined)
 */
public record Edns(int udpPayloadSize, int extendedRcode, int version, boolean dnssecOk, int zFlags,
                   List<EdnsOption> options) {
    public Edns {
        if (udpPayloadSize < 0 || udpPayloadSize > 0xffff) {
            throw new IllegalArgumentException("UDP payload size " + udpPayloadSize + " is not in 0..65535");
        }
        if (extendedRcode < 0 || extendedRcode > 0xff || version < 0 || version > 0xff) {
            throw new IllegalArgumentException("extended rcode and version are 8 bits each");
        }
        if (zFlags < 0 || zFlags > 0x7fff) {
            throw new IllegalArgumentException("Z flags are 15 bits");
        }
        options = List.copyOf(options);
    }

    /** Version 0, no options, the given payload size and DO flag. */
    public static Edns of(int udpPayloadSize, boolean dnssecOk) {
        return new Edns(udpPayloadSize, 0, 0, dnssecOk, 0, List.of());
    }

    public Edns withExtendedRcode(int bits) {
        return new Edns(udpPayloadSize, bits, version, dnssecOk, zFlags, options);
    }

    /** The OPT pseudo-record that carries this on the wire: owner root, always in the additional section. */
    public ResourceRecord toRecord() {
        return new ResourceRecord(Name.ROOT, RRClass.of(udpPayloadSize), optTtl(), new RData.Opt(options));
    }

    /** The OPT record's TTL field: extended rcode, version, DO and the Z flags. */
    long optTtl() {
        return (long) extendedRcode << 24 | version << 16 | (dnssecOk ? 0x8000 : 0) | zFlags;
    }

    /** Reads an OPT pseudo-record; the caller has checked that it is one. */
    public static Edns fromRecord(ResourceRecord opt) {
        return fromOpt(opt.rrClass().value(), opt.ttl(),
                opt.data() instanceof RData.Opt o ? o.options() : List.of());
    }

    /** From an OPT record's CLASS, TTL and options, as the decoder reads them. */
    static Edns fromOpt(int rrClass, long ttl, List<EdnsOption> options) {
        return new Edns(rrClass, (int) (ttl >>> 24), (int) (ttl >>> 16 & 0xff), (ttl & 0x8000) != 0,
                (int) (ttl & 0x7fff), options);
    }

    /** Octets the OPT record takes on the wire. */
    public int wireLength() {
        int length = 1 + 10;
        for (EdnsOption option : options) {
            length += 4 + option.length();
        }
        return length;
    }

    /** dig's OPT PSEUDOSECTION lines. */
    @Override
    public String toString() {
        PresentationText text = new PresentationText(80);
        writeTo(text);
        return text.toString();
    }

    void writeTo(PresentationText text) {
        text.text(";; OPT PSEUDOSECTION:\n; EDNS: version: ").number(version).text(", flags:")
                .text(dnssecOk ? " do" : "");
        if (zFlags != 0) {
            text.text("; MBZ: 0x").text(String.format("%04x", zFlags));
        }
        text.text("; udp: ").number(udpPayloadSize).character('\n');
        for (int i = 0; i < options.size(); i++) {
            text.text("; ").text(options.get(i).toString()).character('\n');
        }
    }
}
