package dev.chivato.server.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses one line of JSON Lines into maps, lists, strings, numbers (as {@code Double}), booleans and nulls; enough
 * for the query log, and strict (RFC 8259): anything else is a {@link NotJsonException} that says where.
 */
final class JsonLine {
    /** Nesting deeper than this is refused rather than followed (the log nests one level at most). */
    private static final int MAX_DEPTH = 64;

    static final class NotJsonException extends Exception {
        NotJsonException(String message) {
            super(message, null, false, false);
        }
    }

    private final String text;
    private int at;

    private JsonLine(String text) {
        this.text = text;
    }

    /** The object on this line. */
    static Map<String, Object> parseObject(String line) throws NotJsonException {
        JsonLine parser = new JsonLine(line);
        parser.skipSpace();
        if (parser.at >= line.length() || line.charAt(parser.at) != '{') {
            throw new NotJsonException("not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) parser.value(0);
        parser.skipSpace();
        if (parser.at != line.length()) {
            throw parser.problem("text after the object");
        }
        return object;
    }

    private Object value(int depth) throws NotJsonException {
        if (depth > MAX_DEPTH) {
            throw problem("nested more than " + MAX_DEPTH + " deep");
        }
        skipSpace();
        if (at >= text.length()) {
            throw problem("the line ends where a value was due");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> word("true", Boolean.TRUE);
            case 'f' -> word("false", Boolean.FALSE);
            case 'n' -> word("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(int depth) throws NotJsonException {
        Map<String, Object> object = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek() == '}') {
            at++;
            return object;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw problem("a member name was due");
            }
            String name = string();
            skipSpace();
            expect(':');
            object.put(name, value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect('}');
                return object;
            }
        }
    }

    private List<Object> array(int depth) throws NotJsonException {
        List<Object> array = new ArrayList<>();
        at++;
        skipSpace();
        if (peek() == ']') {
            at++;
            return array;
        }
        while (true) {
            array.add(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect(']');
                return array;
            }
        }
    }

    private String string() throws NotJsonException {
        StringBuilder out = new StringBuilder();
        at++;
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw problem("a control character inside a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) {
                break;
            }
            char escaped = text.charAt(at++);
            switch (escaped) {
                case '"', '\\', '/' -> out.append(escaped);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(hex4());
                default -> throw problem("\\" + escaped + " is not an escape");
            }
        }
        throw problem("a string that does not end");
    }

    private char hex4() throws NotJsonException {
        if (at + 4 > text.length()) {
            throw problem("\\u needs four hex digits");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at++), 16);
            if (digit < 0) {
                throw problem("\\u needs four hex digits");
            }
            value = value << 4 | digit;
        }
        return (char) value;
    }

    private Object word(String word, Object value) throws NotJsonException {
        if (!text.startsWith(word, at)) {
            throw problem("not a JSON value");
        }
        at += word.length();
        return value;
    }

    private Double number() throws NotJsonException {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        while (at < text.length() && "0123456789.eE+-".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String digits = text.substring(start, at);
        if (digits.isEmpty() || !Character.isDigit(digits.charAt(digits.length() - 1))
                || !Character.isDigit(digits.charAt(digits.charAt(0) == '-' ? Math.min(1, digits.length() - 1) : 0))) {
            at = start;
            throw problem("not a JSON value");
        }
        try {
            return Double.valueOf(digits);
        } catch (NumberFormatException e) {
            at = start;
            throw problem("not a JSON number");
        }
    }

    private void expect(char c) throws NotJsonException {
        if (peek() != c) {
            throw problem("'" + c + "' was due");
        }
        at++;
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void skipSpace() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private NotJsonException problem(String what) {
        return new NotJsonException(what + " at column " + (at + 1));
    }
}
