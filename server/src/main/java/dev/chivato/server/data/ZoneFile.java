package dev.chivato.server.data;

import dev.chivato.protocol.Hex;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.TextFields;
import dev.chivato.protocol.TypeTable;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.core.TextFiles;
import dev.chivato.server.log.Problems;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A zone in master file format (RFC 1035 section 5): {@code $ORIGIN}, {@code $TTL} (RFC 2308), {@code $INCLUDE},
 * {@code @}, relative names, owner, TTL and class carried over from the record before, parentheses across lines,
 * {@code ;} comments, quoted strings, escapes, BIND's TTL units ({@code 1h30m}), the common types in their own form and
 * any type in RFC 3597's generic form ({@code TYPE65280 \# 4 0a000001}). The zone is then checked as
 * {@code nsd-checkzone} does: one SOA, at the apex; no CNAME beside other data; nothing outside the zone. Any error
 * stops the reading with {@code FILE:LINE: reason}.
 */
public final class ZoneFile {
    /**
     * A zone as read: its origin, its SOA record, its names with their records (each once), and the files it was read
     * from ({@code $INCLUDE}d ones after the first), so that a watch sees an edit to any of them.
     */
    public record Zone(Name origin, ResourceRecord soa, NodeTable nodes, List<Path> files) {
        public Zone {
            files = List.copyOf(files);
        }

        /** Every record, grouped by name and type, names in the order they first came. */
        public List<ResourceRecord> records() {
            return nodes.records();
        }

        public int recordCount() {
            return nodes.recordCount();
        }

        /** The records of one name (none when the zone does not hold it). */
        public List<ResourceRecord> recordsAt(Name name) {
            return nodes.get(name, -1).map(node -> node.rrsets().stream()
                    .flatMap(rrset -> rrset.records(rrset.owner()).stream()).toList()).orElse(List.of());
        }

        /** The records in wire form, for a whole-zone transfer. */
        public WireCursor wireCursor() {
            return new WireCursor(nodes);
        }

        /** A walk over the names and their RRsets, one name at a time (for a zone transfer). */
        public RecordCursor cursor() {
            return new RecordCursor(nodes);
        }

        public long serial() {
            return ((RData.Soa) soa.data()).serial();
        }

        /**
         * This version with each page of its table that {@code older} holds too taken from {@code older}: a transfer
         * that keeps the older version alive through a reload then keeps alive only what changed.
         */
        public Zone sharingPagesWith(Zone older) {
            return new Zone(origin, soa, PageSharing.share(nodes, older.nodes), files);
        }

        /** How many pages of this version's table are held once with {@code other}'s, of {@link #pages()}. */
        public int pagesSharedWith(Zone other) {
            return PageSharing.shared(nodes, other.nodes);
        }

        public int pages() {
            return nodes.pages().length;
        }

        /** Whether the two hold the same records (by {@link NodeTable#digest()}: order and case of owners aside). */
        public boolean sameContentAs(Zone other) {
            return origin.equals(other.origin) && recordCount() == other.recordCount()
                    && nodes.digest() == other.nodes.digest();
        }
    }

    private static final String[] CLASSES = {"IN", "CH", "CS", "HS", "ANY", "NONE"};
    /** How deep {@code $INCLUDE} may nest (a file that includes itself stops here). */
    static final int MAX_INCLUDE_DEPTH = 8;
    /** The TTL of a record that gives none when no {@code $TTL} or earlier TTL applies, as NSD and Knot use. */
    static final long DEFAULT_TTL = 3600;

    private final NodeTableBuilder records = new NodeTableBuilder();
    private final List<Path> files = new ArrayList<>();
    /** The records read before the apex is known (there is no origin yet), checked to be inside it at the end. */
    private final List<Placed> beforeApex = new ArrayList<>();
    private Placed soa;
    /**
     * The first record that fails a check, by kind, reported once the whole zone has been read: errors in the text
     * itself come first, then these in the order nsd-checkzone gives them.
     */
    private String secondSoa;
    /** The first record outside the zone or beside a CNAME, in the order of the file. */
    private String recordProblem;
    private Name origin;
    private Name firstOrigin;
    private long defaultTtl = -1;
    private long lastTtl = -1;
    /** The owner of the record before, as written, for a record that gives none. */
    private OwnerText lastOwner;
    /** The records' owners and RDATA parsed by helper threads, kept here in the order of the text. */
    private final OrderedBatches<Written, Parsed> parsing = new OrderedBatches<>(ZoneFile::parsed, this::keep,
            OrderedBatches.helpersForThisMachine());

