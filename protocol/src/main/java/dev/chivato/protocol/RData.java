package dev.chivato.protocol;

import java.util.Arrays;
import java.util.List;

/**
 * The RDATA of a resource record, in one of three forms: a record of its own for the types the engine reads
 * ({@link A}, {@link Ns}, {@link Mx}...), {@link Described} for every other type {@link TypeTable} has a row for
 * (kept as its uncompressed octets, printed by its row), and {@link Unknown} for the rest, kept as opaque octets
 * (RFC 3597). {@code toString()} gives the presentation form dig prints.
 *
 * <p>How to read this file: each record below is one type's fields as values; {@link TypeTable} says how every
 * type, these included, is laid out on the wire and in text.
 */
public sealed interface RData {
    RRType type();

    /**
     * Whether RDATA of this type and class is decoded into its own record rather than {@link Described} or
     * {@link Unknown}. A and AAAA are defined for class IN only; the other types here have the same form in every
     * class.
     */
    static boolean hasTypedForm(RRType type, RRClass rrClass) {
        // by number: this runs for every record decoded or built
        return switch (type.value()) {
            case 1, 28 -> rrClass.value() == 1; // A, AAAA: class IN only
            case 2, 5, 6, 12, 15, 16, 33, 41, 257 -> true; // NS, CNAME, SOA, PTR, MX, TXT, SRV, OPT, CAA
            default -> false;
        };
    }

    /**
     * Whether {@code data} is in the form its type has in {@code rrClass}: typed where there is a typed form,
     * {@link Described} where the table describes the type, {@link Unknown} where nothing does. Every typed form is
     * typed in class IN, so a typed record of class IN needs no call to {@link #type()}, which costs an interface
     * call per record.
     */
    static boolean formFits(RData data, RRClass rrClass) {
        if (data instanceof Unknown unknown) {
            return !hasTypedForm(unknown.type(), rrClass) && TypeTable.descriptor(unknown.type(), rrClass) == null;
        }
        if (data instanceof Described described) {
            return !hasTypedForm(described.type(), rrClass);
        }
        return rrClass.value() == 1 || hasTypedForm(data.type(), rrClass);
    }

    /**
     * Writes the RDATA alone in its wire form, names uncompressed (the form RFC 3597 section 4 makes canonical), at
     * {@code out}'s position, and moves the position past it.
     *
     * @return the number of octets written
     * @throws IllegalArgumentException when {@code out} has no room for it
     */
    static int encode(RData data, java.nio.ByteBuffer out) {
        return WireWriter.encodeRData(data, out);
    }

    /** RDATA of class IN read from all of {@code wire}, as {@link #encode} writes it (or a message holds it). */
    static RData decode(RRType type, java.nio.ByteBuffer wire) throws WireFormatException {
        return WireReader.decodeRData(type, wire);
    }

    /** An IPv4 address (RFC 1035 section 3.4.1), its 32 bits in an int. */
    record A(int address) implements RData {
        public static A parse(String text) {
            return new A(Addresses.parseIPv4(text));
        }

        @Override
        public RRType type() {
            return RRType.A;
        }

        @Override
        public String toString() {
            return PresentationText.of(this);
        }
    }

    /** An IPv6 address (RFC 3596), its 128 bits in two longs. */
    record AAAA(long high, long low) implements RData {
        public static AAAA parse(String text) {
            return fromOctets(Addresses.parseIPv6(text));
        }

        public static AAAA fromOctets(byte[] octets) {
            if (octets.length != 16) {
                throw new IllegalArgumentException("an IPv6 address has 16 octets, not " + octets.length);
            }
            long high = 0;
            long low = 0;
            for (int i = 0; i < 8; i++) {
                high = high << 8 | octets[i] & 0xff;
                low = low << 8 | octets[i + 8] & 0xff;
            }
            return new AAAA(high, low);
        }

        public byte[] octets() {
            byte[] octets = new byte[16];
            for (int i = 0; i < 8; i++) {
                octets[i] = (byte) (high >>> 56 - 8 * i);
                octets[i + 8] = (byte) (low >>> 56 - 8 * i);
            }
            return octets;
        }

        @Override
        public RRType type() {
            return RRType.AAAA;
        }

