package dev.chivato.server.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.data.HostsFile;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.data.Snapshot;
import dev.chivato.server.data.ZoneFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The answer rules over a zone and hosts records, one rule per test, with no sockets. */
class LookupTest {
    private static final String ZONE = """
            $ORIGIN example.org.
            $TTL 3600
            @        SOA   ns1 hostmaster 1 7200 3600 1209600 300
            @        NS    ns1
            ns1      A     192.0.2.53
            www      A     192.0.2.80
                     AAAA  2001:db8::80
            alias    CNAME www
            outside  CNAME www.example.net.
            loop1    CNAME loop2
            loop2    CNAME loop1
            dangling CNAME nothing
            @        MX    10 mail
            mail     A     192.0.2.25
            _sip._udp SRV  10 5 5060 sip
            sip      A     192.0.2.60
            *.wild   TXT   "wildcard"
            ent.a.wild A   192.0.2.1
            sub      NS    ns.sub
            ns.sub   A     192.0.2.99
            hidden.sub A   192.0.2.100
            """;

    private static Lookup lookup(QueryHandler.UnknownPolicy unknown) {
        try {
            ZoneFile.Zone zone = ZoneFile.parse("test.zone", ZONE, Optional.empty(), Path.of("."));
            RecordStore hosts = RecordStore.of(List.of(HostsFile.parseLine("hosts", 1, "1.2.3.4 host.example.com")
                    .orElseThrow()));
            return new Lookup(Snapshot.of(hosts, 300, List.of(zone)), unknown);
        } catch (FileProblem e) {
            throw new AssertionError(e);
        }
    }

    private static AnswerPlan plan(String name, RRType type) {
        return lookup(QueryHandler.UnknownPolicy.NXDOMAIN).plan(Question.of(name, type));
    }

    private static List<String> texts(List<ResourceRecord> records) {
        return records.stream().map(r -> r.name() + " " + r.type() + " " + r.data()).toList();
    }

    @Test
    void aZoneSaysItDelegatesOnlyWhenANameBelowItsApexHoldsNs() throws FileProblem {
        ZoneFile.Zone cut = ZoneFile.parse("test.zone", ZONE, Optional.empty(), Path.of("."));
        ZoneFile.Zone flat = ZoneFile.parse("flat.zone", """
                $ORIGIN example.net.
                $TTL 300
                @   SOA ns1 hostmaster 1 7200 3600 1209600 300
                @   NS  ns1
                ns1 A   192.0.2.53
                a.b.c A 192.0.2.1
                """, Optional.empty(), Path.of("."));
        Snapshot both = Snapshot.of(RecordStore.of(List.of()), 300, List.of(cut, flat));
        assertTrue(both.zoneOf(Name.parse("example.org")).orElseThrow().delegates());
        assertFalse(both.zoneOf(Name.parse("example.net")).orElseThrow().delegates());
        Lookup lookup = new Lookup(both, QueryHandler.UnknownPolicy.NXDOMAIN);
        assertEquals(Rcode.NOERROR, lookup.plan(Question.of("a.b.c.example.net", RRType.A)).rcode());
        assertEquals(Rcode.NXDOMAIN, lookup.plan(Question.of("x.b.c.example.net", RRType.A)).rcode());
    }

    @Test
    void anExistingNameAnswersItsRRsetWithAa() {
        AnswerPlan plan = plan("www.example.org", RRType.A);
        assertEquals(Rcode.NOERROR, plan.rcode());
        assertTrue(plan.authoritative());
        assertEquals(List.of("www.example.org. A 192.0.2.80"), texts(plan.answer()));
        assertEquals(AnswerSource.ZONE, plan.source());
    }

    @Test
    void theOwnerIsTheNameAsTheClientWroteIt() {
        assertTrue(plan("WWW.Example.ORG", RRType.A).answer().get(0).name()
                .equalsExactly(Name.parse("WWW.Example.ORG")));
    }

