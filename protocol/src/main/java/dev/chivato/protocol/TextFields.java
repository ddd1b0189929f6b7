package dev.chivato.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * The fields of one record's RDATA in presentation form (RFC 1035 section 5.1), read in order by the field kinds of
 * its type's row ({@link TypeTable}). Each error is an {@link IllegalArgumentException} that names the type and the
 * field, for a zone file's {@code FILE:LINE: reason}.
 *
 * <p>How to read this file: a zone file's tokenizer has already split the text and removed quotes; {@link #next}
 * takes the next token, and the typed readers below ({@link #u16}, {@link #name}, {@link #characterString}) turn it
 * into a value or say why they cannot.
 */
public final class TextFields {
    /** A token as written, escapes kept; {@code quoted} when it was between double quotes (which are removed). */
    public record Token(String text, boolean quoted) {
    }

    private final String type;
    private final List<Token> tokens;
    private final Function<Token, Name> names;
    private int next;

    /**
     * @param type   the type's mnemonic, for messages
     * @param tokens the RDATA's tokens
     * @param names  how a token becomes a name (a zone file makes relative names absolute with its origin)
     */
    public TextFields(String type, List<Token> tokens, Function<Token, Name> names) {
        this.type = type;
        this.tokens = List.copyOf(tokens);
        this.names = names;
    }

    String type() {
        return type;
    }

    boolean hasMore() {
        return next < tokens.size();
    }

    /** Whether the next token was written between double quotes. */
    boolean nextIsQuoted() {
        return hasMore() && tokens.get(next).quoted();
    }

    /** The next token; {@code field} names what is missing when there is none. */
    Token next(String field) {
        if (next >= tokens.size()) {
            throw problem("needs its " + field);
        }
        return tokens.get(next++);
    }

    /** The next token's text, which must not be quoted. */
    String word(String field) {
        Token token = next(field);
        if (token.quoted()) {
            throw problem(field + " cannot be a quoted string: \"" + token.text() + "\"");
        }
        return token.text();
    }

    /** The rest of the tokens' text, joined without blanks (base64 and hex may be split into chunks). */
    String rest() {
        StringBuilder joined = new StringBuilder();
        while (hasMore()) {
            joined.append(tokens.get(next++).text());
        }
        return joined.toString();
    }

    Name name(String field) {
        return names.apply(next(field));
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

    long number(String field, long max) {
        return number(word(field), field, max);
    }

    long number(String text, String field, long max) {
        long value = text.isEmpty() || text.length() > 15 ? -1 : 0;
        for (int i = 0; i < text.length() && value >= 0; i++) {
            char c = text.charAt(i);
            value = c >= '0' && c <= '9' ? value * 10 + (c - '0') : -1;
        }
        if (value < 0 || value > max) {
            throw problem(field + " \"" + text + "\" is not a number in 0.." + max);
        }
        return value;
    }

    /**
     * A 32-bit count of seconds, as SOA's timers are: digits, or BIND's units ({@code 1w2d3h4m5s}). Unlike a TTL it
     * may use all 32 bits.
     */
    long period(String field) {
        String text = word(field);
        long total = 0;
        long number = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int unit = "smhdw".indexOf(Character.toLowerCase(c));
            if (c >= '0' && c <= '9') {
                number = Math.max(number, 0) * 10 + (c - '0');
            } else if (unit >= 0 && number >= 0) {
                total += number * new long[] {1, 60, 3_600, 86_400, 604_800}[unit];
                number = -1;
            } else {
                throw problem(field + " \"" + text + "\" is not a number of seconds (or units, as 1h30m)");
            }
            if (total > 0xffffffffL || number > 0xffffffffL) {
                throw problem(field + " \"" + text + "\" is over 4294967295 seconds");
            }
        }
        if (text.isEmpty()) {
            throw problem(field + " is empty");
        }
        total += Math.max(number, 0);
        if (total > 0xffffffffL) {
            throw problem(field + " \"" + text + "\" is over 4294967295 seconds");
        }
        return total;
    }

    /** The octets of one token, escapes resolved ({@code \DDD}, {@code \X}), other characters as UTF-8. */
    byte[] characterString(String field) {
        return octets(next(field).text());
    }

    /** Octets of text in presentation form: {@code \DDD} is one octet, {@code \X} is X, the rest is UTF-8. */
    static byte[] octets(String text) {
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
        if (hasMore()) {
            throw problem("has \"" + tokens.get(next).text() + "\" after its last field");
        }
    }

    IllegalArgumentException problem(String what) {
        return new IllegalArgumentException(type + " " + what);
    }
}
