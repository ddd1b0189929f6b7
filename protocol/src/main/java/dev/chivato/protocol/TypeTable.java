package dev.chivato.protocol;

import static dev.chivato.protocol.FieldKind.ALGORITHM;
import static dev.chivato.protocol.FieldKind.APL;
import static dev.chivato.protocol.FieldKind.BASE64;
import static dev.chivato.protocol.FieldKind.BITMAP;
import static dev.chivato.protocol.FieldKind.CERT_ALGORITHM;
import static dev.chivato.protocol.FieldKind.CERT_TYPE;
import static dev.chivato.protocol.FieldKind.EUI48;
import static dev.chivato.protocol.FieldKind.EUI64;
import static dev.chivato.protocol.FieldKind.GATEWAY;
import static dev.chivato.protocol.FieldKind.HASH;
import static dev.chivato.protocol.FieldKind.HEX;
import static dev.chivato.protocol.FieldKind.IPV4;
import static dev.chivato.protocol.FieldKind.IPV6;
import static dev.chivato.protocol.FieldKind.LOC;
import static dev.chivato.protocol.FieldKind.NAME;
import static dev.chivato.protocol.FieldKind.NAME_COMPRESSED;
import static dev.chivato.protocol.FieldKind.NAME_DECOMPRESSED;
import static dev.chivato.protocol.FieldKind.NODE64;
import static dev.chivato.protocol.FieldKind.PERIOD;
import static dev.chivato.protocol.FieldKind.SALT;
import static dev.chivato.protocol.FieldKind.SERVICE_PARAMETERS;
import static dev.chivato.protocol.FieldKind.STRING;
import static dev.chivato.protocol.FieldKind.STRINGS;
import static dev.chivato.protocol.FieldKind.STRING_REST;
import static dev.chivato.protocol.FieldKind.TAG;
import static dev.chivato.protocol.FieldKind.TIME;
import static dev.chivato.protocol.FieldKind.TYPE;
import static dev.chivato.protocol.FieldKind.U16;
import static dev.chivato.protocol.FieldKind.U32;
import static dev.chivato.protocol.FieldKind.U8;

import java.util.ArrayList;
import java.util.List;

/**
 * Every record type whose RDATA this codec understands, one row each, with its fields in order (as NSD's
 * {@code rrtype_descriptor} table and Knot's {@code descriptor.c} do). The decoder, the printer, the explainer and
 * the zone-file parser all read these rows: a type is added by adding a row.
 *
 * <p>How to read this file: a row is {@code row(number, "MNEMONIC", flags, field("name", KIND), ...)}; the kinds
 * are in {@link FieldKind}. {@code IN} marks a type defined for class IN only; {@code LOWER} one whose names DNSSEC's
 * canonical form lower-cases.
 */
public final class TypeTable {
    private static final int IN = 1;
    private static final int LOWER = 2;