    private ZoneFile(Name origin) {
        this.origin = origin;
        this.firstOrigin = origin;
    }

    /** The largest file read whole (one zone may $INCLUDE many). */
    static final long MAX_FILE_OCTETS = 1L << 30;

    /**
     * Reads a zone file. Without {@code origin}, the zone's origin is the file's first {@code $ORIGIN}, or else its
     * SOA's owner.
     */
    public static Zone read(Path file, Optional<Name> origin) throws FileProblem {
        ZoneFile zone = new ZoneFile(origin.orElse(null));
        try (zone.parsing) {
            zone.whole(() -> zone.include(file, 0, file.toString(), 0));
        }
        return zone.checked(file.toString());
    }

    /** Parses zone text, as if read from a file named {@code source} in {@code directory} (for {@code $INCLUDE}). */
    public static Zone parse(String source, String text, Optional<Name> origin, Path directory)
            throws FileProblem {
        ZoneFile zone = new ZoneFile(origin.orElse(null));
        try (zone.parsing) {
            zone.whole(() -> {
                try {
                    zone.parse(new ZoneTokenizer(source, text), directory, 0);
                } catch (IOException e) {
                    throw new IllegalStateException("text in memory cannot fail to read", e);
                }
            });
        }
        return zone.checked(source);
    }

    /** What reads the text, throwing the first problem found in it. */
    private interface Reading {
        void run() throws FileProblem;
    }

    /**
     * Reads the whole text and keeps every record. A problem found while splitting the text may come before the
     * records before it are parsed: theirs, earlier in the text, is the one reported.
     */
    private void whole(Reading reading) throws FileProblem {
        try {
            reading.run();
        } catch (FileProblem | RuntimeException e) {
            parsing.finish();
            throw e;
        }
        parsing.finish();
    }

    private void include(Path file, int depth, String from, int fromLine) throws FileProblem {
        files.add(file);
        String refused = TextFiles.whyNot(file, MAX_FILE_OCTETS);
        if (refused != null) {
            throw depth == 0 ? new FileProblem(file + ": " + refused)
                    : new FileProblem(from, fromLine, "cannot $INCLUDE " + file + ": " + refused);
        }
        try (Reader text = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder())) {
            FileTime before = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            parse(new ZoneTokenizer(file.toString(), text), file.toAbsolutePath().getParent(), depth);
            if (!before.equals(Files.getLastModifiedTime(file)) || size != Files.size(file)) {
                throw new FileProblem(file + ": changed while it was being read (a half-written file is not "
                        + "served); read it again once it is whole");
            }
        } catch (CharacterCodingException e) {
            throw new FileProblem(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw depth == 0 ? new FileProblem(file + ": cannot read: " + Problems.describe(e))
                    : new FileProblem(from, fromLine, "cannot read " + file + ": "
                            + Problems.describe(e));
        }
    }

    /** Reads the entries as the tokenizer finds them: a large file is never held whole. */
    private void parse(ZoneTokenizer tokenizer, Path directory, int depth) throws FileProblem, IOException {
        tokenizer.entries(entry -> {
            try {
                entry(tokenizer.source(), entry, directory, depth);
            } catch (IllegalArgumentException e) {
                throw new FileProblem(tokenizer.source(), entry.line(), e.getMessage());
            }
        });
    }

    private void entry(String source, ZoneTokenizer.Entry entry, Path directory, int depth)
            throws FileProblem {
        if (!entry.ownerInherited() && entry.startsWith(0, '$')) {
            directive(source, entry, directory, depth);
            return;
        }
        int at = 0;
        OwnerText owner;
        if (entry.ownerInherited()) {
            if (lastOwner == null) {
                throw new IllegalArgumentException("no owner: the first record must name one");
            }
            owner = lastOwner;
        } else {
            owner = new OwnerText(entry, origin);
            at = 1;
        }
        lastOwner = owner;
        String problem = null;
        long ttl = -1;
        try {
            for (int i = 0; i < 2 && at < entry.size(); i++) {
                if (entry.is(at, "IN")) { // the class nearly every record gives, known without a string
                    at++;
                    continue;
                }
                String token = entry.text(at);
                if (ttl < 0 && Ttl.isTtl(token)) {
                    ttl = Ttl.parse(token);
                    at++;
                } else if (isClass(token)) {
                    if (!token.equalsIgnoreCase("IN")) {
                        throw new IllegalArgumentException("class " + token + ": only class IN is served");
                    }
                    at++;
                }
            }
            if (at >= entry.size()) {
                throw new IllegalArgumentException("a record needs a type");
            }
        } catch (IllegalArgumentException e) {
            problem = e.getMessage(); // reported after the owner's own problem, if it has one
        }
        if (ttl >= 0) {
            lastTtl = ttl;
        } else {
            ttl = defaultTtl >= 0 ? defaultTtl : lastTtl >= 0 ? lastTtl : DEFAULT_TTL;
        }
        parsing.add(new Written(owner, ttl, at, entry, origin, firstOrigin, problem, source, entry.line()));
        if (problem != null) {
            parsing.finish(); // throws this problem, or one before it
        }
    }

