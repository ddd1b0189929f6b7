package dev.chivato.server.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.core.FileProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The master file format, one construct or one error per test. */
class ZoneFileTest {
    private static final String SOA = "@ 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300\n";

    @TempDir
    Path dir;

    private static ZoneFile.Zone parse(String text) throws FileProblem {
        return ZoneFile.parse("z", text, Optional.of(Name.parse("example.com")), Path.of("."));
    }

    private static ZoneFile.Zone parseWithoutOrigin(String text) throws FileProblem {
        return ZoneFile.parse("z", text, Optional.empty(), Path.of("."));
    }

    private static List<ResourceRecord> records(String text) throws FileProblem {
        List<ResourceRecord> all = parse(SOA + text).records();
        return all.subList(1, all.size());
    }

    private static ResourceRecord record(String text) throws FileProblem {
        List<ResourceRecord> records = records(text);
        assertEquals(1, records.size(), records.toString());
        return records.get(0);
    }

    private static String error(String text) {
        return assertThrows(FileProblem.class, () -> parse(text)).getMessage();
    }

    private static ResourceRecord in(String owner, long ttl, RData data) {
        return ResourceRecord.in(Name.parse(owner), ttl, data);
    }

    @Test
    void relativeNamesAndTheAtSignAreUnderTheOrigin() throws Exception {
        assertEquals(in("www.example.com", 60, new RData.Cname(Name.parse("example.com"))),
                record("www 60 IN CNAME @\n"));
        assertEquals(in("a.b.example.com", 60, RData.A.parse("192.0.2.1")), record("a.b 60 A 192.0.2.1\n"));
        assertEquals(in("abs.example.com", 60, RData.A.parse("192.0.2.1")),
                record("abs.example.com. 60 A 192.0.2.1\n"));
    }

    @Test
    void originDirectiveChangesWhatRelativeNamesMean() throws Exception {
        assertEquals(in("x.sub.example.com", 60, RData.A.parse("192.0.2.1")),
                record("$ORIGIN sub.example.com.\nx 60 A 192.0.2.1\n"));
    }

    @Test
    void ownerTtlAndClassCarryOverFromTheRecordBefore() throws Exception {
        List<ResourceRecord> records = records("www 120 IN A 192.0.2.1\n     A 192.0.2.2\n\tIN AAAA 2001:db8::1\n");
        assertEquals(List.of(in("www.example.com", 120, RData.A.parse("192.0.2.1")),
                in("www.example.com", 120, RData.A.parse("192.0.2.2")),
                in("www.example.com", 120, RData.AAAA.parse("2001:db8::1"))), records);
    }

    @Test
    void dollarTtlIsTheDefaultAndAnExplicitTtlWins() throws Exception {
        List<ResourceRecord> records = records("$TTL 1h30m\na A 192.0.2.1\nb 10 A 192.0.2.2\nc A 192.0.2.3\n");
        assertEquals(List.of(5400L, 10L, 5400L), records.stream().map(ResourceRecord::ttl).toList());
    }

    @Test
    void withoutDollarTtlTheLastExplicitTtlApplies() throws Exception {
        List<ResourceRecord> records = records("a 77 A 192.0.2.1\nb A 192.0.2.2\n");
        assertEquals(List.of(77L, 77L), records.stream().map(ResourceRecord::ttl).toList());
    }