    private static final List<TypeDescriptor> ROWS = List.of(
            row(1, "A", IN, field("address", IPV4)),
            row(2, "NS", LOWER, field("host", NAME_COMPRESSED)),
            row(5, "CNAME", LOWER, field("target", NAME_COMPRESSED)),
            row(6, "SOA", LOWER, field("mname", NAME_COMPRESSED), field("rname", NAME_COMPRESSED),
                    field("serial", U32), field("refresh", PERIOD), field("retry", PERIOD), field("expire", PERIOD),
                    field("minimum", PERIOD)),
            row(12, "PTR", LOWER, field("target", NAME_COMPRESSED)),
            row(13, "HINFO", 0, field("cpu", STRING), field("os", STRING)),
            row(14, "MINFO", LOWER, field("rmailbx", NAME_COMPRESSED), field("emailbx", NAME_COMPRESSED)),
            row(15, "MX", LOWER, field("preference", U16), field("exchange", NAME_COMPRESSED)),
            row(16, "TXT", 0, field("text", STRINGS)),
            row(17, "RP", LOWER, field("mbox", NAME_DECOMPRESSED), field("txt", NAME_DECOMPRESSED)),
            row(18, "AFSDB", LOWER, field("subtype", U16), field("hostname", NAME_DECOMPRESSED)),
            row(21, "RT", LOWER, field("preference", U16), field("intermediate", NAME_DECOMPRESSED)),
            row(28, "AAAA", IN, field("address", IPV6)),
            row(29, "LOC", 0, field("location", LOC)),
            row(33, "SRV", LOWER, field("priority", U16), field("weight", U16), field("port", U16),
                    field("target", NAME_DECOMPRESSED)),
            row(35, "NAPTR", LOWER, field("order", U16), field("preference", U16), field("flags", STRING),
                    field("services", STRING), field("regexp", STRING), field("replacement", NAME_DECOMPRESSED)),
            row(36, "KX", LOWER, field("preference", U16), field("exchanger", NAME)),
            row(37, "CERT", 0, field("type", CERT_TYPE), field("key tag", U16), field("algorithm", CERT_ALGORITHM),
                    field("certificate", BASE64)),
            row(39, "DNAME", LOWER, field("target", NAME)),
            row(42, "APL", IN, field("prefixes", APL)),
            row(43, "DS", 0, field("key tag", U16), field("algorithm", ALGORITHM), field("digest type", U8),
                    field("digest", HEX)),
            row(44, "SSHFP", 0, field("algorithm", U8), field("fingerprint type", U8), field("fingerprint", HEX)),
            row(45, "IPSECKEY", 0, field("precedence", U8), field("gateway type", U8), field("algorithm", U8),
                    field("gateway", GATEWAY), field("public key", BASE64)),
            row(46, "RRSIG", LOWER, field("type covered", TYPE), field("algorithm", ALGORITHM),
                    field("labels", U8), field("original TTL", U32), field("expiration", TIME),
                    field("inception", TIME), field("key tag", U16), field("signer", NAME),
                    field("signature", BASE64)),
            row(47, "NSEC", 0, field("next", NAME), field("types", BITMAP)),
            row(48, "DNSKEY", 0, field("flags", U16), field("protocol", U8), field("algorithm", ALGORITHM),
                    field("public key", BASE64)),
            row(49, "DHCID", 0, field("digest", BASE64)),
            row(50, "NSEC3", 0, field("hash algorithm", U8), field("flags", U8), field("iterations", U16),
                    field("salt", SALT), field("next hashed owner", HASH), field("types", BITMAP)),
            row(51, "NSEC3PARAM", 0, field("hash algorithm", U8), field("flags", U8), field("iterations", U16),
                    field("salt", SALT)),
            row(52, "TLSA", 0, field("usage", U8), field("selector", U8), field("matching type", U8),
                    field("certificate data", HEX)),
            row(53, "SMIMEA", 0, field("usage", U8), field("selector", U8), field("matching type", U8),
                    field("certificate data", HEX)),
            row(59, "CDS", 0, field("key tag", U16), field("algorithm", ALGORITHM), field("digest type", U8),
                    field("digest", HEX)),
            row(60, "CDNSKEY", 0, field("flags", U16), field("protocol", U8), field("algorithm", ALGORITHM),
                    field("public key", BASE64)),
            row(61, "OPENPGPKEY", 0, field("public key", BASE64)),
            row(62, "CSYNC", 0, field("SOA serial", U32), field("flags", U16), field("types", BITMAP)),
            row(63, "ZONEMD", 0, field("serial", U32), field("scheme", U8), field("hash algorithm", U8),
                    field("digest", HEX)),
            row(64, "SVCB", 0, field("priority", U16), field("target", NAME),
                    field("parameters", SERVICE_PARAMETERS)),
            row(65, "HTTPS", 0, field("priority", U16), field("target", NAME),
                    field("parameters", SERVICE_PARAMETERS)),
            row(99, "SPF", 0, field("text", STRINGS)),
            row(104, "NID", 0, field("preference", U16), field("node ID", NODE64)),
            row(105, "L32", 0, field("preference", U16), field("locator", IPV4)),
            row(106, "L64", 0, field("preference", U16), field("locator", NODE64)),
            row(107, "LP", 0, field("preference", U16), field("target", NAME)),
            row(108, "EUI48", 0, field("address", EUI48)),
            row(109, "EUI64", 0, field("address", EUI64)),
            row(256, "URI", 0, field("priority", U16), field("weight", U16), field("target", STRING_REST)),
            row(257, "CAA", 0, field("flags", U8), field("tag", TAG), field("value", STRING_REST)));

