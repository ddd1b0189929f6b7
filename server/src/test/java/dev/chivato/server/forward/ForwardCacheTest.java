package dev.chivato.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForwardCacheTest {
    private static final long SECOND = 1_000_000_000L;

    private static Message response(Rcode rcode, boolean truncated, List<ResourceRecord> answers,
            List<ResourceRecord> authority) {
        Header header = new Header(1, true, Opcode.QUERY, false, truncated, true, true, false, false, false, rcode);
        return new Message(header, List.of(new Question(Name.parse("www.example"), RRType.A, RRClass.IN)), answers,
                authority, List.of(), Optional.empty());
    }

    private static ResourceRecord a(long ttl) {
        return ResourceRecord.in(Name.parse("www.example"), ttl, RData.A.parse("192.0.2.1"));
    }

    private static ResourceRecord soa(long ttl, long minimum) {
        return ResourceRecord.in(Name.parse("example"), ttl, new RData.Soa(Name.parse("ns.example"),
                Name.parse("host.example"), 1, 7200, 3600, 1209600, minimum));
    }

    private static ForwardCache cache(int entries, long octets) {
        return new ForwardCache(new Forwarding.CacheLimits(entries, octets, 86_400));
    }

    @Test
    void anAnswerLivesForItsSmallestTtlCountedDown() {
        ForwardCache cache = cache(10, 1 << 20);
        cache.store("k", response(Rcode.NOERROR, false, List.of(a(30)), List.of()), 100, 0);
        assertEquals(20, cache.find("k", 10 * SECOND).orElseThrow().answers().get(0).ttl());
        assertTrue(cache.find("k", 30 * SECOND).isEmpty());
    }

    @Test
    void aNegativeAnswerLivesForTheLesserOfSoaTtlAndMinimumAndNotAtAllWithoutSoa() {
        ForwardCache cache = cache(10, 1 << 20);
        cache.store("nx", response(Rcode.NXDOMAIN, false, List.of(), List.of(soa(5, 60))), 100, 0);
        assertTrue(cache.find("nx", 4 * SECOND).isPresent());
        assertTrue(cache.find("nx", 5 * SECOND).isEmpty());
        cache.store("nosoa", response(Rcode.NXDOMAIN, false, List.of(), List.of()), 100, 0);
        assertTrue(cache.find("nosoa", 0).isEmpty());
        cache.store("long", response(Rcode.NOERROR, false, List.of(), List.of(soa(86_400, 86_400))), 100, 0);
        assertTrue(cache.find("long", ForwardCache.MAX_NEGATIVE_TTL * SECOND).isEmpty(), "at most an hour");
    }

    @Test
    void truncatedAndRefusedAnswersAreNotKept() {
        ForwardCache cache = cache(10, 1 << 20);
        cache.store("tc", response(Rcode.NOERROR, true, List.of(a(30)), List.of()), 100, 0);
        cache.store("refused", response(Rcode.REFUSED, false, List.of(), List.of()), 100, 0);
        assertEquals(0, cache.size());
    }

    @Test
    void failuresAreKeptOneSecondThenTwiceAsLongEachTime() {
        ForwardCache cache = cache(10, 1 << 20);
        cache.store("f", null, 0, 0);
        assertEquals(Rcode.SERVFAIL, cache.find("f", SECOND / 2).orElseThrow().rcode());
        assertTrue(cache.find("f", SECOND).isEmpty());
        cache.store("f", null, 0, SECOND);
        assertTrue(cache.find("f", SECOND * 5 / 2).isPresent(), "two seconds the second time");
        assertTrue(cache.find("f", SECOND * 3).isEmpty());
    }

    @Test
    void theLeastRecentlyUsedGoesFirstWhenEntriesOrOctetsRunOut() {
        ForwardCache byCount = cache(2, 1 << 20);
        byCount.store("a", response(Rcode.NOERROR, false, List.of(a(30)), List.of()), 100, 0);
        byCount.store("b", response(Rcode.NOERROR, false, List.of(a(30)), List.of()), 100, 0);
        byCount.find("a", 0);
        byCount.store("c", response(Rcode.NOERROR, false, List.of(a(30)), List.of()), 100, 0);
        assertTrue(byCount.find("a", 0).isPresent() && byCount.find("b", 0).isEmpty());
        ForwardCache byOctets = cache(100, 1000);
        for (int i = 0; i < 10; i++) {
            byOctets.store("k" + i, response(Rcode.NOERROR, false, List.of(a(30)), List.of()), 100, 0);
        }
        assertTrue(byOctets.size() <= 1000 / 356, byOctets.size() + " entries of 356 octets in 1000");
    }
}