    @Test
    void aLongTokenThatIsNotATtlIsRefusedWithoutBacktracking() {
        // a nested regular expression took exponential time on this; the hand-written scan is linear
        String almost = "1".repeat(10_000) + "x";
        assertFalse(assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> Ttl.isTtl(almost)));
        assertTrue(Ttl.isTtl("1w2d3h4m5s") && Ttl.isTtl("3600") && !Ttl.isTtl("h1") && !Ttl.isTtl(""));
    }

    @Test
    void ttlAndClassMayComeInEitherOrder() throws Exception {
        assertEquals(record("a 60 IN A 192.0.2.1\n"), record("a IN 60 A 192.0.2.1\n"));
    }

    @Test
    void bindTtlUnits() {
        assertEquals(604_800 + 2 * 86_400 + 3 * 3_600 + 4 * 60 + 5, Ttl.parse("1w2d3h4m5s"));
        assertEquals(5400, Ttl.parse("1H30M"));
        assertEquals(90, Ttl.parse("1m30"));
        assertEquals(0, Ttl.parse("2147483648"), "the top bit set is zero (RFC 2181 section 8)");
        assertEquals(0, Ttl.parse("4294967295"), "loads, as in NSD and Knot");
        assertThrows(IllegalArgumentException.class, () -> Ttl.parse("4294967296"));
        assertThrows(IllegalArgumentException.class, () -> Ttl.parse("1x"));
    }

    @Test
    void parenthesesContinueARecordAcrossLinesWithComments() throws Exception {
        ZoneFile.Zone zone = parse("""
                @ IN SOA ns1 hostmaster ( ; the primary and the mailbox
                        2026112601 ; serial
                        2h         ; refresh
                        1h         ; retry
                        2w         ; expire
                        5m )       ; minimum
                """);
        assertEquals(new RData.Soa(Name.parse("ns1.example.com"), Name.parse("hostmaster.example.com"), 2026112601L,
                7200, 3600, 1_209_600, 300), zone.soa().data());
        assertEquals(3600, zone.soa().ttl(), "no TTL anywhere: 3600, as NSD and Knot use");
    }

    @Test
    void quotedStringsWithBlanksEscapesAndSemicolons() throws Exception {
        RData.Txt txt = (RData.Txt) record("t 60 TXT \"a b; c\" \"say \\\"hi\\\"\" \\065\\\\z \"\\255\"\n").data();
        List<String> strings = txt.strings().stream().map(s -> new String(s, StandardCharsets.ISO_8859_1)).toList();
        assertEquals(List.of("a b; c", "say \"hi\"", "A\\z", "\u00ff"), strings);
    }

    /** The text is read 128 Ki characters at a time: an escape cut by that edge is still one escape. */
    @Test
    void anEscapeCutByTheEdgeOfWhatWasReadIsStillOneEscape() throws Exception {
        String line = "t 60 TXT a\\;b\\ c\n";
        for (int shift = -3; shift <= 3; shift++) {
            int padding = (128 * 1024 + shift) - SOA.length() - line.indexOf('\\') - 2; // the comment's ';' and line end
            String text = SOA + ";" + "x".repeat(padding) + "\n" + line;
            assertEquals(128 * 1024 + shift, text.indexOf('\\'));
            RData.Txt txt = (RData.Txt) parse(text).records().get(1).data();
            assertEquals("a;b c", new String(txt.strings().get(0), StandardCharsets.ISO_8859_1), "shift " + shift);
        }
    }

    @Test
    void namesWithEscapes() throws Exception {
        ResourceRecord record = record("a\\.b\\032c 60 PTR \\064.example.com.\n");
        assertEquals(Name.parse("a\\.b\\032c.example.com"), record.name());
        assertEquals(new RData.Ptr(Name.parse("\\@.example.com")), record.data());
    }

    @Test
    void aNameEndingInAnEscapedDotIsRelative() throws Exception {
        assertEquals(Name.fromLabels(List.of("a.".getBytes(StandardCharsets.US_ASCII),
                "example".getBytes(StandardCharsets.US_ASCII), "com".getBytes(StandardCharsets.US_ASCII))),
                record("a\\. 60 A 192.0.2.1\n").name());
        assertEquals(Name.fromLabels(List.of(".".getBytes(StandardCharsets.US_ASCII), "example".getBytes(
                StandardCharsets.US_ASCII), "com".getBytes(StandardCharsets.US_ASCII))),
                record("\\..example.com. 60 A 192.0.2.1\n").name());
    }

    @Test
    void everyTypeInItsOwnForm() throws Exception {
        List<ResourceRecord> records = records("""
                @ 60 NS ns1
                @ 60 MX 10 mail
                _sip._udp 60 SRV 10 5 5060 sip
                @ 60 CAA 0 issue "letsencrypt.org"
                mail 60 A 192.0.2.25
                """);
        // records() groups them by name, names in the order they first came
        assertEquals(List.of(new RData.Ns(Name.parse("ns1.example.com")),
                new RData.Mx(10, Name.parse("mail.example.com")),
                new RData.Caa(0, "issue", "letsencrypt.org".getBytes(StandardCharsets.US_ASCII)),
                new RData.Srv(10, 5, 5060, Name.parse("sip.example.com")),
                RData.A.parse("192.0.2.25")), records.stream().map(ResourceRecord::data).toList());
    }

    @Test
    void anyTypeInTheGenericForm() throws Exception {
        assertEquals(new RData.Unknown(new RRType(65280), new byte[] {10, 0, 0, 1}),
                record("x 60 TYPE65280 \\# 4 0a000001\n").data());
        assertEquals(RData.A.parse("10.0.0.1"), record("x 60 A \\# 4 0A 00 00 01\n").data(),
                "a known type in the generic form is its typed RDATA");
        assertEquals(new RData.Unknown(new RRType(65280), new byte[0]), record("x 60 TYPE65280 \\# 0\n").data());
    }

    @Test
    void includeReadsAFileRelativeToTheIncludingOneWithItsOwnOrigin() throws Exception {
        Files.createDirectories(dir.resolve("parts"));
        Files.writeString(dir.resolve("parts/hosts.zone"), "www 60 A 192.0.2.80\n$ORIGIN elsewhere.example.com.\n");
        Files.writeString(dir.resolve("example.zone"), "$ORIGIN example.com.\n" + SOA
                + "$INCLUDE parts/hosts.zone sub.example.com.\nafter 60 A 192.0.2.81\n");
        ZoneFile.Zone zone = ZoneFile.read(dir.resolve("example.zone"), Optional.empty());
        assertEquals(Name.parse("example.com"), zone.origin());
        assertEquals(List.of(Name.parse("www.sub.example.com"), Name.parse("after.example.com")),
                zone.records().subList(1, 3).stream().map(ResourceRecord::name).toList(),
                "the included file's $ORIGIN does not leak back");
    }

    @Test
    void includeLoopsStopAtTheDepthLimit() throws Exception {
        Files.writeString(dir.resolve("loop.zone"), "$ORIGIN example.com.\n" + SOA + "$INCLUDE loop.zone\n");
        FileProblem e = assertThrows(FileProblem.class,
                () -> ZoneFile.read(dir.resolve("loop.zone"), Optional.empty()));
        assertTrue(e.getMessage().endsWith("loop.zone:3: $INCLUDE nested more than 8 deep"), e.getMessage());
    }

    @Test
    void theOriginComesFromTheFirstDollarOriginOrTheSoaOwner() throws Exception {
        assertEquals(Name.parse("example.org"), parseWithoutOrigin("$ORIGIN example.org.\n" + SOA).origin());
        assertEquals(Name.parse("example.net"), parseWithoutOrigin(
                "example.net. 60 SOA ns1.example.net. h.example.net. 1 2 3 4 5\n").origin());
    }

    @Test
    void duplicateRecordsAreKeptOnce() throws Exception {
        assertEquals(1, records("a 60 A 192.0.2.1\na 60 A 192.0.2.1\n").size());
    }

    @Test
    void aByteOrderMarkIsSkipped() throws Exception {
        assertEquals(Name.parse("example.com"), parse("\uFEFF" + SOA).origin());
    }

    // Errors: FILE:LINE: reason, and nothing served.

    @Test
    void aZoneWithoutSoaIsRefused() {
        assertEquals("z: no SOA record: a zone needs one, at its apex", error("a 60 A 192.0.2.1\n"));
    }

    @Test
    void aSecondSoaIsRefused() {
        assertEquals("z:2: a second SOA record; a zone has exactly one", error(SOA + SOA));
    }

    @Test
    void anSoaBelowTheApexIsRefused() {
        assertEquals("z:1: the SOA record is at sub.example.com., not at the apex example.com.",
                error("sub 60 SOA ns1 h 1 2 3 4 5\n"));
    }

    @Test
    void aCnameBesideOtherDataIsRefused() {
        assertEquals("z:3: CNAME beside other data at www.example.com.",
                error(SOA + "www 60 A 192.0.2.1\nwww 60 CNAME @\n"));
        assertEquals("z:3: CNAME beside other data at www.example.com.",
                error(SOA + "www 60 CNAME @\nwww 60 TXT x\n"));
        assertEquals("z:3: a second CNAME at www.example.com.; a name has at most one",
                error(SOA + "www 60 CNAME @\nwww 60 CNAME a\n"));
    }

    @Test
    void dataOutsideTheZoneIsRefused() {
        assertEquals("z:2: www.example.org. is outside the zone example.com.",
                error(SOA + "www.example.org. 60 A 192.0.2.1\n"));
    }

    @Test
    void malformedEntriesNameTheirLine() {
        assertEquals("z:2: \"192.0.2.999\" is not an IPv4 address: 999 > 255", error(SOA + "a 60 A 192.0.2.999\n"));
        assertEquals("z:2: \"BOGUS\" is not a record type", error(SOA + "a 60 BOGUS x\n"));
        assertEquals("z:2: MX needs its exchange", error(SOA + "a 60 MX 10\n"));
        assertEquals("z:2: A has \"extra\" after its last field", error(SOA + "a 60 A 192.0.2.1 extra\n"));
        assertEquals("z:2: MX preference \"70000\" is not a number in 0..65535", error(SOA + "a 60 MX 70000 b\n"));
        assertEquals("z:2: class CH: only class IN is served", error(SOA + "a 60 CH A 192.0.2.1\n"));
        assertEquals("z:2: \\# 4 is followed by 3 octets", error(SOA + "a 60 TYPE99 \\# 4 0a0000\n"));
        assertEquals("z:2: $GENERATE: not a directive chivato knows ($ORIGIN, $TTL, $INCLUDE)",
                error(SOA + "$GENERATE 1-10 a$ A 10.0.0.$\n"));
        assertEquals("z:2: TYPE65000 has no presentation form of its own here: write it as TYPE65000 \\# LENGTH HEX",
                error(SOA + "a 60 TYPE65000 cpu os\n"));
        assertEquals("z:2: SSHFP fingerprint is not hex (an even number of digits 0-9, A-F)",
                error(SOA + "a 60 SSHFP 4 2 12345\n"));
    }

    @Test
    void unbalancedParenthesesAndQuotesNameTheirLine() {
        assertEquals("z:2: a '(' that is never closed", error(SOA + "a 60 TXT ( x\n"));
        assertEquals("z:2: a ')' without its '('", error(SOA + "a 60 TXT x )\n"));
        assertEquals("z:2: a quoted string that does not end on its line", error(SOA + "a 60 TXT \"x\n"));
    }

    @Test
    void aRelativeNameBeforeAnyOriginIsRefused() {
        FileProblem e = assertThrows(FileProblem.class,
                () -> parseWithoutOrigin("www 60 A 192.0.2.1\n"));
        assertEquals("z:1: \"www\" is relative, and no origin is known yet: give $ORIGIN, or --zone ORIGIN=FILE",
                e.getMessage());
    }

    /** Where NSD and Knot agree (their scanners' test data), the parser agrees with them. */
    @Test
    void nestedParenthesesAreRefused() {
        assertEquals("z:2: a '(' inside another: parentheses do not nest (RFC 1035 section 5.1)",
                error(SOA + "a 60 TXT ( \"a\" ( \"b\" ) )\n"));
    }

    @Test
    void aQuotedStringMayRunOverALineEndInsideParentheses() throws Exception {
        ZoneFile.Zone zone = parse(SOA + "a 60 TXT ( \"one\ntwo\" )\nb 60 A 192.0.2.9\n");
        assertTrue(zone.records().contains(in("a.example.com", 60, RData.Txt.of("one\ntwo"))));
        assertTrue(zone.records().contains(in("b.example.com", 60, RData.A.parse("192.0.2.9"))), "lines counted on");
    }

    @Test
    void aRelativeOriginIsRefused() {
        assertEquals("z:2: $ORIGIN \"sub\" is relative: write it whole, ending in a dot (sub.example.com.)",
                error(SOA + "$ORIGIN sub\n"));
    }

    @Test
    void dollarIsNotALabel() {
        assertTrue(error(SOA + "$ 60 A 192.0.2.2\n").startsWith("z:2: $: not a directive"));
    }

    @Test
    void soaTimersAreThirtyTwoBitFieldsNotTtls() throws Exception {
        ZoneFile.Zone zone = parse("@ 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 4294967295 3000000000"
                + " 1w 4294967295\n");
        assertEquals("ns1.example.com. hostmaster.example.com. 1 4294967295 3000000000 604800 4294967295",
                zone.soa().data().toString());
    }

    @Test
    void aTtlOfAllOnesLoadsAsZero() throws Exception {
        assertTrue(parse(SOA + "a 4294967295 A 192.0.2.2\n").records()
                .contains(in("a.example.com", 0, RData.A.parse("192.0.2.2"))));
    }

    /** Once refused ("TLSA" is not a record type), as NSD and Knot read it: in its own form and in RFC 3597's. */
    @Test
    void aTlsaRecordLoadsUnderItsMnemonicInItsOwnFormAndInTheGenericOne() throws Exception {
        Path file = dir.resolve("tlsa.zone");
        Files.writeString(file, SOA + "own 60 TLSA 3 1 1 0123456789abcdef\n" + "generic 60 TLSA \\# 4 03010102\n");
        List<String> texts = ZoneFile.read(file, Optional.of(Name.parse("example.org"))).records().stream()
                .filter(r -> r.type().toString().equals("TLSA")).map(r -> r.name() + " " + r.data()).sorted()
                .toList();
        assertEquals(List.of("generic.example.org. 3 1 1 02", "own.example.org. 3 1 1 0123456789ABCDEF"), texts);
    }

    @Test
    void aTxtStringOverTwoHundredFiftyFiveOctetsIsRefused() {
        assertTrue(error(SOA + "a 60 TXT " + "x".repeat(256) + "\n")
                .startsWith("z:2: TXT text: a string of 256 octets"));
    }

    @Test
    void aMissingFileSaysSo() {
        FileProblem e = assertThrows(FileProblem.class,
                () -> ZoneFile.read(dir.resolve("nope.zone"), Optional.empty()));
        assertEquals(dir.resolve("nope.zone") + ": cannot read: no such file or directory", e.getMessage());
    }

    @Test
    void aRecordThatFitsNoMessageIsRefusedWithItsLine() {
        String hex = "00".repeat(65_100);
        String message = error(SOA + "big TYPE65280 \\# 65100 " + hex + "\n");
        assertTrue(message.startsWith("z:2: a TYPE65280 record of 65127 octets fits in no message (at most 65011"),
                message);
    }

    @Test
    void anIncludedDeviceIsRefusedNotReadForever() throws Exception {
        Path zone = dir.resolve("z.zone");
        Files.writeString(zone, SOA + "$INCLUDE /dev/zero\n");
        String message = assertThrows(FileProblem.class, () -> ZoneFile.read(zone,
                Optional.of(Name.parse("example.com")))).getMessage();
        assertEquals(zone + ":2: cannot $INCLUDE /dev/zero: not a regular file", message);
        assertEquals("/dev/zero: not a regular file", assertThrows(FileProblem.class, () -> ZoneFile.read(
                Path.of("/dev/zero"), Optional.of(Name.parse("example.com")))).getMessage());
    }

    @Test
    void anEntryLongerThanAnyRecordCanBeIsRefusedWithItsLine() {
        String message = error(SOA + "big TXT ( " + "\"a\" ".repeat(400_000) + ")\n");
        assertTrue(message.startsWith("z:2: an entry longer than 1048576 characters"), message);
    }

    /** A zone of {@code names} names, each with an A record, TTL and owner carried over from the line before. */
    private static String manyNames(int names) {
        StringBuilder text = new StringBuilder("$ORIGIN example.com.\n$TTL 60\n" + SOA);
        for (int n = 0; n < names; n++) {
            text.append("host").append(n).append(n % 2 == 0 ? " 120" : "").append(" A 10.0.").append(n >> 8 & 255)
                    .append('.').append(n & 255).append("\n  TXT \"host ").append(n).append("\"\n");
        }
        return text.toString();
    }

    @Test
    void aZoneOfManyBatchesKeepsTheOrderOwnersAndTtlsOfItsText() throws Exception {
        int names = OrderedBatches.BATCH * 5 + 7; // more text than the tokenizer reads at once, words across reads
        Path file = dir.resolve("many.zone");
        Files.writeString(file, manyNames(names));
        ZoneFile.Zone zone = ZoneFile.read(file, Optional.empty());
        List<ResourceRecord> records = zone.records();
        assertEquals(1 + 2 * names, records.size());
        for (int n = 0; n < names; n++) {
            long ttl = n % 2 == 0 ? 120 : 60;
            assertEquals(in("host" + n + ".example.com", ttl, RData.A.parse("10.0." + (n >> 8 & 255) + "." + (n & 255))),
                    records.get(1 + 2 * n));
            assertEquals(in("host" + n + ".example.com", 60, RData.Txt.of("host " + n)), // $TTL's, not the A's
                    records.get(2 + 2 * n));
        }
    }

    @Test
    void theFirstProblemInTheTextIsReportedThoughALaterOneIsFoundFirst() throws Exception {
        String text = manyNames(10) + "bad A 300.1.1.1\n" + manyNames(OrderedBatches.BATCH * 4).substring(
                manyNames(0).length()).replace("host", "more") + "late A 1.2.3\nopen ( A 192.0.2.1\n";
        Path file = dir.resolve("bad.zone");
        Files.writeString(file, text);
        String message = assertThrows(FileProblem.class, () -> ZoneFile.read(file, Optional.empty())).getMessage();
        assertTrue(message.startsWith(file + ":24: "), message); // 3 lines of head, 2 a name, then the bad one
    }

    @Test
    void aLaterProblemInAnotherBatchDoesNotHideTheFirst() throws Exception {
        String text = manyNames(OrderedBatches.BATCH * 4);
        int firstBad = text.indexOf("host100 ");
        int secondBad = text.indexOf("host" + OrderedBatches.BATCH * 3 + " ");
        text = text.substring(0, firstBad) + "host100 A 1.2.3\n" + text.substring(firstBad, secondBad)
                + "bad A 1.2\n" + text.substring(secondBad);
        Path file = dir.resolve("two.zone");
        Files.writeString(file, text);
        String message = assertThrows(FileProblem.class, () -> ZoneFile.read(file, Optional.empty())).getMessage();
        assertTrue(message.startsWith(file + ":204: "), message);
    }

    @Test
    void aFileThatIsNotUtf8IsRefused() throws Exception {
        Path file = dir.resolve("latin1.zone");
        Files.write(file, ("$ORIGIN example.com.\n" + SOA + "caf\u00e9 TXT \"x\"\n").getBytes(
                StandardCharsets.ISO_8859_1));
        assertEquals(file + ": not UTF-8 text",
                assertThrows(FileProblem.class, () -> ZoneFile.read(file, Optional.empty())).getMessage());
    }
}
