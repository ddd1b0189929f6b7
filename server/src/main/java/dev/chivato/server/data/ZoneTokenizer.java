package dev.chivato.server.data;

import dev.chivato.protocol.TextFields.Token;
import dev.chivato.server.core.FileProblem;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits master file text (RFC 1035 section 5.1) into entries of tokens: {@code ;} starts a comment, parentheses
 * continue an entry across lines, double quotes make one token of a string with blanks, a backslash takes the next
 * character literally (kept, with the backslash, for the parser to read as a name or a string). An entry whose line
 * starts with a blank has no owner of its own.
 */
final class ZoneTokenizer {
    /**
     * The most characters one entry may take, parentheses and all: far more than the largest record needs (65,535
     * octets of RDATA, each written as {@code \\DDD} at worst), far less than what would exhaust the heap as tokens.
     */
    static final int MAX_ENTRY_CHARACTERS = 1 << 20;

    /** One entry (a directive or a record), from the line it starts on. */
    record Entry(int line, boolean ownerInherited, List<Token> tokens) {
    }

    /** Takes each entry as soon as it is read, so that a large file is never held as tokens. */
    interface EntryHandler {
        void entry(Entry entry) throws FileProblem;
    }

    private final String source;
    private final String text;
    private EntryHandler handler;
    private List<Token> tokens = new ArrayList<>();
    private int line = 1;
    private int entryLine = 1;
    private boolean ownerInherited;
    private int depth;
    private int openedAt;
    /** Where the entry being read starts in the text. */
    private int entryStart;

    ZoneTokenizer(String source, String text) {
        this.source = source;
        this.text = text;
    }

    void entries(EntryHandler handler) throws FileProblem {
        this.handler = handler;
        int i = 0;
        startLine(0);
        while (i < text.length()) {
            if (i - entryStart > MAX_ENTRY_CHARACTERS) {
                throw new FileProblem(source, entryLine, "an entry longer than " + MAX_ENTRY_CHARACTERS
                        + " characters (a record's data is at most 65535 octets)");
            }
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
                if (depth == 0) {
                    endEntry();
                    startLine(i);
                }
            } else if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else if (c == ';') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '(') {
                if (depth++ > 0) {
                    throw new FileProblem(source, line, "a '(' inside another: parentheses do not nest (RFC 1035"
                            + " section 5.1)");
                }
                openedAt = line;
                i++;
            } else if (c == ')') {
                if (--depth < 0) {
                    throw new FileProblem(source, line, "a ')' without its '('");
                }
                i++;
            } else if (c == '"') {
                i = quoted(i + 1);
            } else {
                i = word(i);
            }
        }
        if (depth > 0) {
            throw new FileProblem(source, openedAt, "a '(' that is never closed");
        }
        endEntry();
    }

    private void startLine(int at) {
        entryStart = at;
        ownerInherited = at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t');
        entryLine = line;
    }

    private void endEntry() throws FileProblem {
        if (!tokens.isEmpty()) {
            handler.entry(new Entry(entryLine, ownerInherited, List.copyOf(tokens)));
            tokens.clear();
        }
    }

    /** A word up to a blank, a parenthesis, a quote, a comment or the line's end; escapes kept. */
    private int word(int i) {
        int start = i;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) != '\n') {
                i += 2;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')' || c == ';' || c == '"') {
                break;
            }
            i++;
        }
        tokens.add(new Token(text.substring(start, i), false));
        return i;
    }

    /**
     * The string after an opening quote, up to the closing one; escapes kept. It ends on its line, unless it is
     * inside parentheses, where it may run over line ends (kept in it), as NSD, Knot and BIND read it.
     */
    private int quoted(int i) throws FileProblem {
        int start = i;
        int startLine = line;
        while (i < text.length() && text.charAt(i) != '"') {
            char c = text.charAt(i);
            if (c == '\n') {
                if (depth == 0) {
                    break;
                }
                line++;
            }
            i += c == '\\' && i + 1 < text.length() && text.charAt(i + 1) != '\n' ? 2 : 1;
        }
        if (i >= text.length() || text.charAt(i) != '"') {
            throw new FileProblem(source, startLine, depth == 0 ? "a quoted string that does not end on its line"
                    : "a quoted string that never ends");
        }
        tokens.add(new Token(text.substring(start, i), true));
        return i + 1;
    }
}
