package dev.chivato.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The parameters of SVCB and HTTPS (RFC 9460 section 2.2): each a 16-bit key, a 16-bit length and a value, in
 * strictly increasing order of key. Printed {@code key=value} as dig prints them: {@code mandatory=alpn},
 * {@code alpn="h2,h3"}, {@code no-default-alpn}, {@code port=8443}, {@code ipv4hint=192.0.2.1},
 * {@code ech=AEP+DQA=}, {@code ipv6hint=2001:db8::1}, and {@code key7="/q{?dns}"} for any other key (dig 9.18
 * prints RFC 9461's {@code dohpath} so; it is read under either name).
 *
 * <p>How to read this file: {@code check} walks the parameters on the wire (keys increasing, lengths inside the
 * RDATA), {@code print} writes them as dig does, {@code parse} reads the text back; each key's value has its own
 * small case in each.
 */
final class ServiceParameters {
    /** The keys printed by name, as dig prints them; others print as {@code keyNNNNN}. */
    private static final String[] NAMES = {"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech",
            "ipv6hint"};

    private ServiceParameters() {
    }

    static void check(byte[] wire, int at, int end) throws WireFormatException {
        int previous = -1;
        while (at < end) {
            if (end - at < 4) {
                throw new WireFormatException(at, "service parameter cut short");
            }
            int key = FieldKind.u16(wire, at);
            int length = FieldKind.u16(wire, at + 2);
            if (key <= previous) {
                throw new WireFormatException(at, "service parameter key " + key + " after key " + previous
                        + " (keys go in increasing order, each once)");
            }
            if (end - at - 4 < length) {
                throw new WireFormatException(at + 2, "service parameter " + name(key) + " runs past the RDATA");
            }
            String problem = valueProblem(key, wire, at + 4, at + 4 + length);
            if (problem != null) {
                throw new WireFormatException(at, "service parameter " + name(key) + ": " + problem);
            }
            previous = key;
            at += 4 + length;
        }
    }

    private static String valueProblem(int key, byte[] wire, int from, int to) {
        int length = to - from;
        return switch (key) {
            case 0 -> length == 0 || length % 2 != 0 ? "a list of keys needs 2 octets a key" : null;
            case 1 -> {
                if (length == 0) {
                    yield "no protocol named";
                }
                for (int i = from; i < to; i += 1 + (wire[i] & 0xff)) {
                    if ((wire[i] & 0xff) == 0 || i + 1 + (wire[i] & 0xff) > to) {
                        yield "a protocol id empty or cut short";
                    }
                }
                yield null;
            }
            case 2 -> length != 0 ? "takes no value" : null;
            case 3 -> length != 2 ? "a port is 2 octets" : null;
            case 4 -> length == 0 || length % 4 != 0 ? "IPv4 addresses are 4 octets each" : null;
            case 6 -> length == 0 || length % 16 != 0 ? "IPv6 addresses are 16 octets each" : null;
            default -> null;
        };
    }

    static String name(int key) {
        return key < NAMES.length ? NAMES[key] : "key" + key;
    }

    static void print(byte[] wire, int at, int end, StringBuilder out) {
        for (int first = at; at < end; ) {
            int key = FieldKind.u16(wire, at);
            int from = at + 4;
            int to = from + FieldKind.u16(wire, at + 2);
            out.append(at == first ? "" : " ").append(name(key));
            switch (key) {
                case 0 -> {
                    out.append('=');
                    for (int i = from; i < to; i += 2) {
                        out.append(i == from ? "" : ",").append(name(FieldKind.u16(wire, i)));
                    }
                }
                case 1 -> {
                    StringBuilder ids = new StringBuilder();
                    for (int i = from; i < to; i += 1 + (wire[i] & 0xff)) {
                        ids.append(i == from ? "" : ",").append(escaped(wire, i + 1, i + 1 + (wire[i] & 0xff), true));
                    }
                    out.append("=\"").append(ids).append('"');
                }
                case 2 -> {
                }
                case 3 -> out.append('=').append(FieldKind.u16(wire, from));
                case 4, 6 -> {
                    int size = key == 4 ? 4 : 16;
                    out.append('=');
                    for (int i = from; i < to; i += size) {
                        out.append(i == from ? "" : ",");
                        (key == 4 ? FieldKind.IPV4 : FieldKind.IPV6).print(wire, i, i + size, out);
                    }
                }
                case 5 -> out.append('=').append(Base64.getEncoder().encodeToString(
                        java.util.Arrays.copyOfRange(wire, from, to)));
                default -> {
                    if (to > from) {
                        out.append("=\"").append(escaped(wire, from, to, false)).append('"');
                    }
                }
            }
            at = to;
        }
    }

    /** Octets inside a quoted value: {@code "} and {@code \} escaped, a comma too in a list, the rest as \DDD. */
    private static String escaped(byte[] wire, int from, int to, boolean inList) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            int octet = wire[i] & 0xff;
            if ((octet == ',' || octet == '\\') && inList) {
                text.append("\\\\").append(octet == ',' ? "," : "\\\\"); // the list's escape, escaped again
            } else if (octet == '"' || octet == '\\') {
                text.append('\\').append((char) octet);
            } else if (octet < 0x20 || octet >= 0x7f) {
                text.append(String.format("\\%03d", octet));
            } else {
                text.append((char) octet);
            }
        }
        return text.toString();
    }

    static void parse(TextFields in, ByteArrayOutputStream out) {
        TreeMap<Integer, byte[]> parameters = new TreeMap<>();
        while (in.hasMore()) {
            TextFields.Token token = in.next("parameter");
            String text = token.text();
            int equals = text.indexOf('=');
            String keyText = equals < 0 ? text : text.substring(0, equals);
            String value = equals < 0 ? null : text.substring(equals + 1);
            if (value != null && value.isEmpty() && in.nextIsQuoted()) {
                value = in.next(keyText + "'s value").text(); // key="quoted value": the tokenizer split them
            } else if (value != null && value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            int key = key(in, keyText);
            if (parameters.put(key, value(in, key, value)) != null) {
                throw in.problem("has the parameter " + name(key) + " twice");
            }
        }
        parameters.forEach((key, value) -> {
            FieldKind.put16(out, key);
            FieldKind.put16(out, value.length);
            out.writeBytes(value);
        });
    }

    private static int key(TextFields in, String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (int key = 0; key < NAMES.length; key++) {
            if (NAMES[key].equals(lower)) {
                return key;
            }
        }
        if (lower.equals("dohpath")) {
            return 7; // RFC 9461
        }
        if (lower.matches("key[0-9]{1,5}")) {
            return (int) in.number(lower.substring(3), "parameter key", 0xffff);
        }
        throw in.problem("parameter \"" + text + "\" is not a known key or keyNNNNN");
    }

    private static byte[] value(TextFields in, int key, String value) {
        if (value == null && key != 2 && key < NAMES.length) {
            throw in.problem("parameter " + name(key) + " needs a value");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (key) {
            case 0 -> {
                for (String item : value.split(",", -1)) {
                    FieldKind.put16(out, key(in, item));
                }
            }
            case 1 -> {
                for (byte[] id : listItems(TextFields.octets(value))) {
                    if (id.length == 0 || id.length > 255) {
                        throw in.problem("alpn \"" + value + "\" has an id that is not 1 to 255 octets");
                    }
                    out.write(id.length);
                    out.writeBytes(id);
                }
            }
            case 2 -> {
                if (value != null) {
                    throw in.problem("parameter no-default-alpn takes no value");
                }
            }
            case 3 -> FieldKind.put16(out, (int) in.number(value, "port", 0xffff));
            case 4 -> {
                for (String address : value.split(",", -1)) {
                    FieldKind.put32(out, Addresses.parseIPv4(address) & 0xffffffffL);
                }
            }
            case 5 -> {
                try {
                    out.writeBytes(Base64.getDecoder().decode(value));
                } catch (IllegalArgumentException e) {
                    throw in.problem("ech is not base64: " + e.getMessage());
                }
            }
            case 6 -> {
                for (String address : value.split(",", -1)) {
                    out.writeBytes(Addresses.parseIPv6(address));
                }
            }
            default -> out.writeBytes(value == null ? new byte[0] : TextFields.octets(value));
        }
        byte[] octets = out.toByteArray();
        String problem = valueProblem(key, octets, 0, octets.length);
        if (problem != null) {
            throw in.problem("parameter " + name(key) + ": " + problem);
        }
        return octets;
    }

    /**
     * A value list (RFC 9460 appendix A.1), from the octets of its character-string: items split at commas, where
     * a backslash makes the next octet (a comma, a backslash) part of the item.
     */
    private static List<byte[]> listItems(byte[] value) {
        List<byte[]> items = new ArrayList<>();
        ByteArrayOutputStream item = new ByteArrayOutputStream();
        for (int i = 0; i < value.length; i++) {
            if (value[i] == '\\' && i + 1 < value.length) {
                item.write(value[++i]);
            } else if (value[i] == ',') {
                items.add(item.toByteArray());
                item.reset();
            } else {
                item.write(value[i]);
            }
        }
        items.add(item.toByteArray());
        return items;
    }
}