    @Test
    void nodataCarriesTheSoaWithTheNegativeTtl() {
        AnswerPlan plan = plan("www.example.org", RRType.MX);
        assertEquals(Rcode.NOERROR, plan.rcode());
        assertTrue(plan.answer().isEmpty());
        assertEquals(List.of("example.org. SOA ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 300"),
                texts(plan.authority()));
        assertEquals(300, plan.authority().get(0).ttl(), "min(SOA TTL 3600, MINIMUM 300)");
    }

    @Test
    void nxdomainCarriesTheSoa() {
        AnswerPlan plan = plan("nowhere.example.org", RRType.A);
        assertEquals(Rcode.NXDOMAIN, plan.rcode());
        assertTrue(plan.authoritative());
        assertEquals(RRType.SOA, plan.authority().get(0).type());
    }

    @Test
    void aCnameIsFollowedInsideOurData() {
        AnswerPlan plan = plan("alias.example.org", RRType.A);
        assertEquals(List.of("alias.example.org. CNAME www.example.org.", "www.example.org. A 192.0.2.80"),
                texts(plan.answer()));
    }

    @Test
    void aCnameLeavingOurDataEndsTheAnswer() {
        AnswerPlan plan = plan("outside.example.org", RRType.A);
        assertEquals(Rcode.NOERROR, plan.rcode());
        assertEquals(List.of("outside.example.org. CNAME www.example.net."), texts(plan.answer()));
    }

    @Test
    void aCnameLoopIsAnsweredAsFarAsItGoes() {
        AnswerPlan plan = plan("loop1.example.org", RRType.A);
        assertEquals(Rcode.NOERROR, plan.rcode());
        assertEquals(List.of("loop1.example.org. CNAME loop2.example.org.",
                "loop2.example.org. CNAME loop1.example.org."), texts(plan.answer()));
    }

    @Test
    void aCnameToANameThatDoesNotExistIsNxdomainWithTheChain() {
        AnswerPlan plan = plan("dangling.example.org", RRType.A);
        assertEquals(Rcode.NXDOMAIN, plan.rcode());
        assertEquals(1, plan.answer().size());
        assertEquals(RRType.SOA, plan.authority().get(0).type());
    }

    @Test
    void askingForTheCnameItselfGetsIt() {
        assertEquals(List.of("alias.example.org. CNAME www.example.org."),
                texts(plan("alias.example.org", RRType.CNAME).answer()));
    }

    @Test
    void aWildcardAnswersForNamesThatDoNotExistWithTheirOwnName() {
        AnswerPlan plan = plan("anything.wild.example.org", RRType.TXT);
        assertEquals(List.of("anything.wild.example.org. TXT \"wildcard\""), texts(plan.answer()));
        assertEquals(List.of("x.y.wild.example.org. TXT \"wildcard\""),
                texts(plan("x.y.wild.example.org", RRType.TXT).answer()));
    }

    @Test
    void anEmptyNonTerminalBlocksTheWildcard() {
        // a.wild exists (it has a child), so the wildcard does not answer for it (RFC 4592 section 2.2.2)
        AnswerPlan plan = plan("a.wild.example.org", RRType.TXT);
        assertEquals(Rcode.NOERROR, plan.rcode());
        assertTrue(plan.answer().isEmpty());
    }

    @Test
    void belowADelegationIsAReferralWithGlueAndNoAa() {
        AnswerPlan plan = plan("www.sub.example.org", RRType.A);
        assertEquals(Rcode.NOERROR, plan.rcode());
        assertFalse(plan.authoritative());
        assertTrue(plan.answer().isEmpty());
        assertEquals(List.of("sub.example.org. NS ns.sub.example.org."), texts(plan.authority()));
        assertEquals(List.of("ns.sub.example.org. A 192.0.2.99"), texts(plan.additional()));
    }

    @Test
    void dataBelowADelegationIsOccluded() {
        assertFalse(plan("hidden.sub.example.org", RRType.A).authoritative(), "a referral, not the A record");
    }