    /** An owner as written (the first token of {@code entry}), with the origin it was written under. */
    private record OwnerText(ZoneTokenizer.Entry entry, Name origin) {
        TextFields.Token token() {
            return entry.token(0);
        }
    }

    /**
     * A record as the text gives it, its owner, type (token {@code typeAt} of {@code entry}) and RDATA (the tokens
     * after it) still text, or why its TTL or class cannot be read ({@code problem}, not null); {@code apex} the
     * zone's, when known already (it never changes once known), for the helper to check that the record is inside.
     */
    private record Written(OwnerText owner, long ttl, int typeAt, ZoneTokenizer.Entry entry, Name origin,
            Name apex, String problem, String source, int line) {
        RRType type() {
            return ZoneFile.type(entry.text(typeAt));
        }

        List<TextFields.Token> rdata() {
            return entry.tokens(typeAt + 1);
        }
    }

    /**
     * A record parsed and {@code written} for the builder, or why it could not be (record null); {@code outside} why
     * it is outside the zone, when the helper could tell ({@code apexChecked}).
     */
    private record Parsed(ResourceRecord record, byte[] written, String problem, String source, int line,
            boolean apexChecked, String outside) {
        static Parsed problem(String problem, String source, int line) {
            return new Parsed(null, null, problem, source, line, false, null);
        }
    }

    /** Parses a record's owner and RDATA; a helper thread's work, which reads nothing but {@code written}. */
    private static Parsed parsed(Written written) {
        try {
            Name owner = name(written.owner().token(), written.owner().origin());
            if (written.problem() != null) {
                return Parsed.problem(written.problem(), written.source(), written.line());
            }
            RRType type = written.type();
            RData data = rdata(type, written.rdata(), written.origin());
            ResourceRecord record = ResourceRecord.in(owner, written.ttl(), data);
            byte[] octets = NodeTableBuilder.written(owner, type, written.ttl(), data, AnswerSource.ZONE);
            if (written.apex() == null || type.equals(RRType.SOA)) {
                return new Parsed(record, octets, null, written.source(), written.line(), false, null);
            }
            // the check the main thread would make, made here: it is a large part of its work on a large zone
            String outside = outside(new Placed(record, written.source(), written.line()), written.apex());
            return new Parsed(record, octets, null, written.source(), written.line(), true, outside);
        } catch (IllegalArgumentException e) {
            return Parsed.problem(e.getMessage(), written.source(), written.line());
        }
    }

    /** Keeps a record parsed, in the order of the text, or stops at the first problem. */
    private void keep(Parsed parsed) throws FileProblem {
        if (parsed.record() == null) {
            throw new FileProblem(parsed.source(), parsed.line(), parsed.problem());
        }
        add(parsed);
    }

    /** A record read, with the place it was read from for the checks' messages. */
    private record Placed(ResourceRecord record, String source, int line) {
        String place() {
            return source + ":" + line;
        }
    }

    /** Checks a record as nsd-checkzone does (the SOA, the zone's bounds, CNAME alone) and keeps it. */
    private void add(Parsed parsed) {
        ResourceRecord record = parsed.record();
        Placed placed = new Placed(record, parsed.source(), parsed.line());
        if (record.type().equals(RRType.SOA)) {
            if (soa != null && secondSoa == null) {
                secondSoa = placed.place() + ": a second SOA record; a zone has exactly one";
            }
            soa = soa == null ? placed : soa; // whether it is at the apex is known at the end
        } else if (firstOrigin != null) {
            recordProblem = recordProblem != null ? recordProblem
                    : parsed.apexChecked() ? parsed.outside() : outside(placed, firstOrigin);
        } else {
            beforeApex.add(placed);
        }
        int first = records.addWrittenReportingFirstType(record.name(), parsed.written());
        if (first >= 0 && recordProblem == null) {
            recordProblem = cnameProblem(placed, RRType.of(first));
        }
    }

