package dev.chivato.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A domain name, held in its uncompressed wire form: length-prefixed labels ending in the zero-length root label.
 *
 * <p>Equality and hashing ignore ASCII case (RFC 4343); the original case is kept for output. Every name, decoded
 * or built by hand, obeys RFC 1035's limits: labels of at most 63 octets, at most 255 octets in all on the wire.
 *
 * <p>How to read this file: a name is its wire octets, checked once; {@link #parse} reads text (a plain pass for
 * plain ASCII, then the general loop with escapes), {@link #toString} writes it as dig does. The word-at-a-time
 * comparison and hash ({@link #regionEqualsIgnoreCase}, {@link #hashCodeOf}) are the same rule as comparing octet
 * by octet after folding A-Z to a-z; {@code NameCaseTest} holds them to that rule, and HandlerBenchmark measured
 * the difference.
 */
public final class Name {
    /** Eight octets of a wire form read as one word, for hashing and comparing a word at a time. */
    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    public static final int MAX_LABEL_LENGTH = 63;
    public static final int MAX_WIRE_LENGTH = 255;
    public static final Name ROOT = new Name(new byte[] {0});

    /**
     * The wire form, checked, never changed once made: by the public constructor from a copy of anyone's array, or
     * in this package by {@link #trusted} from an array its maker checked and gives away (the decoder's), so a decoded
     * name is copied and checked once, not twice.
     */
    private final byte[] bytes;
    /**
     * {@link #hashCodeOf} of the octets, or 0 until first asked (a race computes the same value twice), kept in the
     * name itself as {@code String} keeps its own: a kept hash is one load, not two (CodecBenchmark.nameHash).
     */
    private int hash;

    /** Checks the wire form and keeps its own copy, so no caller can change a name after the fact. */
    public Name(byte[] wire) {
        this(checkedCopy(wire), true);
    }

    private Name(byte[] checked, boolean unused) {
        this.bytes = checked;
    }

    private static byte[] checkedCopy(byte[] wire) {
        byte[] copy = wire.clone();
        String problem = problemWith(copy, copy.length);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return copy;
    }

    /** A name of octets the caller made and checked (see {@link #problemWith}) and will never change. */
    static Name trusted(byte[] wire) {
        return new Name(wire, true);
    }

    /** The name whose wire form is {@code wire[from..from+length)}: copied once, and checked. */
    public static Name fromWire(byte[] wire, int from, int length) {
        byte[] copy = Arrays.copyOfRange(wire, from, from + length);
        String problem = problemWith(copy, copy.length);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return trusted(copy);
    }

    /**
     * Why {@code wire[0..length)} is not an uncompressed name, or null when it is one. Shared by the constructor and
     * by the decoder, which turns the reason into a {@link WireFormatException}.
     */
    static String problemWith(byte[] wire, int length) {
        if (length > MAX_WIRE_LENGTH) {
            return "name longer than 255 octets";
        }
        int i = 0;
        while (i < length) {
            int labelLength = wire[i] & 0xff;
            if (labelLength == 0) {
                return i == length - 1 ? null : "bytes after the root label";
            }
            if (labelLength > MAX_LABEL_LENGTH) {
                return "label longer than 63 octets";
            }
            i += 1 + labelLength;
        }
        return "name does not end with the root label";
    }

    /** A name from its labels, most specific first, each given as raw octets. */
    public static Name fromLabels(List<byte[]> labels) {
        int length = 1;
        for (byte[] label : labels) {
            length += 1 + label.length;
        }
        if (length > MAX_WIRE_LENGTH) {
            throw new IllegalArgumentException("name longer than 255 octets");
        }
        byte[] wire = new byte[length];
        int at = 0;
        for (byte[] label : labels) {
            if (label.length == 0) {
                throw new IllegalArgumentException("empty label");
            }
            if (label.length > MAX_LABEL_LENGTH) {
                throw new IllegalArgumentException("label longer than 63 octets");
            }
            wire[at++] = (byte) label.length;
            System.arraycopy(label, 0, wire, at, label.length);
            at += label.length;
        }
        return new Name(wire);
    }

    /**
     * Parses presentation format as dig prints it: labels separated by dots, {@code \.} and {@code \X} for a literal
     * character, {@code \DDD} for an octet in decimal. The trailing dot is optional: every name here is absolute.
     */
    public static Name parse(String text) {
        return parse(text, ROOT);
    }

    /**
     * Parses presentation format relative to {@code origin}: the labels of {@code text}, then the origin's (a zone
     * file's relative names). A trailing dot in {@code text} is not looked at: say which names are absolute yourself.
     */
    public static Name parse(String text, Name origin) {
        if (text.equals(".") || text.isEmpty()) {
            return origin;
        }
        Name plain = parsePlain(text, origin);
        return plain != null ? plain : parseEscaped(text, origin);
    }

    /**
     * {@link #parse(String, Name)} for any text {@link #parsePlain} leaves: escapes, characters beyond ASCII, and
     * every mistake, which it names. A method of its own so that the usual path is small enough to be compiled into
     * its callers (CodecBenchmark.parseName: with this loop inside it, the method was too big to inline).
     */
    private static Name parseEscaped(String text, Name origin) {
        // Written straight into wire form: a length octet, then the label's octets, for each label. Sized for
        // plain ASCII, where the text's dots become length octets: the exact size, so no copy at the end; grown if
        // characters beyond ASCII take more octets, and cut if escapes took fewer.
        boolean dotted = text.charAt(text.length() - 1) == '.' && !text.endsWith("\\.");
        byte[] wire = new byte[text.length() + (dotted ? 0 : 1) + origin.bytes.length];
        int labelStart = 0;
        int at = 1;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '.') {
                if (at == labelStart + 1) {
                    throw new IllegalArgumentException("empty label in \"" + text + "\"");
                }
                labelStart = closeLabel(wire, labelStart, at);
                at++;
                i++;
                continue;
            }
            if (c < 0x80 && c != '\\') { // the common case: one octet, itself
                wire = room(wire, at, 1);
                wire[at++] = (byte) c;
                i++;
                continue;
            }
            int octet = -1;
            if (c == '\\') {
                if (i + 1 >= text.length()) {
                    throw new IllegalArgumentException("dangling backslash in \"" + text + "\"");
                }
                char next = text.charAt(i + 1);
                if (isDigit(next)) {
                    if (i + 3 >= text.length() || !isDigit(text.charAt(i + 2)) || !isDigit(text.charAt(i + 3))) {
                        throw new IllegalArgumentException("\\DDD needs three digits in \"" + text + "\"");
                    }
                    octet = Integer.parseInt(text.substring(i + 1, i + 4));
                    if (octet > 255) {
                        throw new IllegalArgumentException("\\" + octet + " is over 255 in \"" + text + "\"");
                    }
                    i += 4;
                } else {
                    i++; // an escaped character stands for itself
                }
            }
            if (octet >= 0) {
                wire = room(wire, at, 1);
                wire[at++] = (byte) octet;
                continue;
            }
            // A character as its UTF-8 octets, so a name read from a file matches the same name sent by a client
            // in UTF-8 (IDN A-labels, xn--..., are the user's to write).
            int codePoint = text.codePointAt(i);
            if (codePoint < 0x80) {
                wire = room(wire, at, 1);
                wire[at++] = (byte) codePoint;
            } else {
                byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                wire = room(wire, at, utf8.length);
                System.arraycopy(utf8, 0, wire, at, utf8.length);
                at += utf8.length;
            }
            i += Character.charCount(codePoint);
        }
        if (at > labelStart + 1) {
            labelStart = closeLabel(wire, labelStart, at);
            at++;
        }
        if (labelStart + origin.bytes.length > MAX_WIRE_LENGTH) {
            throw new IllegalArgumentException("name longer than 255 octets");
        }
        wire = room(wire, labelStart, origin.bytes.length);
        System.arraycopy(origin.bytes, 0, wire, labelStart, origin.bytes.length);
        int length = labelStart + origin.bytes.length;
        // checked as it was written: labels of 1..63 octets, 255 in all, the origin's root last
        return trusted(length == wire.length ? wire : Arrays.copyOf(wire, length));
    }

    /**
     * The usual text, plain ASCII without escapes, in two tight passes: the characters copied in after the first
     * length octet; then, at each dot, the label that ends there gets its length in the octet before it, and the
     * dot's place becomes the next label's length octet. Null for any other text, good or bad: {@link #parse}'s
     * general loop reads it and says what is wrong.
     */
    private static Name parsePlain(String text, Name origin) {
        int end = text.charAt(text.length() - 1) == '.' ? text.length() - 1 : text.length(); // the dot: not looked at
        byte[] originWire = origin.bytes;
        byte[] wire = new byte[end + 1 + originWire.length];
        int lengthAt = 0; // one pass: each dot closes the label before it
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (!fitsLabel(i - lengthAt)) {
                    return null;
                }
                wire[lengthAt] = (byte) (i - lengthAt);
                lengthAt = i + 1;
            } else if (c >= 0x80 || c == '\\') {
                return null;
            } else {
                wire[1 + i] = (byte) c;
            }
        }
        if (!fitsLabel(end - lengthAt) || wire.length > MAX_WIRE_LENGTH) {
            return null;
        }
        wire[lengthAt] = (byte) (end - lengthAt);
        if (originWire.length > 1) { // the root's zero octet is there already: a new array is zeros
            System.arraycopy(originWire, 0, wire, end + 1, originWire.length);
        }
        return trusted(wire);
    }

    private static boolean fitsLabel(int length) {
        return length > 0 && length <= MAX_LABEL_LENGTH;
    }

    /** Writes the length of the label that ends at {@code end}; returns where the next label's length goes. */
    private static int closeLabel(byte[] wire, int labelStart, int end) {
        int length = end - labelStart - 1;
        if (length > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("label longer than 63 octets");
        }
        wire[labelStart] = (byte) length;
        return end;
    }

    /** The array, grown when {@code count} more octets at {@code at} would not fit. */
    private static byte[] room(byte[] wire, int at, int count) {
        return at + count <= wire.length ? wire : Arrays.copyOf(wire, Math.max(wire.length * 2, at + count + 1));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A copy of the wire form (the name's own array never leaves this package). */
    public byte[] wire() {
        return bytes.clone();
    }

    /** The wire form itself, for this package's encoder, which only reads it. */
    byte[] sharedWire() {
        return bytes;
    }

    /** Copies the wire form into {@code target} at {@code at}; returns its length. */
    public int copyWire(byte[] target, int at) {
        System.arraycopy(bytes, 0, target, at, bytes.length);
        return bytes.length;
    }

    /** Whether {@code region[from..from+length)} is this name's wire form, ASCII case ignored. */
    public boolean equalsWire(byte[] region, int from, int length) {
        return length == bytes.length && regionEqualsIgnoreCase(bytes, 0, region, from, length);
    }

    /** Octets on the wire, uncompressed, including the root label. */
    public int wireLength() {
        return bytes.length;
    }

    public boolean isRoot() {
        return bytes.length == 1;
    }

    /** The offset in {@link #wire} where label {@code index} (0 = leftmost) starts. */
    private int labelOffset(int index) {
        int at = 0;
        for (int i = 0; i < index; i++) {
            if (bytes[at] == 0) {
                throw new IndexOutOfBoundsException("label " + index + " of " + this);
            }
            at += 1 + (bytes[at] & 0xff);
        }
        return at;
    }

    /** Labels in the name, the root's empty label not counted. */
    public int labelCount() {
        int count = 0;
        for (int at = 0; bytes[at] != 0; at += 1 + (bytes[at] & 0xff)) {
            count++;
        }
        return count;
    }

    /**
     * The canonical order of DNSSEC (RFC 4034 section 6.1): label by label from the rightmost, each compared as
     * octets with letters in lower case, a label that is a prefix of the other first, and a name that is a suffix of
     * the other (its parent, say) first. The order NSEC records chain names in.
     */
    public static int canonicalCompare(Name a, Name b) {
        byte[] x = a.bytes;
        byte[] y = b.bytes;
        long xStarts = packedStarts(x);
        long yStarts = packedStarts(y);
        if (xStarts < 0 || yStarts < 0) {
            return canonicalCompare(x, a.labelStarts(), y, b.labelStarts());
        }
        int xCount = (int) (xStarts >>> 56);
        int yCount = (int) (yStarts >>> 56);
        for (int i = xCount - 1, j = yCount - 1; i >= 0 && j >= 0; i--, j--) {
            int difference = compareLabels(x, (int) (xStarts >>> 8 * i) & 0xff, y, (int) (yStarts >>> 8 * j) & 0xff);
            if (difference != 0) {
                return difference;
            }
        }
        return xCount - yCount;
    }

    /**
     * Where each label of {@code wire} starts, for a name of at most 7 labels: the ith in bits {@code 8i..8i+7} (a
     * name is at most 255 octets), the count in the top byte; -1 for a name of more labels. A sort of a million
     * names (a signed zone's NSEC chain) makes no array per comparison this way.
     */
    private static long packedStarts(byte[] wire) {
        long packed = 0;
        int count = 0;
        for (int at = 0; wire[at] != 0; at += 1 + (wire[at] & 0xff)) {
            if (count == 7) {
                return -1;
            }
            packed |= (long) at << 8 * count++;
        }
        return packed | (long) count << 56;
    }

    private static int canonicalCompare(byte[] x, int[] xStarts, byte[] y, int[] yStarts) {
        for (int i = xStarts.length - 1, j = yStarts.length - 1; i >= 0 && j >= 0; i--, j--) {
            int difference = compareLabels(x, xStarts[i], y, yStarts[j]);
            if (difference != 0) {
                return difference;
            }
        }
        return xStarts.length - yStarts.length;
    }

    /** Two labels as octets with letters in lower case, a prefix of the other first. */
    private static int compareLabels(byte[] x, int xAt, byte[] y, int yAt) {
        int xLength = x[xAt] & 0xff;
        int yLength = y[yAt] & 0xff;
        for (int k = 1; k <= Math.min(xLength, yLength); k++) {
            int difference = (toLower(x[xAt + k]) & 0xff) - (toLower(y[yAt + k]) & 0xff);
            if (difference != 0) {
                return difference;
            }
        }
        return xLength - yLength;
    }

    /** Where each label starts, leftmost first (the root's empty label not among them). */
    private int[] labelStarts() {
        int[] starts = new int[labelCount()];
        int at = 0;
        for (int i = 0; i < starts.length; i++) {
            starts[i] = at;
            at += 1 + (bytes[at] & 0xff);
        }
        return starts;
    }

    /** Label {@code index}, leftmost first, as raw octets. */
    public byte[] label(int index) {
        int at = labelOffset(index);
        if (bytes[at] == 0) {
            throw new IndexOutOfBoundsException("label " + index + " of " + this);
        }
        return Arrays.copyOfRange(bytes, at + 1, at + 1 + (bytes[at] & 0xff));
    }

    /** The name with its leftmost label removed; the root has no parent. */
    public Name parent() {
        if (isRoot()) {
            throw new IllegalStateException("the root has no parent");
        }
        byte[] wire = bytes;
        return trusted(Arrays.copyOfRange(wire, 1 + (wire[0] & 0xff), wire.length));
    }

    /** This name with {@code label} added on the left. */
    public Name child(byte[] label) {
        if (label.length == 0 || label.length > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("label length " + label.length + " is not 1..63");
        }
        byte[] longer = new byte[bytes.length + 1 + label.length];
        longer[0] = (byte) label.length;
        System.arraycopy(label, 0, longer, 1, label.length);
        System.arraycopy(bytes, 0, longer, 1 + label.length, bytes.length);
        return new Name(longer);
    }

    /** True when this name equals {@code other} or lies below it (every name is a subdomain of the root). */
    public boolean isSubdomainOf(Name other) {
        int offset = bytes.length - other.bytes.length;
        if (offset < 0) {
            return false;
        }
        // The suffix must start on a label boundary, not in the middle of a label.
        int at = 0;
        while (at < offset) {
            at += 1 + (bytes[at] & 0xff);
        }
        return at == offset
                && regionEqualsIgnoreCase(bytes, offset, other.bytes, 0, other.bytes.length);
    }

    /** The name with ASCII letters folded to lower case: the form to use as a lookup key. */
    public Name toLowerCase() {
        byte[] lower = bytes.clone();
        boolean changed = false;
        for (int i = 0; i < lower.length; i++) {
            byte folded = toLower(lower[i]);
            changed |= folded != lower[i];
            lower[i] = folded;
        }
        return changed ? trusted(lower) : this; // a name's labels, only letters changed
    }

    static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }

    /**
     * Whether two regions of wire-form octets are equal, ASCII case ignored (RFC 4343). Eight octets at a time: two
     * words are alike when they differ only in bit 0x20 of octets that are letters (see {@link #sameIgnoringCase}).
     */
    public static boolean regionEqualsIgnoreCase(byte[] a, int aFrom, byte[] b, int bFrom, int length) {
        return regionEquals(a, aFrom, b, bFrom, length, true);
    }

    /**
     * Whether two regions of octets are equal octet for octet, case included: the compression table's match. Eight
     * at a time here, where {@code Arrays.equals} called the JDK's mismatch stub for a name's few words
     * (CodecBenchmark.encodeHundred).
     */
    static boolean regionEqualsExactly(byte[] a, int aFrom, byte[] b, int bFrom, int length) {
        return regionEquals(a, aFrom, b, bFrom, length, false);
    }

    private static boolean regionEquals(byte[] a, int aFrom, byte[] b, int bFrom, int length, boolean ignoreCase) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (!alike((long) LONGS.get(a, aFrom + i), (long) LONGS.get(b, bFrom + i), ignoreCase)) {
                return false;
            }
        }
        if (i < length && length >= 8) { // the last word, overlapping octets already found alike
            return alike((long) LONGS.get(a, aFrom + length - 8), (long) LONGS.get(b, bFrom + length - 8), ignoreCase);
        }
        for (; i < length; i++) {
            if (ignoreCase ? toLower(a[aFrom + i]) != toLower(b[bFrom + i]) : a[aFrom + i] != b[bFrom + i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean alike(long a, long b, boolean ignoreCase) {
        return ignoreCase ? sameIgnoringCase(a, b) : a == b;
    }

    private static final long ONES = 0x0101010101010101L;

    /**
     * Whether eight octets equal eight others but for the case of ASCII letters: they may differ only in bit 0x20,
     * and only where the octet, with that bit set, is a small letter ('a'..'z'). Each octet is tested in its own
     * lane: the high bits are cleared first so that no addition carries into the next octet.
     */
    static boolean sameIgnoringCase(long a, long b) {
        long differ = a ^ b;
        if (differ == 0) {
            return true;
        }
        if ((differ & ~(0x20 * ONES)) != 0) {
            return false;
        }
        long folded = a | 0x20 * ONES;
        long low = folded & 0x7f * ONES;
        long letters = (low + 0x1f * ONES) & ~(low + 0x05 * ONES) & ~folded & 0x80 * ONES;
        return ((differ << 2) & ~letters) == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Name other && (other.bytes == bytes // the same name, as a section's owners often are
                || other.bytes.length == bytes.length
                && regionEqualsIgnoreCase(bytes, 0, other.bytes, 0, bytes.length));
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = hashCodeOf(bytes, 0, bytes.length);
            hash = h; // a name whose hash is 0 computes it each time, as a String does
        }
        return h;
    }

    /**
     * The hash of the name whose wire form is {@code wire[from..from+length)}: equal to its {@link #hashCode()}.
     * Eight octets at a time, each with bit 0x20 set, which makes an ASCII capital its small letter (and changes
     * other octets alike in every name, so names equal without regard to case still hash alike).
     */
    public static int hashCodeOf(byte[] wire, int from, int length) {
        long hash = 0x9e3779b97f4a7c15L ^ length;
        int at = from;
        int end = from + length;
        for (; at + 8 <= end; at += 8) {
            hash = (hash ^ ((long) LONGS.get(wire, at) | 0x2020202020202020L)) * 0x9e3779b97f4a7c15L;
            hash ^= hash >>> 29;
        }
        long tail = 0;
        if (at < end && length >= 8) { // the last word, overlapping, shifted to the octets not yet hashed
            tail = ((long) LONGS.get(wire, end - 8) | 0x2020202020202020L) >>> 8 * (8 - (end - at));
        } else {
            for (int shift = 0; at < end; at++, shift += 8) {
                tail |= (long) ((wire[at] | 0x20) & 0xff) << shift;
            }
        }
        hash = (hash ^ tail) * 0x9e3779b97f4a7c15L;
        return (int) (hash ^ hash >>> 32);
    }


    /**
     * The same hash as {@link #hashCodeOf(byte[], int, int)}, of the octets {@code wire[from..from+length)} of a
     * buffer (a direct one too), read by absolute index: nothing is copied or moved.
     */
    public static int hashCodeOf(ByteBuffer wire, int from, int length) {
        boolean swap = wire.order() == ByteOrder.BIG_ENDIAN;
        long hash = 0x9e3779b97f4a7c15L ^ length;
        int at = from;
        int end = from + length;
        for (; at + 8 <= end; at += 8) {
            long word = wire.getLong(at);
            hash = (hash ^ ((swap ? Long.reverseBytes(word) : word) | 0x2020202020202020L)) * 0x9e3779b97f4a7c15L;
            hash ^= hash >>> 29;
        }
        long tail = 0;
        if (at < end && length >= 8) { // as in the array form: the last word, overlapping
            long word = wire.getLong(end - 8);
            tail = ((swap ? Long.reverseBytes(word) : word) | 0x2020202020202020L) >>> 8 * (8 - (end - at));
        } else {
            for (int shift = 0; at < end; at++, shift += 8) {
                tail |= (long) ((wire.get(at) | 0x20) & 0xff) << shift;
            }
        }
        hash = (hash ^ tail) * 0x9e3779b97f4a7c15L;
        return (int) (hash ^ hash >>> 32);
    }

    /** Whether {@code wire[from..from+length)} equals {@code octets[0..length)} but for the case of ASCII letters. */
    public static boolean regionEqualsIgnoreCase(ByteBuffer wire, int from, byte[] octets, int length) {
        boolean swap = wire.order() == ByteOrder.BIG_ENDIAN; // the words of octets are read little-endian
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            long word = wire.getLong(from + i);
            if (!sameIgnoringCase(swap ? Long.reverseBytes(word) : word, (long) LONGS.get(octets, i))) {
                return false;
            }
        }
        if (i < length && length >= 8) { // as in the array form: the last word, overlapping
            long word = wire.getLong(from + length - 8);
            return sameIgnoringCase(swap ? Long.reverseBytes(word) : word, (long) LONGS.get(octets, length - 8));
        }
        for (; i < length; i++) {
            if (toLower(wire.get(from + i)) != toLower(octets[i])) {
                return false;
            }
        }
        return true;
    }

    /** True when the two names are equal octet for octet, case included. */
    public boolean equalsExactly(Name other) {
        return Arrays.equals(bytes, other.bytes);
    }

    /** Presentation format as dig prints it: escaped where needed, with the trailing dot. */
    @Override
    public String toString() {
        return PresentationText.of(this);
    }
}
