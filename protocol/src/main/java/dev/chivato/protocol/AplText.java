package dev.chivato.protocol;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * APL's RDATA (RFC 3123 section 4): items of an address family (1 IPv4, 2 IPv6), a prefix length, a negation bit
 * with the length of the address part, and the address's leading octets (trailing zero octets left out). Printed
 * {@code 1:192.168.32.0/21 !1:192.168.38.0/28 2:2001:db8::/32}.
 *
 * <p>How to read this file: {@code check} walks the items on the wire, {@code print} writes them as text and {@code
 * parse} reads the text back; the three follow the item layout above in the same order.
 */
final class AplText {
    private AplText() {
    }

    static void check(byte[] wire, int at, int end) throws WireFormatException {
        while (at < end) {
            if (end - at < 4) {
                throw new WireFormatException(at, "APL item cut short");
            }
            int family = FieldKind.u16(wire, at);
            int prefix = wire[at + 2] & 0xff;
            int length = wire[at + 3] & 0x7f;
            int octets = octets(family);
            if (octets == 0) {
                throw new WireFormatException(at, "APL address family " + family + "; 1 (IPv4) and 2 (IPv6) only");
            }
            if (prefix > octets * 8 || length > octets) {
                throw new WireFormatException(at + 2, "APL prefix /" + prefix + " or length " + length
                        + " too long for family " + family);
            }
            if (end - at - 4 < length) {
                throw new WireFormatException(at + 3, "APL address runs past the RDATA");
            }
            at += 4 + length;
        }
    }

    private static int octets(int family) {
        return family == 1 ? 4 : family == 2 ? 16 : 0;
    }

    static void print(byte[] wire, int at, int end, StringBuilder out) {
        for (int first = at; at < end; ) {
            int family = FieldKind.u16(wire, at);
            int length = wire[at + 3] & 0x7f;
            byte[] address = Arrays.copyOf(Arrays.copyOfRange(wire, at + 4, at + 4 + length), octets(family));
            out.append(at == first ? "" : " ")
                    .append((wire[at + 3] & 0x80) != 0 ? "!" : "").append(family).append(':')
                    .append(family == 1 ? Addresses.formatIPv4((int) FieldKind.u32(address, 0))
                            : Addresses.formatIPv6(address))
                    .append('/').append(wire[at + 2] & 0xff);
            at += 4 + length;
        }
    }

    static void parse(TextFields in, ByteArrayOutputStream out) {
        while (in.hasMore()) {
            String text = in.word("item");
            boolean negated = text.startsWith("!");
            String item = negated ? text.substring(1) : text;
            int colon = item.indexOf(':');
            int slash = item.lastIndexOf('/');
            if (colon < 1 || slash < colon) {
                throw in.problem("item \"" + text + "\" is not [!]FAMILY:ADDRESS/PREFIX");
            }
            int family = (int) in.number(item.substring(0, colon), "address family", 0xffff);
            byte[] address;
            if (family == 1) {
                int v4 = Addresses.parseIPv4(item.substring(colon + 1, slash));
                address = new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
            } else if (family == 2) {
                address = Addresses.parseIPv6(item.substring(colon + 1, slash));
            } else {
                throw in.problem("address family " + family + "; 1 (IPv4) and 2 (IPv6) only");
            }
            int prefix = (int) in.number(item.substring(slash + 1), "prefix", address.length * 8L);
            int length = address.length;
            while (length > 0 && address[length - 1] == 0) {
                length--; // trailing zero octets are left out (RFC 3123 section 4)
            }
            FieldKind.put16(out, family);
            out.write(prefix);
            out.write((negated ? 0x80 : 0) | length);
            out.write(address, 0, length);
        }
    }
}
