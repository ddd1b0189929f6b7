package dev.chivato.server.data;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RRType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The fields of one record's RDATA in presentation form, read in order; each error names the field. */
final class ZoneRData {
    private final RRType type;
    private final List<ZoneTokenizer.Token> tokens;
    private final Function<ZoneTokenizer.Token, Name> names;
    private int next;

    ZoneRData(RRType type, List<ZoneTokenizer.Token> tokens, Function<ZoneTokenizer.Token, Name> names) {
        this.type = type;
        this.tokens = tokens;
        this.names = names;
    }

    private ZoneTokenizer.Token take(String field) {
        if (next >= tokens.size()) {
            throw new IllegalArgumentException(type + " needs its " + field);
        }
        return tokens.get(next++);
    }

    String word(String field) {
        return take(field).text();
    }

    Name name(String field) {
        return names.apply(take(field));
    }

    int u8(String field) {
        return (int) number(field, 0xff);
    }

    int u16(String field) {
        return (int) number(field, 0xffff);
    }

    long u32(String field) {
        return number(field, 0xffffffffL);
    }

    /** A 32-bit counter that may use BIND's units, as SOA's timers do. */
    long ttl(String field) {
        String text = take(field).text();
        if (!Ttl.isTtl(text)) {
            throw new IllegalArgumentException(type + " " + field + " \"" + text + "\" is not a number of seconds");
        }
        return Ttl.parse(text);
    }

    private long number(String field, long max) {
        String text = take(field).text();
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                || Long.parseLong(text) > max) {
            throw new IllegalArgumentException(type + " " + field + " \"" + text + "\" is not a number in 0.." + max);
        }
        return Long.parseLong(text);
    }

    /** One or more character-strings, to the end (TXT). */
    List<byte[]> characterStrings() {
        List<byte[]> strings = new ArrayList<>();
        do {
            byte[] string = octets(take("text"));
            if (string.length > 255) {
                throw new IllegalArgumentException("a " + type + " string of " + string.length
                        + " octets; 255 at most (split it into several strings)");
            }
            strings.add(string);
        } while (next < tokens.size());
        return strings;
    }

    /** The octets of one token, escapes resolved ({@code \DDD}, {@code \X}), other characters as UTF-8. */
    byte[] characterString(String field) {
        return octets(take(field));
    }

    private static byte[] octets(ZoneTokenizer.Token token) {
        String text = token.text();
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (c == '\\' && isDigits(text, i + 1)) {
                int octet = Integer.parseInt(text.substring(i + 1, i + 4));
                if (octet > 255) {
                    throw new IllegalArgumentException("\\" + octet + " is over 255");
                }
                out.write(octet);
                i += 4;
                continue;
            }
            if (c == '\\' && i + 1 < text.length()) {
                i++; // an escaped character stands for itself, a backslash included
            }
            int codePoint = text.codePointAt(i);
            out.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
            i += Character.charCount(codePoint);
        }
        return out.toByteArray();
    }

    private static boolean isDigits(String text, int from) {
        for (int i = from; i < from + 3; i++) {
            if (i >= text.length() || text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Nothing may follow the last field. */
    void end() {
        if (next < tokens.size()) {
            throw new IllegalArgumentException("\"" + tokens.get(next).text() + "\" after the last field of " + type);
        }
    }
}