    @Test
    void mxAndSrvTargetsGetTheirAddressesInAdditional() {
        assertEquals(List.of("mail.example.org. A 192.0.2.25"),
                texts(plan("example.org", RRType.MX).additional()));
        assertEquals(List.of("sip.example.org. A 192.0.2.60"),
                texts(plan("_sip._udp.example.org", RRType.SRV).additional()));
    }

    @Test
    void anyAnswersEveryRRsetOfTheName() {
        assertEquals(List.of("www.example.org. A 192.0.2.80", "www.example.org. AAAA 2001:db8::80"),
                texts(plan("www.example.org", RRType.ANY).answer()));
    }

    @Test
    void hostsRecordsOutsideZonesAnswerAsBefore() {
        assertEquals(List.of("host.example.com. A 1.2.3.4"), texts(plan("host.example.com", RRType.A).answer()));
        AnswerPlan parent = plan("example.com", RRType.A);
        assertEquals(Rcode.NOERROR, parent.rcode());
        assertTrue(parent.authority().isEmpty(), "no SOA outside zones");
        assertEquals(Rcode.NXDOMAIN, plan("nowhere.example.net", RRType.A).rcode());
        assertEquals(Rcode.REFUSED,
                lookup(QueryHandler.UnknownPolicy.REFUSE).plan(Question.of("nowhere.example.net", RRType.A)).rcode());
    }

    @Test
    void aNameInAZoneIsNxdomainWhateverTheUnknownPolicy() {
        assertEquals(Rcode.NXDOMAIN,
                lookup(QueryHandler.UnknownPolicy.REFUSE).plan(Question.of("nowhere.example.org", RRType.A)).rcode());
    }

    @Test
    void theAdditionalSectionTakesNoAddressFromAnotherZoneWeServe() throws FileProblem {
        ZoneFile.Zone org = ZoneFile.parse("org.zone", """
                $ORIGIN example.org.
                @    SOA ns1 hostmaster 1 7200 3600 1209600 300
                @    NS  ns1
                ns1  A   192.0.2.53
                @    MX  10 mail.example.net.
                @    MX  20 mail
                mail A   192.0.2.25
                """, Optional.empty(), Path.of("."));
        ZoneFile.Zone net = ZoneFile.parse("net.zone", """
                $ORIGIN example.net.
                @    SOA ns1 hostmaster 1 7200 3600 1209600 300
                @    NS  ns1
                ns1  A   192.0.2.54
                mail A   198.51.100.25
                """, Optional.empty(), Path.of("."));
        Lookup both = new Lookup(Snapshot.of(RecordStore.of(List.of()), 300, List.of(org, net)),
                QueryHandler.UnknownPolicy.REFUSE);
        AnswerPlan plan = both.plan(Question.of("example.org", RRType.MX));
        assertEquals(List.of("mail.example.org. A 192.0.2.25"), texts(plan.additional()),
                "mail.example.net's address is another zone's: NSD and Knot leave it out too");
    }

    @Test
    void negativeAnswersFromAZoneHaveTheZoneAsTheirSource() {
        assertEquals(AnswerSource.ZONE, plan("nowhere.example.org", RRType.A).source());
        assertEquals(AnswerSource.ZONE, plan("www.example.org", RRType.MX).source());
    }

    @Test
    void dsAtAZoneCutIsAnsweredFromTheParentSideNotReferred() {
        AnswerPlan plan = plan("sub.example.org", RRType.DS);
        assertTrue(plan.authoritative(), "the parent is authoritative for the DS (RFC 4035 3.1.4.1)");
        assertTrue(plan.answer().isEmpty());
        assertEquals(List.of("example.org. SOA"), plan.authority().stream().map(r -> r.name() + " " + r.type())
                .toList(), "NODATA: there is no DS");
        assertFalse(plan("host.sub.example.org", RRType.DS).authoritative(), "below the cut: a referral");
    }
}