        @Override
        public String toString() {
            return Addresses.formatIPv6(octets());
        }
    }

    record Ptr(Name target) implements RData {
        @Override
        public RRType type() {
            return RRType.PTR;
        }

        @Override
        public String toString() {
            return target.toString();
        }
    }

    record Cname(Name target) implements RData {
        @Override
        public RRType type() {
            return RRType.CNAME;
        }

        @Override
        public String toString() {
            return target.toString();
        }
    }

    record Ns(Name host) implements RData {
        @Override
        public RRType type() {
            return RRType.NS;
        }

        @Override
        public String toString() {
            return host.toString();
        }
    }

    record Mx(int preference, Name exchange) implements RData {
        public Mx {
            checkUnsigned16("MX preference", preference);
        }

        @Override
        public RRType type() {
            return RRType.MX;
        }

        @Override
        public String toString() {
            return PresentationText.of(this);
        }
    }

    /** A service's location (RFC 2782): its target name is never compressed. */
    record Srv(int priority, int weight, int port, Name target) implements RData {
        public Srv {
            checkUnsigned16("SRV priority", priority);
            checkUnsigned16("SRV weight", weight);
            checkUnsigned16("SRV port", port);
        }

        @Override
        public RRType type() {
            return RRType.SRV;
        }

        @Override
        public String toString() {
            return priority + " " + weight + " " + port + " " + target;
        }
    }

    /**
     * Which certification authorities may issue for a name (RFC 8659): flags, a tag of 1 to 15 letters and digits,
     * and a value of any octets.
     */
    record Caa(int flags, String tag, byte[] value) implements RData {
        public Caa {
            if (flags < 0 || flags > 0xff) {
                throw new IllegalArgumentException("CAA flags " + flags + " is not in 0..255");
            }
            if (tag.isEmpty() || tag.length() > 15 || !tag.chars().allMatch(c -> c < 0x80
                    && Character.isLetterOrDigit(c))) {
                throw new IllegalArgumentException("CAA tag \"" + tag + "\" is not 1 to 15 letters and digits");
            }
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        byte[] sharedValue() {
            return value;
        }

        @Override
        public RRType type() {
            return RRType.CAA;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Caa other && other.flags == flags && other.tag.equals(tag)
                    && Arrays.equals(other.value, value);
        }

        @Override
        public int hashCode() {
            return (31 * flags + tag.hashCode()) * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return flags + " " + tag + " " + Txt.quoted(value);
        }
    }

    /** Start of authority (RFC 1035 section 3.3.13); the five counters are unsigned 32-bit values. */
    record Soa(Name mname, Name rname, long serial, long refresh, long retry, long expire, long minimum)
            implements RData {
        public Soa {
            checkUnsigned32("SOA serial", serial);
            checkUnsigned32("SOA refresh", refresh);
            checkUnsigned32("SOA retry", retry);
            checkUnsigned32("SOA expire", expire);
            checkUnsigned32("SOA minimum", minimum);
        }

        @Override
        public RRType type() {
            return RRType.SOA;
        }

        @Override
        public String toString() {
            return PresentationText.of(this);
        }
    }

    /**
     * One or more character-strings of at most 255 octets each (RFC 1035 section 3.3.14). An immutable value: the
     * strings are copied in and out of the public constructor and accessor. A final class rather than a record only
     * so that the decoder can hand over the strings it just read without copying them again ({@link #trusted}), as
     * {@link EdnsOption} does (CodecBenchmark.decodeHundred).
     */
    final class Txt implements RData {
        /** Never changed once made, and never handed out: {@link #strings()} gives copies. */
        private final List<byte[]> strings;

        public Txt(List<byte[]> strings) {
            byte[][] copies = new byte[strings.size()][];
            for (int i = 0; i < copies.length; i++) { // indexed, no stream
                copies[i] = strings.get(i).clone();
                if (copies[i].length > 255) {
                    throw new IllegalArgumentException("TXT string of " + copies[i].length + " octets; 255 at most");
                }
            }
            this.strings = List.of(copies);
        }

        private Txt(List<byte[]> owned, boolean unused) {
            this.strings = owned;
        }

        /** Strings of at most 255 octets each that their maker (the decoder) gives away and never changes. */
        static Txt trusted(List<byte[]> owned) {
            return new Txt(owned, true);
        }

