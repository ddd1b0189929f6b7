package dev.chivato.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The EDNS(0) information a message carries in its OPT pseudo-record (RFC 6891 section 6.1.3). On the wire the
 * record's CLASS is the UDP payload size and its TTL holds the extended rcode, the version and the flags:
 *
 * <pre>
 * TTL: | EXTENDED-RCODE (8) | VERSION (8) | DO (1) | Z (15) |
 * </pre>
 *
 * <p>How to read this file: the fields are those decoded; {@code fromOpt} and {@code optTtl} are the two directions
 * between them and the OPT record's CLASS and TTL. The options are kept as the OPT RDATA's octets and made a list
 * when {@link #options()} is first asked for: a final class rather than a record only for that, since a decoded
 * query's options are written back or skimmed far more often than read one by one, and making each option and the
 * list was a fifth of decoding dig's query (CodecBenchmark.decodeDigQuery).
 */
public final class Edns {
    private final int udpPayloadSize;
    private final int extendedRcode;
    private final int version;
    private final boolean dnssecOk;
    private final int zFlags;
    /** The OPT RDATA: each option's code, length and octets. Checked, never changed, never handed out. */
    private final byte[] optionOctets;
    /** {@link #options()}, made on first use; any thread may make it, each an equal immutable list. */
    private List<EdnsOption> options;

    public Edns(int udpPayloadSize, int extendedRcode, int version, boolean dnssecOk, int zFlags,
                List<EdnsOption> options) {
        this(udpPayloadSize, extendedRcode, version, dnssecOk, zFlags, octetsOf(options));
        this.options = List.copyOf(options);
    }

    private Edns(int udpPayloadSize, int extendedRcode, int version, boolean dnssecOk, int zFlags,
                 byte[] optionOctets) {
        if (udpPayloadSize < 0 || udpPayloadSize > 0xffff) {
            throw new IllegalArgumentException("UDP payload size " + udpPayloadSize + " is not in 0..65535");
        }
        if (extendedRcode < 0 || extendedRcode > 0xff || version < 0 || version > 0xff) {
            throw new IllegalArgumentException("extended rcode and version are 8 bits each");
        }
        if (zFlags < 0 || zFlags > 0x7fff) {
            throw new IllegalArgumentException("Z flags are 15 bits");
        }
        this.udpPayloadSize = udpPayloadSize;
        this.extendedRcode = extendedRcode;
        this.version = version;
        this.dnssecOk = dnssecOk;
        this.zFlags = zFlags;
        this.optionOctets = optionOctets;
    }

    private static byte[] octetsOf(List<EdnsOption> options) {
        int length = 0;
        for (EdnsOption option : options) {
            length += 4 + option.length();
        }
        if (length > 0xffff) {
            throw new IllegalArgumentException("options of " + length + " octets; an OPT RDATA holds 65535 at most");
        }
        byte[] octets = new byte[length];
        int at = 0;
        for (EdnsOption option : options) {
            at = put16(octets, at, option.code());
            at = put16(octets, at, option.length());
            System.arraycopy(option.sharedData(), 0, octets, at, option.length());
            at += option.length();
        }
        return octets;
    }

    private static int put16(byte[] octets, int at, int value) {
        octets[at] = (byte) (value >>> 8);
        octets[at + 1] = (byte) value;
        return at + 2;
    }

    public int udpPayloadSize() {
        return udpPayloadSize;
    }

    /** The upper eight bits of the 12-bit rcode (BADVERS = 16 is 1 here, 0 in the header). */
    public int extendedRcode() {
        return extendedRcode;
    }

    public int version() {
        return version;
    }

    public boolean dnssecOk() {
        return dnssecOk;
    }

    /** The fifteen flag bits after DO, kept as they were (none are defined). */
    public int zFlags() {
        return zFlags;
    }

    /** The options, in their order on the wire. */
    public List<EdnsOption> options() {
        List<EdnsOption> list = options;
        if (list == null) {
            list = optionsIn(optionOctets);
            options = list;
        }
        return list;
    }

    /** The options in an OPT RDATA the decoder checked: a whole number of options, each within it. */
    static List<EdnsOption> optionsIn(byte[] octets) {
        List<EdnsOption> list = new ArrayList<>(2);
        for (int at = 0; at < octets.length; ) {
            int code = (octets[at] & 0xff) << 8 | octets[at + 1] & 0xff;
            int length = (octets[at + 2] & 0xff) << 8 | octets[at + 3] & 0xff;
            list.add(EdnsOption.trusted(code, Arrays.copyOfRange(octets, at + 4, at + 4 + length)));
            at += 4 + length;
        }
        return List.copyOf(list);
    }

    /** The OPT RDATA's octets, shared: the encoder writes them as they are. */
    byte[] sharedOptionOctets() {
        return optionOctets;
    }

    /** Version 0, no options, the given payload size and DO flag. */
    public static Edns of(int udpPayloadSize, boolean dnssecOk) {
        return new Edns(udpPayloadSize, 0, 0, dnssecOk, 0, NO_OPTIONS);
    }

    private static final byte[] NO_OPTIONS = new byte[0];

    public Edns withExtendedRcode(int bits) {
        return new Edns(udpPayloadSize, bits, version, dnssecOk, zFlags, optionOctets);
    }

    /** The OPT pseudo-record that carries this on the wire: owner root, always in the additional section. */
    public ResourceRecord toRecord() {
        return new ResourceRecord(Name.ROOT, RRClass.of(udpPayloadSize), optTtl(), new RData.Opt(options()));
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

    /** From an OPT record's CLASS, TTL and options, as the reference decoder reads them. */
    static Edns fromOpt(int rrClass, long ttl, List<EdnsOption> options) {
        Edns edns = fromOpt(rrClass, ttl, octetsOf(options));
        edns.options = List.copyOf(options);
        return edns;
    }

    /**
     * From an OPT record's CLASS, TTL and RDATA, as the fast decoder reads them: {@code optionOctets} is a whole
     * number of options, each length within the RDATA (the decoder checked), and the caller gives it away.
     */
    static Edns fromOpt(int rrClass, long ttl, byte[] optionOctets) {
        return new Edns(rrClass, (int) (ttl >>> 24), (int) (ttl >>> 16 & 0xff), (ttl & 0x8000) != 0,
                (int) (ttl & 0x7fff), optionOctets);
    }

    /** Octets the OPT record takes on the wire. */
    public int wireLength() {
        return 1 + 10 + optionOctets.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Edns other && other.udpPayloadSize == udpPayloadSize
                && other.extendedRcode == extendedRcode && other.version == version && other.dnssecOk == dnssecOk
                && other.zFlags == zFlags && Arrays.equals(other.optionOctets, optionOctets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(udpPayloadSize, extendedRcode, version, dnssecOk, zFlags) * 31
                + Arrays.hashCode(optionOctets);
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
        List<EdnsOption> list = options();
        for (int i = 0; i < list.size(); i++) {
            text.text("; ").text(list.get(i).toString()).character('\n');
        }
    }
}
