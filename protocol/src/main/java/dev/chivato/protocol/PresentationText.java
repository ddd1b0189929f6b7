package dev.chivato.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Presentation-format text as it is built: octets in one growing array, made a {@link String} once at the end. The
 * codec's text for names, records and whole messages is written here, each field straight from the value (a name
 * from its wire form, a number digit by digit), where a String a field and a StringBuilder's checks a character
 * took most of the time (CodecBenchmark.toString).
 *
 * <p>How to read this file: {@code text}, {@code character} and {@code number} append; {@code name} writes a name's
 * labels escaped as dig escapes them; {@code rdata} writes the common RDATA forms field by field and asks the rest
 * for their own text. The lines (a record's, the header's) are written by the values they show. The codec's text is ASCII by construction (every octet outside printable ASCII is escaped), so
 * one octet a character is enough.
 */
final class PresentationText {
    /** Octets a name may show as they are: printable ASCII that has no meaning in a zone file (RFC 1035 s. 5.1). */
    private static final boolean[] PLAIN = new boolean[256];

    static {
        for (int octet = 0x21; octet < 0x7f; octet++) {
            PLAIN[octet] = true;
        }
        for (char special : ".\\\"();@$".toCharArray()) {
            PLAIN[special] = false;
        }
    }

    private byte[] octets;
    private int length;

    PresentationText(int capacity) {
        octets = new byte[Math.max(16, capacity)];
    }

    /** The text of one name, record data or line: what the values' own toString methods return. */
    static String of(Name name) {
        return new PresentationText(name.wireLength() + 8).name(name).toString();
    }

    static String of(RData data) {
        return new PresentationText(64).rdata(data).toString();
    }

    int length() {
        return length;
    }

    private void room(int count) {
        if (count > octets.length - length) {
            octets = Arrays.copyOf(octets, Math.max(octets.length * 2, length + count));
        }
    }

    PresentationText character(char c) {
        room(1);
        octets[length++] = (byte) c;
        return this;
    }

    /**
     * Appends ASCII text, which is all the codec's text is (every octet outside printable ASCII escaped): each
     * character's low octet, copied whole from the String's own Latin-1 octets by the JDK where a loop took a
     * character at a time.
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the low octets, with no encoder
    PresentationText text(String text) {
        int count = text.length();
        room(count);
        text.getBytes(0, count, octets, length);
        length += count;
        return this;
    }

    /** A number in decimal. */
    PresentationText number(long value) {
        if (value < 0) {
            return text(Long.toString(value));
        }
        int digits = Decimal.digits(value);
        room(digits);
        Decimal.write(value, octets, length, digits);
        length += digits;
        return this;
    }

    /** An IPv4 address as a dotted quad. */
    PresentationText ipv4(int address) {
        return number(address >>> 24).character('.').number(address >>> 16 & 0xff).character('.')
                .number(address >>> 8 & 0xff).character('.').number(address & 0xff);
    }

    /** A name with its final dot, each octet that needs it escaped: {@code \.} for the specials, else {@code \DDD}. */
    PresentationText name(Name name) {
        byte[] wire = name.sharedWire();
        if (wire.length == 1) {
            return character('.');
        }
        room(4 * wire.length); // every octet escaped as \DDD at most
        // Most names need no escape: their octets are copied whole, and each octet that ends a label (the next
        // label's length, or the root's zero) becomes its dot while the labels are checked.
        byte[] out = octets;
        int shift = length - 1; // wire[i] lands at out[shift + i]
        System.arraycopy(wire, 1, out, length, wire.length - 1);
        for (int at = 0; wire[at] != 0; ) {
            int end = at + 1 + (wire[at] & 0xff);
            for (int i = at + 1; i < end; i++) {
                if (!PLAIN[wire[i] & 0xff]) {
                    return escaped(wire);
                }
            }
            out[shift + end] = '.';
            at = end;
        }
        length += wire.length - 1;
        return this;
    }

    /** A name of which some octet needs escaping, written over what {@link #name} began. */
    private PresentationText escaped(byte[] wire) {
        byte[] out = octets;
        int to = length;
        for (int at = 0; wire[at] != 0; at += 1 + (wire[at] & 0xff)) {
            int end = at + 1 + (wire[at] & 0xff);
            for (int i = at + 1; i < end; i++) {
                int octet = wire[i] & 0xff;
                if (PLAIN[octet]) {
                    out[to++] = (byte) octet;
                } else if (octet > 0x20 && octet < 0x7f) {
                    out[to++] = '\\';
                    out[to++] = (byte) octet;
                } else {
                    out[to++] = '\\';
                    out[to++] = (byte) ('0' + octet / 100);
                    out[to++] = (byte) ('0' + octet / 10 % 10);
                    out[to++] = (byte) ('0' + octet % 10);
                }
            }
            out[to++] = '.';
        }
        length = to;
        return this;
    }

    /** RDATA as dig prints it: the common forms field by field, the rest as their own text. */
    PresentationText rdata(RData data) {
        if (data instanceof RData.A a) {
            return ipv4(a.address());
        } else if (data instanceof RData.Ns ns) {
            return name(ns.host());
        } else if (data instanceof RData.Cname cname) {
            return name(cname.target());
        } else if (data instanceof RData.Ptr ptr) {
            return name(ptr.target());
        } else if (data instanceof RData.Mx mx) {
            return number(mx.preference()).character(' ').name(mx.exchange());
        } else if (data instanceof RData.Soa soa) {
            return name(soa.mname()).character(' ').name(soa.rname()).character(' ').number(soa.serial())
                    .character(' ').number(soa.refresh()).character(' ').number(soa.retry()).character(' ')
                    .number(soa.expire()).character(' ').number(soa.minimum());
        }
        return text(data.toString());
    }

    @Override
    public String toString() {
        return new String(octets, 0, length, StandardCharsets.ISO_8859_1);
    }
}
