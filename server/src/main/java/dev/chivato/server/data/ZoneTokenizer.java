package dev.chivato.server.data;

import dev.chivato.protocol.TextFields.Token;
import dev.chivato.server.core.FileProblem;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
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

    /** The characters read at a time; the window grows only for a word longer than what it holds. */
    private static final int READ_CHARACTERS = 64 * 1024;

    private final String source;
    private final Reader input;
    /** The part of the text being read: absolute offset {@code base + k} is {@code window[k]}. */
    private char[] window = new char[2 * READ_CHARACTERS];
    private long base;
    private int limit;
    private boolean ended;
    /** The first absolute offset a refill must keep in the window (the start of the word being read). */
    private long keep;
    private EntryHandler handler;
    private List<Token> tokens = new ArrayList<>();
    private int line = 1;
    private int entryLine = 1;
    private boolean ownerInherited;
    private int depth;
    private int openedAt;
    /** Where the entry being read starts in the text (absolute). */
    private long entryStart;

    /** Reads {@code input} as it goes, so that a large file is never held whole, as text or as tokens. */
    ZoneTokenizer(String source, Reader input) {
        this.source = source;
        this.input = input;
    }

    ZoneTokenizer(String source, String text) {
        this(source, new StringReader(text));
    }

    String source() {
        return source;
    }

    void entries(EntryHandler handler) throws FileProblem, IOException {
        this.handler = handler;
        long i = has(0) && at(0) == '\uFEFF' ? 1 : 0; // a byte order mark is not text
        startLine(i);
        while (has(i)) {
            if (i - entryStart > MAX_ENTRY_CHARACTERS) {
                throw tooLong();
            }
            keep = i;
            char c = at(i);
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
                while (has(i) && at(i) != '\n') {
                    keep = i;
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

    private FileProblem tooLong() {
        return new FileProblem(source, entryLine, "an entry longer than " + MAX_ENTRY_CHARACTERS
                + " characters (a record's data is at most 65535 octets)");
    }

    /** Whether the text has a character at absolute offset {@code i}, reading more of it as needed. */
    private boolean has(long i) throws IOException, FileProblem {
        while (i >= base + limit) {
            if (ended) {
                return false;
            }
            refill();
        }
        return true;
    }

    private char at(long i) {
        return window[(int) (i - base)];
    }

    /** Drops what is before {@link #keep}, then reads more after what is left. */
    private void refill() throws IOException, FileProblem {
        int kept = (int) (base + limit - keep);
        if (kept > MAX_ENTRY_CHARACTERS) {
            throw tooLong(); // one word as long as an entry may be: never held
        }
        if (kept + READ_CHARACTERS > window.length) {
            char[] larger = new char[Math.max(window.length * 2, kept + READ_CHARACTERS)];
            System.arraycopy(window, limit - kept, larger, 0, kept);
            window = larger;
        } else {
            System.arraycopy(window, limit - kept, window, 0, kept);
        }
        base = keep;
        limit = kept;
        int read = input.read(window, limit, window.length - limit);
        if (read < 0) {
            ended = true;
        } else {
            limit += read;
        }
    }

    private void startLine(long at) throws IOException, FileProblem {
        entryStart = at;
        ownerInherited = has(at) && (at(at) == ' ' || at(at) == '\t');
        entryLine = line;
    }

    private void endEntry() throws FileProblem {
        if (!tokens.isEmpty()) {
            handler.entry(new Entry(entryLine, ownerInherited, List.copyOf(tokens)));
            tokens.clear();
        }
    }

    /** A word up to a blank, a parenthesis, a quote, a comment or the line's end; escapes kept. */
    private long word(long i) throws IOException, FileProblem {
        long start = i;
        keep = start;
        while (has(i)) {
            char c = at(i);
            if (c == '\\' && has(i + 1) && at(i + 1) != '\n') {
                i += 2;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')' || c == ';' || c == '"') {
                break;
            }
            i++;
        }
        tokens.add(new Token(text(start, i), false));
        return i;
    }

    private String text(long from, long to) {
        return new String(window, (int) (from - base), (int) (to - from));
    }

    /**
     * The string after an opening quote, up to the closing one; escapes kept. It ends on its line, unless it is
     * inside parentheses, where it may run over line ends (kept in it), as NSD, Knot and BIND read it.
     */
    private long quoted(long i) throws IOException, FileProblem {
        long start = i;
        keep = start;
        int startLine = line;
        while (has(i) && at(i) != '"') {
            char c = at(i);
            if (c == '\n') {
                if (depth == 0) {
                    break;
                }
                line++;
            }
            i += c == '\\' && has(i + 1) && at(i + 1) != '\n' ? 2 : 1;
        }
        if (!has(i) || at(i) != '"') {
            throw new FileProblem(source, startLine, depth == 0 ? "a quoted string that does not end on its line"
                    : "a quoted string that never ends");
        }
        tokens.add(new Token(text(start, i), true));
        return i + 1;
    }
}