    /** Why the record is outside the zone, or null when it is inside. */
    private static String outside(Placed placed, Name apex) {
        return placed.record().name().isSubdomainOf(apex) ? null
                : placed.place() + ": " + placed.record().name() + " is outside the zone " + apex;
    }

    private void directive(String source, ZoneTokenizer.Entry entry, Path directory, int depth)
            throws FileProblem {
        List<TextFields.Token> tokens = entry.tokens(0);
        String name = tokens.get(0).text().toUpperCase(java.util.Locale.ROOT);
        switch (name) {
            case "$ORIGIN" -> {
                expect(tokens, 2, "$ORIGIN NAME");
                origin = absoluteName(tokens.get(1), "$ORIGIN");
                if (firstOrigin == null) {
                    firstOrigin = origin;
                }
            }
            case "$TTL" -> {
                expect(tokens, 2, "$TTL TTL");
                defaultTtl = Ttl.parse(tokens.get(1).text());
            }
            case "$INCLUDE" -> {
                if (tokens.size() < 2 || tokens.size() > 3) {
                    throw new IllegalArgumentException("expected $INCLUDE FILE [ORIGIN]");
                }
                if (depth + 1 > MAX_INCLUDE_DEPTH) {
                    throw new IllegalArgumentException("$INCLUDE nested more than " + MAX_INCLUDE_DEPTH + " deep");
                }
                Path file = directory.resolve(tokens.get(1).text());
                Name savedOrigin = origin;
                OwnerText savedOwner = lastOwner;
                if (tokens.size() == 3) {
                    origin = absoluteName(tokens.get(2), "$INCLUDE's origin");
                }
                include(file, depth + 1, source, entry.line());
                origin = savedOrigin; // what the included file set does not leak back (RFC 1035 section 5.1)
                lastOwner = savedOwner;
            }
            default -> throw new IllegalArgumentException(tokens.get(0).text() + ": not a directive chivato knows "
                    + "($ORIGIN, $TTL, $INCLUDE)");
        }
    }

    private static void expect(List<TextFields.Token> tokens, int count, String form) {
        if (tokens.size() != count) {
            throw new IllegalArgumentException("expected " + form);
        }
    }

    /** A name that must be written whole, ending in a dot, as NSD and Knot require of an origin. */
    private Name absoluteName(TextFields.Token token, String what) {
        if (token.quoted() || !isAbsolute(token.text())) {
            throw new IllegalArgumentException(what + " \"" + token.text() + "\" is relative: write it whole, ending"
                    + " in a dot (" + token.text() + "." + (origin == null ? "" : origin.isRoot() ? "" : origin) + ")");
        }
        return Name.parse(token.text());
    }

    /** A name: {@code @} is {@code origin}, a name without a trailing dot is relative to it. */
    private static Name name(TextFields.Token token, Name origin) {
        String text = token.text();
        if (token.quoted()) {
            throw new IllegalArgumentException("a name cannot be a quoted string: \"" + text + "\"");
        }
        if (text.equals("@")) {
            return requireOrigin(text, origin);
        }
        if (isAbsolute(text)) {
            return Name.parse(text);
        }
        return Name.parse(text, requireOrigin(text, origin));
    }

