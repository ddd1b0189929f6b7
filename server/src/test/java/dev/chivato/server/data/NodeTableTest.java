package dev.chivato.server.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.MessageArbitraries;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class NodeTableTest {
    private static final Name WWW = Name.parse("www.example.org");

    private static NodeTable table(List<ResourceRecord> records) {
        NodeTableBuilder builder = new NodeTableBuilder();
        records.forEach(r -> builder.add(r.name(), r.type(), r.ttl(), r.data(), AnswerSource.ZONE));
        return builder.build();
    }

    private static ResourceRecord a(Name owner, long ttl, String address) {
        return ResourceRecord.in(owner, ttl, RData.A.parse(address));
    }

    @Test
    void aNameIsFoundWhateverItsCaseAndKeepsTheCaseFirstGiven() {
        NodeTable table = table(List.of(a(Name.parse("WWW.example.org"), 60, "192.0.2.1")));
        Snapshot.Node node = table.get(Name.parse("www.EXAMPLE.org"), -1).orElseThrow();
        assertEquals("WWW.example.org.", node.rrsets().get(0).owner().toString());
        assertTrue(table.get(Name.parse("ftp.example.org"), -1).isEmpty());
    }

    @Test
    void recordsFormRRsetsTypesInTheOrderTheyCameAndTheFirstTtlStands() {
        NodeTable table = table(List.of(a(WWW, 60, "192.0.2.1"),
                ResourceRecord.in(WWW, 30, RData.Txt.of("hello")), a(WWW, 90, "192.0.2.2")));
        List<Snapshot.RRset> rrsets = table.get(WWW, -1).orElseThrow().rrsets();
        assertEquals(List.of(RRType.A, RRType.TXT), rrsets.stream().map(Snapshot.RRset::type).toList());
        assertEquals(60, rrsets.get(0).ttl());
        assertEquals(List.of(RData.A.parse("192.0.2.1"), RData.A.parse("192.0.2.2")), rrsets.get(0).data());
    }

    @Test
    void aGivenTtlReplacesTheRecordsOwn() {
        NodeTable table = table(List.of(a(WWW, 60, "192.0.2.1")));
        assertEquals(300, table.get(WWW, 300).orElseThrow().rrsets().get(0).ttl());
    }

    @Test
    void aDuplicateIsLeftOutForAFewRecordsAndForMany() {
        NodeTableBuilder builder = new NodeTableBuilder();
        for (int i = 0; i < 50; i++) {
            assertTrue(builder.add(WWW, RRType.A, 60, RData.A.parse("192.0.2." + i), AnswerSource.ZONE));
            assertFalse(builder.add(WWW, RRType.A, 60, RData.A.parse("192.0.2." + i / 2), AnswerSource.ZONE),
                    "after " + i);
        }
        assertEquals(50, builder.records());
        assertEquals(50, builder.build().get(WWW, -1).orElseThrow().rrsets().get(0).data().size());
    }

    @Test
    void recordsBeyondTheFirstChunkOfOctetsReadBackAndDuplicatesAcrossChunksAreFound() {
        NodeTableBuilder builder = new NodeTableBuilder();
        int records = 2 * ChunkedBytes.CHUNK / 60_000 + 3; // a little over two chunks of large TXT records
        for (int i = 0; i < records; i++) {
            assertTrue(builder.add(WWW, RRType.TXT, 60, largeTxt(i), AnswerSource.ZONE));
        }
        for (int i = 0; i < records; i += 97) {
            assertFalse(builder.add(WWW, RRType.TXT, 60, largeTxt(i), AnswerSource.ZONE), "record " + i);
        }
        List<RData> data = builder.build().get(WWW, -1).orElseThrow().rrsets().get(0).data();
        assertEquals(records, data.size());
        for (int i = 0; i < records; i++) {
            assertEquals(largeTxt(i), data.get(i), "record " + i);
        }
    }

    /** About 60,000 octets of RDATA, different for each {@code i}. */
    private static RData largeTxt(int i) {
        List<String> strings = new ArrayList<>();
        for (int s = 0; s < 235; s++) {
            strings.add(String.valueOf((char) ('a' + (i + s) % 26)).repeat(254));
        }
        strings.add(Integer.toString(i));
        return RData.Txt.of(strings.toArray(String[]::new));
    }

    @Test
    void addReportsTheFirstTypeAtTheOwnerBeforeIt() {
        NodeTableBuilder builder = new NodeTableBuilder();
        RData.Cname cname = new RData.Cname(Name.parse("elsewhere.example"));
        assertEquals(NodeTableBuilder.FIRST_AT_OWNER, builder.addReportingFirstType(WWW, RRType.CNAME, 60, cname,
                AnswerSource.ZONE));
        assertEquals(RRType.CNAME.value(), builder.addReportingFirstType(WWW, RRType.A, 60,
                RData.A.parse("192.0.2.1"), AnswerSource.ZONE));
        assertEquals(NodeTableBuilder.DUPLICATE, builder.addReportingFirstType(WWW, RRType.CNAME, 60, cname,
                AnswerSource.ZONE));
    }

    @Test
    void ancestorsBecomeEmptyNonTerminalsUpToAndWithTheCeiling() {
        NodeTableBuilder builder = new NodeTableBuilder();
        builder.add(Name.parse("a.b.c.example.org"), RRType.A, 60, RData.A.parse("192.0.2.1"), AnswerSource.ZONE);
        builder.addEmptyNonTerminals(name -> Name.parse("example.org"));
        NodeTable table = builder.build();
        assertTrue(table.get(Name.parse("b.c.example.org"), -1).orElseThrow().rrsets().isEmpty());
        assertTrue(table.get(Name.parse("c.example.org"), -1).orElseThrow().rrsets().isEmpty());
        assertTrue(table.get(Name.parse("example.org"), -1).orElseThrow().rrsets().isEmpty(), "the ceiling too");
        assertTrue(table.get(Name.parse("org"), -1).isEmpty(), "nothing above it");
        assertEquals(4, table.names());
    }

    @Test
    void theDigestIgnoresOrderAndCaseButNotContent() {
        ResourceRecord one = a(WWW, 60, "192.0.2.1");
        ResourceRecord two = a(Name.parse("ftp.example.org"), 60, "192.0.2.2");
        long digest = table(List.of(one, two)).digest();
        assertEquals(digest, table(List.of(two, one)).digest());
        assertEquals(digest, table(List.of(a(Name.parse("WWW.example.org"), 60, "192.0.2.1"), two)).digest());
        assertNotEquals(digest, table(List.of(a(WWW, 61, "192.0.2.1"), two)).digest());
        assertNotEquals(digest, table(List.of(a(WWW, 60, "192.0.2.3"), two)).digest());
    }

    @Provide
    Arbitrary<List<ResourceRecord>> records() {
        Arbitrary<Name> owners = Arbitraries.of(Name.parse("a.example"), Name.parse("b.example"),
                Name.parse("B.EXAMPLE"), Name.parse("c.a.example"), Name.ROOT);
        Arbitrary<ResourceRecord> records = Combinators.combine(owners, Arbitraries.longs().between(0, Ttl.MAX),
                MessageArbitraries.rdataIn().filter(d -> !(d instanceof RData.Opt))).as(ResourceRecord::in);
        return records.list().ofMaxSize(40);
    }

    /**
     * The table answers as a map of names to RRsets in the order given would (the model), a name's RRSIG records
     * split by TTL (each keeps the TTL of the RRset it covers).
     */
    @Property(tries = 300)
    void everyNameAnswersWhatAMapWouldHold(@ForAll("records") List<ResourceRecord> records) {
        Map<Name, Map<List<Object>, List<RData>>> model = new LinkedHashMap<>();
        Map<List<Object>, Long> ttls = new LinkedHashMap<>();
        for (ResourceRecord record : records) {
            List<Object> rrsetKey = rrsetKey(record.type(), record.ttl());
            List<RData> rrset = model.computeIfAbsent(record.name(), n -> new LinkedHashMap<>())
                    .computeIfAbsent(rrsetKey, t -> new ArrayList<>());
            if (!rrset.contains(record.data())) {
                rrset.add(record.data());
            }
            ttls.putIfAbsent(List.of(record.name(), rrsetKey), record.ttl());
        }
        NodeTable table = table(records);
        assertEquals(model.size(), table.names());
        model.forEach((name, rrsetKeys) -> {
            List<Snapshot.RRset> rrsets = table.get(name, -1).orElseThrow().rrsets();
            assertEquals(List.copyOf(rrsetKeys.keySet()),
                    rrsets.stream().map(r -> rrsetKey(r.type(), r.ttl())).toList());
            for (Snapshot.RRset rrset : rrsets) {
                List<Object> rrsetKey = rrsetKey(rrset.type(), rrset.ttl());
                assertEquals(rrsetKeys.get(rrsetKey), rrset.data());
                assertEquals(ttls.get(List.of(name, rrsetKey)), rrset.ttl());
            }
        });
    }

    /** What tells a name's RRsets apart: the type, and for RRSIG the TTL too. */
    private static List<Object> rrsetKey(RRType type, long ttl) {
        return type.equals(RRType.RRSIG) ? List.of(type, ttl) : List.of(type);
    }

    /** Hosts host0 .. host(n-1) under example.org, one address each, the address of host i being 10.x.y.z for i. */
    private static List<ResourceRecord> hosts(int n) {
        List<ResourceRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(a(Name.parse("host" + i + ".example.org"), 300,
                    "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)));
        }
        return records;
    }

    @Test
    void aLargeTableLiesInManyPagesAndEveryNameAndRecordIsStillThere() {
        NodeTable table = table(hosts(50_000));
        assertTrue(table.pages().length > 20, table.pages().length + " pages");
        for (int i = 0; i < 50_000; i += 97) {
            assertTrue(table.get(Name.parse("HOST" + i + ".example.org"), -1).isPresent(), "host" + i);
        }
        int[] rrsets = {0};
        table.forEachRRset(rrset -> rrsets[0]++);
        assertEquals(50_000, rrsets[0]);
        RecordCursor cursor = new RecordCursor(table);
        int names = 0;
        while (cursor.next() != null) {
            names++;
        }
        assertEquals(table.names(), names, "the cursor visits every name once, page after page");
    }

    @Test
    void theTagTakesTheBitsThePageIndexLeavesFreeAndNoneWhenItNeedsThemAll() {
        assertEquals(-1 << 17, NodeTable.tagMask(1));
        assertEquals(-1 << 27, NodeTable.tagMask(2048));
        assertEquals(-1 << 28, NodeTable.tagMask(2049));
        assertEquals(0, NodeTable.tagMask(NodeTable.MAX_PAGES));
    }

    @Test
    void aNameAbsentFromALargeTableIsNotFoundThoughItsProbesMeetOthers() {
        NodeTable table = table(hosts(50_000));
        for (int i = 50_000; i < 60_000; i++) {
            assertTrue(table.get(Name.parse("host" + i + ".example.org"), -1).isEmpty(), "host" + i);
        }
    }

    @Test
    void theNamesHoldingNsAreCounted() {
        List<ResourceRecord> records = new ArrayList<>(hosts(10));
        records.add(ResourceRecord.in(Name.parse("example.org"), 60, new RData.Ns(Name.parse("ns.example.org"))));
        records.add(ResourceRecord.in(Name.parse("example.org"), 60, new RData.Ns(Name.parse("ns2.example.org"))));
        records.add(ResourceRecord.in(Name.parse("sub.example.org"), 60, new RData.Ns(Name.parse("ns.sub.org"))));
        assertEquals(2, table(records).nsOwners());
        assertEquals(0, table(hosts(10)).nsOwners());
    }

    @Test
    void aNewVersionSharesEveryPageExceptTheOnesItsChangesAreIn() {
        List<ResourceRecord> before = hosts(50_000);
        List<ResourceRecord> after = new ArrayList<>(before);
        after.set(10_000, a(Name.parse("host10000.example.org"), 300, "192.0.2.1")); // a changed address
        after.remove(30_000); // a name gone
        after.add(40_000, a(Name.parse("new.example.org"), 300, "192.0.2.2")); // a name added in the middle
        NodeTable old = table(before);
        NodeTable next = PageSharing.share(table(after), old);

        assertTrue(PageSharing.shared(next, old) >= next.pages().length - 4,
                PageSharing.shared(next, old) + " of " + next.pages().length + " pages shared");
        assertEquals(List.of(RData.A.parse("192.0.2.1")),
                next.get(Name.parse("host10000.example.org"), -1).orElseThrow().rrsets().get(0).data());
        assertTrue(next.get(Name.parse("host30000.example.org"), -1).isEmpty());
        assertTrue(next.get(Name.parse("new.example.org"), -1).isPresent());
        assertEquals(table(after).records(), next.records(), "sharing changes nothing the table holds");
        assertTrue(old.get(Name.parse("host30000.example.org"), -1).isPresent(), "and nothing of the old one");
    }

    @Test
    void aVersionWithNothingInCommonSharesNothing() {
        NodeTable old = table(hosts(5_000));
        List<ResourceRecord> other = new ArrayList<>();
        hosts(5_000).forEach(r -> other.add(ResourceRecord.in(r.name(), 60, r.data())));
        NodeTable next = PageSharing.share(table(other), old);
        assertEquals(0, PageSharing.shared(next, old));
    }
}