    /** The rows by type number; every row's number is below this table's length. */
    private static final TypeDescriptor[] BY_NUMBER = new TypeDescriptor[258];

    static {
        for (TypeDescriptor row : ROWS) {
            if (BY_NUMBER[row.number()] != null) {
                throw new ExceptionInInitializerError("two rows for type " + row.number());
            }
            BY_NUMBER[row.number()] = row;
        }
    }

    private TypeTable() {
    }

    /** Every row, in order of type number. */
    public static List<TypeDescriptor> rows() {
        return ROWS;
    }

    /** The row of type {@code number}, or null when no row describes it. */
    public static TypeDescriptor descriptor(int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    /** The row of {@code type} in {@code rrClass}, or null when the type is unknown there. */
    static TypeDescriptor descriptor(RRType type, RRClass rrClass) {
        TypeDescriptor row = descriptor(type.value());
        return row != null && row.describes(rrClass) ? row : null;
    }

    /**
     * The RDATA of {@code type} (class IN) read from its presentation form, whatever the type: its own form when a
     * row describes it, else only RFC 3597's {@code \# LENGTH HEX}, which the caller reads.
     *
     * @throws IllegalArgumentException with the type, the field and why
     */
    public static RData parse(RRType type, TextFields in) {
        TypeDescriptor row = descriptor(type, RRClass.IN);
        if (row == null) {
            throw in.problem("has no presentation form of its own here: write it as " + type + " \\# LENGTH HEX");
        }
        byte[] wire = row.parse(in);
        if (!RData.hasTypedForm(type, RRClass.IN)) {
            // its octets as they are: the constructor checks them by the row (a decode would walk them twice more,
            // a third of a signed zone's load: benchmarks/load/signed.sh, JFR)
            try {
                return new RData.Described(type, wire);
            } catch (IllegalArgumentException e) {
                throw in.problem(e.getMessage());
            }
        }
        try {
            return RData.decode(type, java.nio.ByteBuffer.wrap(wire));
        } catch (WireFormatException e) {
            throw in.problem(e.reason());
        }
    }

    /**
     * {@code rdata} (uncompressed wire form) with its names lower-cased when its type's canonical form asks for it
     * (RFC 4034 section 6.2, as RFC 6840 section 5.1 amends it); otherwise the same octets.
     */
    public static byte[] canonical(RRType type, byte[] rdata) {
        TypeDescriptor row = descriptor(type.value());
        if (row == null || !row.lowercaseInCanonicalForm()) {
            return rdata;
        }
        byte[] lower = rdata.clone();
        row.forEachField(lower, (field, from, to) -> {
            if (field.kind().isName()) {
                for (int i = from; i < to; i++) {
                    lower[i] = Name.toLower(lower[i]); // label lengths are under 64: never a capital letter
                }
            }
        });
        return lower;
    }

    private static TypeDescriptor row(int number, String mnemonic, int flags, TypeDescriptor.Field... fields) {
        return new TypeDescriptor(number, mnemonic, (flags & IN) != 0, (flags & LOWER) != 0,
                new ArrayList<>(List.of(fields)));
    }

    private static TypeDescriptor.Field field(String name, FieldKind kind) {
        return new TypeDescriptor.Field(name, kind);
    }
}