        public static Txt of(String... texts) {
            return new Txt(Arrays.stream(texts).map(t -> t.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .toList());
        }

        /** Copies of the strings. */
        public List<byte[]> strings() {
            return strings.stream().map(byte[]::clone).toList();
        }

        List<byte[]> sharedStrings() {
            return strings;
        }

        @Override
        public RRType type() {
            return RRType.TXT;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Txt other) || other.strings.size() != strings.size()) {
                return false;
            }
            for (int i = 0; i < strings.size(); i++) {
                if (!Arrays.equals(strings.get(i), other.strings.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int hash = 1;
            for (byte[] string : strings) {
                hash = 31 * hash + Arrays.hashCode(string);
            }
            return hash;
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            for (byte[] string : strings) {
                if (text.length() > 0) {
                    text.append(' ');
                }
                text.append(quoted(string));
            }
            return text.toString();
        }

        /** Octets as a quoted string in presentation form: {@code "} and {@code \} escaped, the rest as {@code \DDD}. */
        static String quoted(byte[] octets) {
            StringBuilder text = new StringBuilder(octets.length + 2).append('"');
            for (byte b : octets) {
                int octet = b & 0xff;
                if (octet == '"' || octet == '\\') {
                    text.append('\\').append((char) octet);
                } else if (octet < 0x20 || octet >= 0x7f) {
                    text.append(String.format("\\%03d", octet));
                } else {
                    text.append((char) octet);
                }
            }
            return text.append('"').toString();
        }
    }

    /** The RDATA of the EDNS(0) OPT pseudo-record: a list of options (RFC 6891 section 6.1.2). */
    record Opt(List<EdnsOption> options) implements RData {
        public Opt {
            options = List.copyOf(options);
        }

        @Override
        public RRType type() {
            return RRType.OPT;
        }

        @Override
        public String toString() {
            return options.toString();
        }
    }

    /**
     * RDATA of a type {@link TypeTable} describes but the engine has no record for (TLSA, DNSKEY, LOC...): its
     * octets, names uncompressed, checked against the type's row when made. Printed, explained and parsed by the
     * row.
     */
    record Described(RRType type, byte[] data) implements RData {
        public Described {
            TypeDescriptor row = TypeTable.descriptor(type.value());
            if (row == null) {
                throw new IllegalArgumentException("type " + type + " has no row in the type table; use Unknown");
            }
            data = data.clone();
            try {
                row.check(data, 0, data.length);
            } catch (WireFormatException e) {
                throw new IllegalArgumentException(type + " RDATA: " + e.reason() + " at octet " + e.offset());
            }
            if (data.length > 0xffff) {
                throw new IllegalArgumentException("RDATA of " + data.length + " octets; 65535 at most");
            }
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        byte[] sharedData() {
            return data;
        }

        /** The 16-bit number at octet {@code at} of the RDATA (an RRSIG's type covered at 0, say), without a copy. */
        public int u16(int at) {
            return (data[at] & 0xff) << 8 | data[at + 1] & 0xff;
        }

        TypeDescriptor descriptor() {
            return TypeTable.descriptor(type.value());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Described other && other.type.equals(type) && Arrays.equals(other.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * type.hashCode() + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return descriptor().print(data);
        }
    }

    /** RDATA of a type this codec does not interpret: the octets as they were (RFC 3597). */
    record Unknown(RRType type, byte[] data) implements RData {
        public Unknown {
            if (data.length > 0xffff) {
                throw new IllegalArgumentException("RDATA of " + data.length + " octets; 65535 at most");
            }
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        int length() {
            return data.length;
        }

        byte[] sharedData() {
            return data;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown other && other.type.equals(type) && Arrays.equals(other.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * type.hashCode() + Arrays.hashCode(data);
        }

        /** RFC 3597 section 5: {@code \# length hex}. */
        @Override
        public String toString() {
            return data.length == 0 ? "\\# 0" : "\\# " + data.length + " " + Hex.format(data);
        }
    }

    private static void checkUnsigned16(String what, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(what + " " + value + " is not in 0..65535");
        }
    }

    private static void checkUnsigned32(String what, long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException(what + " " + value + " is not in 0..4294967295");
        }
    }
}
