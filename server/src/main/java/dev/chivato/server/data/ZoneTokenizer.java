package dev.chivato.server.data;

import dev.chivato.protocol.TextFields.Token;
import dev.chivato.server.core.FileProblem;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.Arrays;
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

    /**
     * One entry (a directive or a record), from the line it starts on: its tokens' text one after the other in
     * {@code text}, token {@code k} ending where {@code ends[k]} says (the top bit set when it was quoted). One string
     * and one array per entry, not one object per word: the reading thread of a large zone spends its time here
     * (benchmarks/load/signed.sh).
     */
    record Entry(int line, boolean ownerInherited, String text, int[] ends) {
        private static final int QUOTED = 1 << 31;

        int size() {
            return ends.length;
        }

        private int start(int k) {
            return k == 0 ? 0 : ends[k - 1] & ~QUOTED;
        }

        private int end(int k) {
            return ends[k] & ~QUOTED;
        }

        boolean quoted(int k) {
            return (ends[k] & QUOTED) != 0;
        }

        /** Token {@code k}'s text, escapes kept. */
        String text(int k) {
            return text.substring(start(k), end(k));
        }

        /** Whether token {@code k} is {@code word}, unquoted, in any case. */
        boolean is(int k, String word) {
            return !quoted(k) && end(k) - start(k) == word.length()
                    && text.regionMatches(true, start(k), word, 0, word.length());
        }

        /** Whether token {@code k} is unquoted and starts with {@code c}. */
        boolean startsWith(int k, char c) {
            return !quoted(k) && end(k) > start(k) && text.charAt(start(k)) == c;
        }

        Token token(int k) {
            return new Token(text(k), quoted(k));
        }

        /** The tokens from {@code from} on. */
        List<Token> tokens(int from) {
            Token[] tokens = new Token[Math.max(0, size() - from)];
            for (int k = 0; k < tokens.length; k++) {
                tokens[k] = token(from + k);
            }
            return List.of(tokens);
        }
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
    /** The entry's tokens' characters so far, one after the other, and where each ends (see {@link Entry}). */
    private char[] entryText = new char[256];
    private int entryLength;
    private int[] tokenEnds = new int[16];
    private int tokenCount;
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
        if (tokenCount > 0) {
            handler.entry(new Entry(entryLine, ownerInherited, new String(entryText, 0, entryLength),
                    Arrays.copyOf(tokenEnds, tokenCount)));
            entryLength = 0;
            tokenCount = 0;
        }
    }

    /** A word up to a blank, a parenthesis, a quote, a comment or the line's end; escapes kept. */
    private long word(long i) throws IOException, FileProblem {
        long start = i;
        keep = start;
        while (has(i)) {
            // within the window, one character at a time without asking for more text (the reading thread's
            // inner loop on a large zone); at its end, has() reads on and the loop takes up where it stopped
            char[] text = window;
            int k = (int) (i - base);
            int end = limit;
            while (k < end) {
                char c = text[k];
                if (c == '\\' && k + 1 < end) {
                    if (text[k + 1] == '\n') {
                        break; // a backslash at a line's end stands for itself
                    }
                    k += 2;
                } else if (c == '\\' || c < ENDS_WORD.length && ENDS_WORD[c]) {
                    break;
                } else {
                    k++;
                }
            }
            i = base + k;
            if (k < end && text[k] != '\\') {
                break; // a character that ends the word
            }
            if (k < end) { // a backslash: escaping what follows it, unless that is a line end or the text's end
                if (has(i + 1) && at(i + 1) != '\n') {
                    i += 2;
                    continue;
                }
                i++;
                continue;
            }
        }
        addToken(start, i, false);
        return i;
    }

    /** The characters that end a word: blanks, line ends, parentheses, a comment's start, a quote. */
    private static final boolean[] ENDS_WORD = new boolean[128];

    static {
        for (char c : " \t\r\n();\"".toCharArray()) {
            ENDS_WORD[c] = true;
        }
    }

    /** Copies the token's characters to the entry's (both within {@link #MAX_ENTRY_CHARACTERS}, checked before). */
    private void addToken(long from, long to, boolean quoted) {
        int length = (int) (to - from);
        if (entryLength + length > entryText.length) {
            entryText = Arrays.copyOf(entryText, Math.max(entryText.length * 2, entryLength + length));
        }
        System.arraycopy(window, (int) (from - base), entryText, entryLength, length);
        entryLength += length;
        if (tokenCount == tokenEnds.length) {
            tokenEnds = Arrays.copyOf(tokenEnds, tokenCount * 2);
        }
        tokenEnds[tokenCount++] = quoted ? entryLength | Entry.QUOTED : entryLength;
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
        addToken(start, i, true);
        return i + 1;
    }
}