    /** Whether the name ends with a dot that is not escaped ({@code a\.} is relative, {@code a\\.} absolute). */
    private static boolean isAbsolute(String text) {
        boolean lastIsBareDot = false;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (c == '\\') {
                boolean decimal = i + 1 < text.length() && Character.isDigit(text.charAt(i + 1));
                i += decimal ? 4 : 2;
                lastIsBareDot = false;
            } else {
                lastIsBareDot = c == '.';
                i++;
            }
        }
        return lastIsBareDot;
    }

    private static Name requireOrigin(String text, Name origin) {
        if (origin == null) {
            throw new IllegalArgumentException("\"" + text + "\" is relative, and no origin is known yet: give "
                    + "$ORIGIN, or --zone ORIGIN=FILE");
        }
        return origin;
    }

    private static boolean isClass(String token) {
        for (String mnemonic : CLASSES) {
            if (token.equalsIgnoreCase(mnemonic)) {
                return true;
            }
        }
        return isGenericClass(token);
    }

    /** {@code CLASS} and a number (RFC 3597 section 5). */
    private static boolean isGenericClass(String token) {
        return token.length() > 5 && token.regionMatches(true, 0, "CLASS", 0, 5)
                && token.chars().skip(5).allMatch(Character::isDigit);
    }

    private static RRType type(String token) {
        try {
            RRType type = RRType.parse(token);
            if (type.equals(RRType.OPT) || type.value() >= 128 && type.value() <= 255) {
                throw new IllegalArgumentException(token + " is not a type a zone can hold");
            }
            return type;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + token + "\" is not a record type");
        }
    }

    /** The RDATA of one record, in its type's own form (read by its row of the type table) or RFC 3597's. */
    private static RData rdata(RRType type, List<TextFields.Token> tokens, Name origin) {
        if (!tokens.isEmpty() && tokens.get(0).text().equals("\\#") && !tokens.get(0).quoted()) {
            return generic(type, tokens);
        }
        return TypeTable.parse(type, new TextFields(type.toString(), tokens, token -> name(token, origin)));
    }

    /** {@code \# LENGTH HEX...} (RFC 3597 section 5), for any type; a type with its own form is decoded from it. */
    private static RData generic(RRType type, List<TextFields.Token> tokens) {
        if (tokens.size() < 2) {
            throw new IllegalArgumentException("\\# needs a length");
        }
        int length;
        try {
            length = Integer.parseInt(tokens.get(1).text());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\\# " + tokens.get(1).text() + ": the length is not a number");
        }
        StringBuilder hex = new StringBuilder();
        tokens.subList(2, tokens.size()).forEach(t -> hex.append(t.text()));
        byte[] data = hex.length() == 0 ? new byte[0] : Hex.parse(hex.toString());
        if (length < 0 || length > 0xffff || data.length != length) {
            throw new IllegalArgumentException("\\# " + length + " is followed by " + data.length + " octets");
        }
        if (!RData.hasTypedForm(type, RRClass.IN) && TypeTable.descriptor(type.value()) == null) {
            return new RData.Unknown(type, data);
        }
        return decodeRData(type, data);
    }

    /** RDATA in its own form from its wire form, through the one decoder. */
    private static RData decodeRData(RRType type, byte[] data) {
        try {
            return RData.decode(type, ByteBuffer.wrap(data));
        } catch (WireFormatException e) {
            throw new IllegalArgumentException("\\# " + data.length + " is not valid " + type + " RDATA: "
                    + e.reason());
        }
    }

    /** The checks that need the whole zone; the zone if they pass. */
    private Zone checked(String source) throws FileProblem {
        if (soa == null) {
            throw new FileProblem(source + ": no SOA record: a zone needs one, at its apex");
        }
        if (secondSoa != null) {
            throw new FileProblem(secondSoa);
        }
        Name apex = firstOrigin != null ? firstOrigin : soa.record().name();
        if (!soa.record().name().equals(apex)) {
            throw new FileProblem(soa.place() + ": the SOA record is at " + soa.record().name()
                    + ", not at the apex " + apex);
        }
        for (Placed placed : beforeApex) {
            String problem = outside(placed, apex);
            if (problem != null) {
                throw new FileProblem(problem);
            }
        }
        if (recordProblem != null) {
            throw new FileProblem(recordProblem);
        }
        records.addEmptyNonTerminals(apex);
        return new Zone(apex, soa.record(), records.build(), files);
    }

    /**
     * Why the record breaks the rule that a CNAME is the only data at its name (RFC 1034 section 3.6.2, RFC 2181
     * section 10.1), given the type of the first record at its name; null when it does not. DNSSEC's RRSIG and NSEC
     * may stand beside a CNAME (RFC 4035 section 2.5).
     */
    private static String cnameProblem(Placed placed, RRType earlier) {
        Name owner = placed.record().name();
        if (isBesideAnything(placed.record().type()) || isBesideAnything(earlier)) {
            return null;
        }
        boolean isCname = placed.record().type().equals(RRType.CNAME);
        if (isCname && earlier.equals(RRType.CNAME)) {
            return placed.place() + ": a second CNAME at " + owner + "; a name has at most one";
        }
        if (isCname || earlier.equals(RRType.CNAME)) {
            return placed.place() + ": CNAME beside other data at " + owner;
        }
        return null;
    }

    private static boolean isBesideAnything(RRType type) {
        return type.equals(RRType.RRSIG) || type.equals(RRType.NSEC);
    }
}
