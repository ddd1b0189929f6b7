package dev.chivato.protocol;

import java.io.ByteArrayOutputStream;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.TreeSet;

/**
 * The kinds of field an RDATA is made of. Each kind knows three things: where a field of its kind ends on the wire
 * (checking its octets on the way), how it is printed (as {@code dig} prints it), and how its presentation form is
 * read back into octets. {@link TypeTable} lists each type's fields in order, so the decoder, the printer, the
 * explainer and the zone-file parser all walk the same list.
 *
 * <p>How to read this file: each constant is one kind, its three methods side by side. {@code wire[at..end)} is
 * where the field may lie: {@code end} is the end of the RDATA, so the kinds marked "the rest" take everything to
 * it. Names here are in their uncompressed form (the decoder expands pointers before a name reaches them).
 */
public enum FieldKind {
    /** An 8-bit unsigned number. */
    U8(1, "an 8-bit number") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(wire[at] & 0xff);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            out.write(in.u8(field));
        }
    },
    /** A 16-bit unsigned number. */
    U16(2, "a 16-bit number") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(u16(wire, at));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            put16(out, in.u16(field));
        }
    },
    /** A 32-bit unsigned number. */
    U32(4, "a 32-bit number") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(u32(wire, at));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            put32(out, in.u32(field));
        }
    },
    /** A 32-bit count of seconds (SOA's timers): printed as a number, read as one or in BIND's units ({@code 1h}). */
    PERIOD(4, "a 32-bit count of seconds") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            U32.print(wire, at, to, out);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            put32(out, in.period(field));
        }
    },
    /** A time (RRSIG): 32 bits of seconds since 1970, printed {@code YYYYMMDDHHmmSS} in UTC (RFC 4034 3.2). */
    TIME(4, "a time") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(LocalDateTime.ofEpochSecond(u32(wire, at), 0, ZoneOffset.UTC).format(TIMESTAMP));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            String text = in.word(field);
            if (text.length() != 14) {
                put32(out, in.number(text, field, 0xffffffffL)); // seconds, as RFC 4034 3.2 also allows
                return;
            }
            try {
                // digit by digit: a DateTimeFormatter took a tenth of a signed zone's load (signed.sh, JFR)
                long seconds = LocalDateTime.of(digits(text, 0, 4), digits(text, 4, 2), digits(text, 6, 2),
                        digits(text, 8, 2), digits(text, 10, 2), digits(text, 12, 2)).toEpochSecond(ZoneOffset.UTC);
                put32(out, seconds & 0xffffffffL); // serial arithmetic: the time modulo 2^32 (RFC 4034 3.1.5)
            } catch (java.time.DateTimeException | NumberFormatException e) {
                throw in.problem(field + " \"" + text + "\" is not a time YYYYMMDDHHmmSS");
            }
        }
    },
    /** A record type (RRSIG's type covered), printed by its mnemonic. */
    TYPE(2, "a record type") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(RRType.of(u16(wire, at)));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            put16(out, type(in, field));
        }
    },
    /** A DNSSEC algorithm (DNSKEY, DS, RRSIG): printed as its number, read as a number or a mnemonic. */
    ALGORITHM(1, "an algorithm number") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            U8.print(wire, at, to, out);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            out.write(Registries.SECURITY_ALGORITHMS.parse(in, field, 0xff));
        }
    },
    /** CERT's certificate type (RFC 4398), printed by its mnemonic where it has one. */
    CERT_TYPE(2, "a certificate type") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(Registries.CERTIFICATE_TYPES.name(u16(wire, at)));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            put16(out, Registries.CERTIFICATE_TYPES.parse(in, field, 0xffff));
        }
    },
    /** CERT's algorithm, printed by its mnemonic where it has one (as dig does, unlike DNSKEY's). */
    CERT_ALGORITHM(1, "an algorithm number") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(Registries.SECURITY_ALGORITHMS.name(wire[at] & 0xff));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            ALGORITHM.parse(in, field, out);
        }
    },
    /** An IPv4 address. */
    IPV4(4, "an IPv4 address") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(Addresses.formatIPv4((int) u32(wire, at)));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            put32(out, Addresses.parseIPv4(in.word(field)) & 0xffffffffL);
        }
    },
    /** An IPv6 address. */
    IPV6(16, "an IPv6 address") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(Addresses.formatIPv6(java.util.Arrays.copyOfRange(wire, at, at + 16)));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            out.writeBytes(Addresses.parseIPv6(in.word(field)));
        }
    },
    /** A name of an RFC 1035 type: compressed on the wire, and read through pointers. */
    NAME_COMPRESSED,
    /** A name never compressed on the wire, but read through pointers (RFC 3597 section 4: RP, AFSDB, RT, SRV...). */
    NAME_DECOMPRESSED,
    /** A name never compressed, and a pointer in it is an error (every type after RFC 3597). */
    NAME,
    /** A character-string: a length octet, then that many octets; printed quoted. */
    STRING {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            int length = fixed(at, end, 1, "a character-string's length") - at;
            return fixed(at + length, end, wire[at] & 0xff, "a character-string");
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(RData.Txt.quoted(java.util.Arrays.copyOfRange(wire, at + 1, to)));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            byte[] string = in.characterString(field);
            if (string.length > 255) {
                throw in.problem(field + ": a string of " + string.length + " octets; 255 at most (split it into"
                        + " several strings)");
            }
            out.write(string.length);
            out.writeBytes(string);
        }
    },
    /** The rest: one character-string after another (TXT, SPF); at least one when read from text. */
    STRINGS {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            while (at < end) {
                at = STRING.end(wire, at, end);
            }
            return end;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            for (int i = at; i < to; i += 1 + (wire[i] & 0xff)) {
                if (i > at) {
                    out.append(' ');
                }
                STRING.print(wire, i, i + 1 + (wire[i] & 0xff), out);
            }
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            do {
                STRING.parse(in, field, out);
            } while (in.hasMore());
        }
    },
    /** The rest, as octets printed as one quoted string (URI's target, CAA's value): no length octet. */
    STRING_REST {
        @Override
        int end(byte[] wire, int at, int end) {
            return end;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(RData.Txt.quoted(java.util.Arrays.copyOfRange(wire, at, to)));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            out.writeBytes(in.characterString(field));
        }
    },
    /** CAA's tag: a length octet and 1 to 15 letters and digits, printed bare. */
    TAG {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            int past = STRING.end(wire, at, end);
            int length = past - at - 1;
            if (length < 1 || length > 15) {
                throw new WireFormatException(at, "a CAA tag of " + length + " octets; 1 to 15");
            }
            for (int i = at + 1; i < past; i++) {
                if (!(wire[i] >= '0' && wire[i] <= '9' || wire[i] >= 'a' && wire[i] <= 'z'
                        || wire[i] >= 'A' && wire[i] <= 'Z')) {
                    throw new WireFormatException(i, "a CAA tag holds letters and digits only");
                }
            }
            return past;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(new String(wire, at + 1, to - at - 1, java.nio.charset.StandardCharsets.US_ASCII));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            String tag = in.word(field);
            if (tag.isEmpty() || tag.length() > 15 || !tag.chars().allMatch(c -> c < 0x80
                    && Character.isLetterOrDigit(c))) {
                throw in.problem(field + " \"" + tag + "\" is not 1 to 15 letters and digits");
            }
            out.write(tag.length());
            out.writeBytes(tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    },
    /** The rest, in base64 (RFC 4648), printed in chunks of 56 characters as dig does; read from any chunks. */
    BASE64 {
        @Override
        int end(byte[] wire, int at, int end) {
            return end;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            chunked(Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(wire, at, to)), out);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            String text = in.rest();
            try {
                out.writeBytes(Base64.getDecoder().decode(text));
            } catch (IllegalArgumentException e) {
                throw in.problem(field + " is not base64: " + e.getMessage());
            }
        }
    },
    /** The rest, in hex, printed in capitals in chunks of 56 as dig does; read from any chunks. */
    HEX {
        @Override
        int end(byte[] wire, int at, int end) {
            return end;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            chunked(Hex.format(wire, at, to), out);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            out.writeBytes(hex(in, field, in.rest()));
        }
    },
    /** A length octet and that many octets in hex, or {@code -} when there are none (NSEC3's salt). */
    SALT {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            return STRING.end(wire, at, end);
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(to == at + 1 ? "-" : Hex.format(wire, at + 1, to));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            String text = in.word(field);
            byte[] salt = text.equals("-") ? new byte[0] : hex(in, field, text);
            if (salt.length > 255) {
                throw in.problem(field + " of " + salt.length + " octets; 255 at most");
            }
            out.write(salt.length);
            out.writeBytes(salt);
        }
    },
    /** A length octet and that many octets in base32hex without padding (NSEC3's next hashed owner, RFC 5155). */
    HASH {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            int past = STRING.end(wire, at, end);
            if (past == at + 1) {
                throw new WireFormatException(at, "an NSEC3 hash of no octets");
            }
            return past;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            out.append(Base32Hex.format(wire, at + 1, to));
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            String text = in.word(field);
            byte[] hash = Base32Hex.parse(text);
            if (hash == null || hash.length == 0 || hash.length > 255) {
                throw in.problem(field + " \"" + text + "\" is not 1 to 255 octets in base32hex");
            }
            out.write(hash.length);
            out.writeBytes(hash);
        }
    },
    /** The rest: a type bitmap (RFC 4034 section 4.1.2), printed as the list of types it holds. */
    BITMAP {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            TypeBitmap.check(wire, at, end);
            return end;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            String separator = "";
            for (int type : TypeBitmap.types(wire, at, to)) {
                out.append(separator).append(RRType.of(type));
                separator = " ";
            }
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            TreeSet<Integer> types = new TreeSet<>();
            while (in.hasMore()) {
                types.add(type(in, field));
            }
            out.writeBytes(TypeBitmap.of(types));
        }
    },
    /** A 48-bit MAC address (RFC 7043), printed {@code xx-xx-xx-xx-xx-xx}. */
    EUI48(6, "an EUI-48 address") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            eui(wire, at, to, out);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            parseEui(in, field, 6, out);
        }
    },
    /** A 64-bit EUI (RFC 7043), printed {@code xx-xx-xx-xx-xx-xx-xx-xx}. */
    EUI64(8, "an EUI-64 address") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            eui(wire, at, to, out);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            parseEui(in, field, 8, out);
        }
    },
    /** 64 bits printed as four groups of hex (NID's node ID, L64's locator, RFC 6742): {@code 14:4fff:ff20:ee64}. */
    NODE64(8, "a 64-bit identifier") {
        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            for (int i = 0; i < 4; i++) {
                out.append(i == 0 ? "" : ":").append(Integer.toHexString(u16(wire, at + 2 * i)));
            }
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            String text = in.word(field);
            String[] groups = text.split(":", -1);
            if (groups.length != 4) {
                throw in.problem(field + " \"" + text + "\" is not four groups of hex (as 14:4fff:ff20:ee64)");
            }
            for (String group : groups) {
                if (group.isEmpty() || group.length() > 4 || !group.chars().allMatch(Base32Hex::isHexDigit)) {
                    throw in.problem(field + " \"" + text + "\" is not four groups of hex (as 14:4fff:ff20:ee64)");
                }
                put16(out, Integer.parseInt(group, 16));
            }
        }
    },
    /**
     * IPSECKEY's gateway (RFC 4025), whose form the gateway type two octets before gives: 0 none (printed {@code .}),
     * 1 an IPv4 address, 2 an IPv6 address, 3 a name (never compressed).
     */
    GATEWAY {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            return switch (wire[at - 2]) {
                case 0 -> at;
                case 1 -> IPV4.end(wire, at, end);
                case 2 -> IPV6.end(wire, at, end);
                case 3 -> NAME.end(wire, at, end);
                default -> throw new WireFormatException(at - 2, "IPSECKEY gateway type " + (wire[at - 2] & 0xff)
                        + " is not 0 to 3");
            };
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            switch (wire[at - 2]) {
                case 0 -> out.append('.');
                case 1 -> IPV4.print(wire, at, to, out);
                case 2 -> IPV6.print(wire, at, to, out);
                default -> NAME.print(wire, at, to, out);
            }
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            byte[] before = out.toByteArray();
            switch (before[before.length - 2]) {
                case 0 -> {
                    if (!in.word(field).equals(".")) {
                        throw in.problem(field + " must be \".\" for gateway type 0");
                    }
                }
                case 1 -> IPV4.parse(in, field, out);
                case 2 -> IPV6.parse(in, field, out);
                case 3 -> NAME.parse(in, field, out);
                default -> throw in.problem("gateway type " + (before[before.length - 2] & 0xff) + " is not 0 to 3");
            }
        }
    },
    /** The rest: LOC's sixteen octets (RFC 1876), printed as degrees, minutes, seconds and metres. */
    LOC {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            LocText.check(wire, at, end);
            return end;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            LocText.print(wire, at, out);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            LocText.parse(in, out);
        }
    },
    /** The rest: APL's address prefixes (RFC 3123), printed {@code [!]family:address/prefix}. */
    APL {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            AplText.check(wire, at, end);
            return end;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            AplText.print(wire, at, to, out);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            AplText.parse(in, out);
        }
    },
    /** The rest: SVCB and HTTPS parameters (RFC 9460), printed {@code key=value} in the order of their keys. */
    SERVICE_PARAMETERS {
        @Override
        int end(byte[] wire, int at, int end) throws WireFormatException {
            ServiceParameters.check(wire, at, end);
            return end;
        }

        @Override
        void print(byte[] wire, int at, int to, StringBuilder out) {
            ServiceParameters.print(wire, at, to, out);
        }

        @Override
        void parse(TextFields in, String field, ByteArrayOutputStream out) {
            ServiceParameters.parse(in, out);
        }
    };

    /** Octets of a field of fixed size, or 0; and what such a field is, for messages. */
    private final int octets;
    private final String what;

    FieldKind(int octets, String what) {
        this.octets = octets;
        this.what = what;
    }

    /** A kind whose size is read from the wire (a name, a string, the rest). */
    FieldKind() {
        this(0, null);
    }

    /**
     * Where a field of this kind that starts at {@code at} ends, {@code end} being the end of its RDATA: its fixed
     * size, or a name's labels; the other kinds say themselves.
     *
     * @throws WireFormatException (its offset in {@code wire}'s terms) when the octets are not such a field
     */
    int end(byte[] wire, int at, int end) throws WireFormatException {
        if (isName()) {
            return nameEnd(wire, at, end);
        }
        if (octets == 0) {
            throw new IllegalStateException(this + " has no size of its own: it must say where it ends");
        }
        return fixed(at, end, octets, what);
    }

    /** Appends the field {@code wire[at..to)} in presentation form, as dig prints it (a name by default). */
    void print(byte[] wire, int at, int to, StringBuilder out) {
        out.append(Name.fromWire(wire, at, to - at));
    }

    /** Reads the field's presentation form from {@code in} and writes its octets to {@code out} (a name by default). */
    void parse(TextFields in, String field, ByteArrayOutputStream out) {
        out.writeBytes(in.name(field).wire());
    }

    /** Whether a field of this kind is a name the decoder reads (and may expand) itself. */
    boolean isName() {
        return this == NAME_COMPRESSED || this == NAME_DECOMPRESSED || this == NAME;
    }

    /** Whether this kind takes the rest of the RDATA. */
    boolean takesTheRest() {
        return switch (this) {
            case STRINGS, STRING_REST, BASE64, HEX, BITMAP, LOC, APL, SERVICE_PARAMETERS -> true;
            default -> false;
        };
    }

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuuMMddHHmmss");

    /** The decimal number in {@code count} characters of {@code text} from {@code at}: digits only. */
    static int digits(String text, int at, int count) {
        int value = 0;
        for (int i = at; i < at + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException(text);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    static int fixed(int at, int end, int length, String what) throws WireFormatException {
        if (end - at < length) {
            throw new WireFormatException(at, "RDATA ends inside " + what);
        }
        return at + length;
    }

    /** Where the uncompressed name at {@code at} ends (after its root label); a pointer here is an error. */
    static int nameEnd(byte[] wire, int at, int end) throws WireFormatException {
        int p = at;
        while (true) {
            if (p >= end) {
                throw new WireFormatException(p, "RDATA ends inside a name");
            }
            int label = wire[p] & 0xff;
            if (label == 0) {
                return p + 1;
            }
            if (label > Name.MAX_LABEL_LENGTH) {
                throw new WireFormatException(p, (label & 0xc0) == 0xc0
                        ? "a compression pointer where this type's names are never compressed"
                        : "reserved label type " + (label >> 6));
            }
            if (p + 1 + label > end) {
                throw new WireFormatException(p, "RDATA ends inside a name");
            }
            p += 1 + label;
            if (p - at >= Name.MAX_WIRE_LENGTH) {
                throw new WireFormatException(at, "name longer than 255 octets");
            }
        }
    }

    static int u16(byte[] wire, int at) {
        return (wire[at] & 0xff) << 8 | wire[at + 1] & 0xff;
    }

    static long u32(byte[] wire, int at) {
        return (long) u16(wire, at) << 16 | u16(wire, at + 2);
    }

    static void put16(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value);
    }

    static void put32(ByteArrayOutputStream out, long value) {
        put16(out, (int) (value >>> 16) & 0xffff);
        put16(out, (int) value & 0xffff);
    }

    /** A type's mnemonic or {@code TYPEnnn}; meta-types too (a bitmap may list any). */
    static int type(TextFields in, String field) {
        String text = in.word(field);
        try {
            return RRType.parse(text).value();
        } catch (IllegalArgumentException e) {
            throw in.problem(field + " \"" + text + "\" is not a record type");
        }
    }

    static byte[] hex(TextFields in, String field, String text) {
        if (text.length() % 2 != 0 || !text.chars().allMatch(Base32Hex::isHexDigit)) {
            throw in.problem(field + " is not hex (an even number of digits 0-9, A-F)");
        }
        return text.isEmpty() ? new byte[0] : Hex.parse(text);
    }

    /** Text in chunks of 56 characters with a blank between them, as dig prints base64 and hex. */
    static void chunked(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i += 56) {
            out.append(i == 0 ? "" : " ").append(text, i, Math.min(text.length(), i + 56));
        }
    }

    private static void eui(byte[] wire, int at, int to, StringBuilder out) {
        for (int i = at; i < to; i++) {
            out.append(i == at ? "" : "-").append(Character.forDigit((wire[i] & 0xf0) >> 4, 16))
                    .append(Character.forDigit(wire[i] & 0xf, 16));
        }
    }

    private static void parseEui(TextFields in, String field, int octets, ByteArrayOutputStream out) {
        String text = in.word(field);
        String[] pairs = text.split("-", -1);
        if (pairs.length != octets) {
            throw in.problem(field + " \"" + text + "\" is not " + octets + " hex pairs joined by '-'");
        }
        for (String pair : pairs) {
            if (pair.length() != 2 || !pair.chars().allMatch(Base32Hex::isHexDigit)) {
                throw in.problem(field + " \"" + text + "\" is not " + octets + " hex pairs joined by '-'");
            }
            out.write(Integer.parseInt(pair, 16));
        }
    }
}
