package dev.chivato.protocol;

/**
 * Text forms of IPv4 and IPv6 addresses, written here rather than through {@link java.net.InetAddress} so that text
 * which is not an address can never turn into a name lookup.
 *
 * <p>How to read this file: parse and format for IPv4 first, then IPv6 (RFC 4291 section 2.2 to read, RFC 5952 to
 * write: the longest run of zero groups becomes {@code ::}).
 */
public final class Addresses {
    private Addresses() {
    }

    /** Parses dotted-quad IPv4 text ({@code 1.2.3.4}): four decimal octets of one to three digits, into 32 bits. */
    public static int parseIPv4(String text) {
        int address = 0;
        int octets = 0;
        int i = 0;
        while (octets < 4) {
            int start = i;
            int octet = 0;
            while (i < text.length() && i - start < 3 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                octet = octet * 10 + (text.charAt(i++) - '0');
            }
            boolean last = ++octets == 4;
            if (i == start || (last ? i != text.length() : i >= text.length() || text.charAt(i) != '.')) {
                throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address");
            }
            if (octet > 255) {
                throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address: " + octet + " > 255");
            }
            address = address << 8 | octet;
            i++; // past the dot
        }
        return address;
    }

    public static String formatIPv4(int address) {
        return new PresentationText(15).ipv4(address).toString();
    }

    /** Parses IPv6 text (RFC 4291 section 2.2, including {@code ::} and a trailing dotted quad) into 16 octets. */
    public static byte[] parseIPv6(String text) {
        String bad = "\"" + text + "\" is not an IPv6 address";
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            throw new IllegalArgumentException(bad);
        }
        String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
        String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
        // A dotted quad may only end the address: "1.2.3.4::" is not one.
        int[] headGroups = groups(head, bad, doubleColon < 0);
        int[] tailGroups = groups(tail, bad, true);
        int count = headGroups.length + tailGroups.length;
        if (doubleColon < 0 ? count != 8 : count > 7) {
            throw new IllegalArgumentException(bad);
        }
        byte[] octets = new byte[16];
        for (int i = 0; i < headGroups.length; i++) {
            octets[2 * i] = (byte) (headGroups[i] >>> 8);
            octets[2 * i + 1] = (byte) headGroups[i];
        }
        for (int i = 0; i < tailGroups.length; i++) {
            int at = 16 - 2 * (tailGroups.length - i);
            octets[at] = (byte) (tailGroups[i] >>> 8);
            octets[at + 1] = (byte) tailGroups[i];
        }
        return octets;
    }

    /** The 16-bit groups of one side of {@code ::}; a dotted quad at the end, where allowed, counts as two. */
    private static int[] groups(String side, String bad, boolean quadAllowed) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] parts = side.split(":", -1);
        boolean endsWithQuad = parts[parts.length - 1].contains(".");
        if (endsWithQuad && !quadAllowed) {
            throw new IllegalArgumentException(bad);
        }
        int[] groups = new int[parts.length + (endsWithQuad ? 1 : 0)];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (i == parts.length - 1 && endsWithQuad) {
                int quad = parseIPv4(part);
                groups[i] = quad >>> 16;
                groups[i + 1] = quad & 0xffff;
            } else {
                if (part.isEmpty() || part.length() > 4 || !part.chars().allMatch(Addresses::isHexDigit)) {
                    throw new IllegalArgumentException(bad); // parseInt alone would take "+1" and "-1"
                }
                groups[i] = Integer.parseInt(part, 16);
            }
        }
        return groups;
    }

    private static boolean isHexDigit(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** RFC 5952 text: lower-case hex, no leading zeros, the longest run of two or more zero groups as {@code ::}. */
    public static String formatIPv6(byte[] octets) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (octets[2 * i] & 0xff) << 8 | octets[2 * i + 1] & 0xff;
        }
        if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
                && groups[5] == 0xffff) {
            // An IPv4-mapped address keeps its dotted quad (RFC 5952 section 5).
            return "::ffff:" + formatIPv4(groups[6] << 16 | groups[7]);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
