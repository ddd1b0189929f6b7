package dev.chivato.protocol;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The small IANA registries some fields print by mnemonic: DNSSEC algorithms and CERT's certificate types.
 *
 * <p>How to read this file: one table per registry, {@code name} and {@code parse} the two directions.
 */
final class Registries {
    /** DNSSEC algorithm numbers (RFC 4034 appendix A.1 and later), with the mnemonics BIND prints. */
    static final Registries SECURITY_ALGORITHMS = new Registries("algorithm", Map.ofEntries(
            Map.entry(1, "RSAMD5"), Map.entry(2, "DH"), Map.entry(3, "DSA"), Map.entry(4, "ECC"),
            Map.entry(5, "RSASHA1"), Map.entry(6, "NSEC3DSA"), Map.entry(7, "NSEC3RSASHA1"),
            Map.entry(8, "RSASHA256"), Map.entry(10, "RSASHA512"), Map.entry(12, "ECCGOST"),
            Map.entry(13, "ECDSAP256SHA256"), Map.entry(14, "ECDSAP384SHA384"), Map.entry(15, "ED25519"),
            Map.entry(16, "ED448"), Map.entry(252, "INDIRECT"), Map.entry(253, "PRIVATEDNS"),
            Map.entry(254, "PRIVATEOID")), Map.of("DSA-NSEC3-SHA1", 6, "RSASHA1-NSEC3-SHA1", 7, "ECC-GOST", 12));
    /** CERT's certificate types (RFC 4398 section 2.1). */
    static final Registries CERTIFICATE_TYPES = new Registries("certificate type", Map.ofEntries(
            Map.entry(1, "PKIX"), Map.entry(2, "SPKI"), Map.entry(3, "PGP"), Map.entry(4, "IPKIX"),
            Map.entry(5, "ISPKI"), Map.entry(6, "IPGP"), Map.entry(7, "ACPKIX"), Map.entry(8, "IACPKIX"),
            Map.entry(253, "URI"), Map.entry(254, "OID")), Map.of());

    private final String kind;
    private final Map<Integer, String> names;
    private final Map<String, Integer> values = new LinkedHashMap<>();

    private Registries(String kind, Map<Integer, String> names, Map<String, Integer> aliases) {
        this.kind = kind;
        this.names = names;
        names.forEach((value, name) -> values.put(name, value));
        values.putAll(aliases);
    }

    /** The mnemonic of {@code value}, or the number when it has none. */
    String name(int value) {
        return names.getOrDefault(value, Integer.toString(value));
    }

    /** A number, or a mnemonic in any case. */
    int parse(TextFields in, String field, int max) {
        String text = in.word(field);
        Integer known = values.get(text.toUpperCase(Locale.ROOT));
        if (known != null) {
            return known;
        }
        if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return (int) in.number(text, field, max);
        }
        throw in.problem(field + " \"" + text + "\" is neither a number nor a known " + kind);
    }
}
