package dev.chivato.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForwardCacheTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Question QUESTION = new Question(Name.parse("www.example"), RRType.A, RRClass.IN);

    private static ForwardKey key(String name) {
        return new ForwardKey(Name.parse(name), 1, 1, true, false, false);
    }

    private static Message response(Rcode rcode, boolean truncated, List<ResourceRecord> answers,
            List<ResourceRecord> authority) {
        Header header = new Header(1, true, Opcode.QUERY, false, truncated, true, true, false, false, false, rcode);
        return new Message(header, List.of(QUESTION), answers, authority, List.of(), Optional.empty());
    }

    private static UpstreamAnswer answer(Message response, long now) {
        return UpstreamAnswer.of(response, QUESTION, now, 86_400);
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

    /** A client's reply written from what is kept, at {@code now}, decoded. */
    private static Message replyAt(UpstreamAnswer answer, long now) throws Exception {
        byte[] query = Message.query(7, true, new Question(Name.parse("WWW.example"), RRType.A, RRClass.IN),
                Optional.of(Edns.of(1232, false))).toWire();
        ByteBuffer out = ByteBuffer.allocate(2048);
        int length = ClientReply.write(ByteBuffer.wrap(query), QueryView.of(query), answer, out, 1232, now);
        return Message.decode(ByteBuffer.wrap(out.array(), 0, length));
    }

    @Test
    void anAnswerLivesForItsSmallestTtlCountedDownOnTheWayOut() throws Exception {
        ForwardCache cache = cache(10, 1 << 20);
        cache.store(key("www.example"), answer(response(Rcode.NOERROR, false, List.of(a(30)), List.of()), 0), 0);
        UpstreamAnswer kept = (UpstreamAnswer) cache.find(key("WWW.Example"), 10 * SECOND);
        assertNotNull(kept, "found without regard to case");
        Message reply = replyAt(kept, 10 * SECOND);
        assertEquals(20, reply.answers().get(0).ttl());
        assertEquals(7, reply.header().id());
        assertTrue(reply.questions().get(0).name().equalsExactly(Name.parse("WWW.example")), "the client's spelling");
        assertNull(cache.find(key("www.example"), 30 * SECOND));
    }

    @Test
    void aNegativeAnswerLivesForTheLesserOfSoaTtlAndMinimumAndNotAtAllWithoutSoa() {
        ForwardCache cache = cache(10, 1 << 20);
        cache.store(key("nx"), answer(response(Rcode.NXDOMAIN, false, List.of(), List.of(soa(5, 60))), 0), 0);
        assertNotNull(cache.find(key("nx"), 4 * SECOND));
        assertNull(cache.find(key("nx"), 5 * SECOND));
        cache.store(key("nosoa"), answer(response(Rcode.NXDOMAIN, false, List.of(), List.of()), 0), 0);
        assertNull(cache.find(key("nosoa"), 0));
        cache.store(key("long"), answer(response(Rcode.NOERROR, false, List.of(), List.of(soa(86_400, 86_400))), 0),
                0);
        assertNull(cache.find(key("long"), UpstreamAnswer.MAX_NEGATIVE_TTL * SECOND), "at most an hour");
    }

    @Test
    void truncatedAndRefusedAnswersAreNotKept() {
        ForwardCache cache = cache(10, 1 << 20);
        cache.store(key("tc"), answer(response(Rcode.NOERROR, true, List.of(a(30)), List.of()), 0), 0);
        cache.store(key("refused"), answer(response(Rcode.REFUSED, false, List.of(), List.of()), 0), 0);
        assertEquals(0, cache.size());
    }

    @Test
    void failuresAreKeptOneSecondThenTwiceAsLongEachTime() {
        ForwardCache cache = cache(10, 1 << 20);
        cache.store(key("f"), null, 0);
        assertSame(ForwardCache.FAILURE, cache.find(key("f"), SECOND / 2));
        assertNull(cache.find(key("f"), SECOND));
        cache.store(key("f"), null, SECOND);
        assertNotNull(cache.find(key("f"), SECOND * 5 / 2), "two seconds the second time");
        assertNull(cache.find(key("f"), SECOND * 3));
    }

    @Test
    void answersAskedWithCdRdOrDoAreKeptApart() {
        ForwardCache cache = cache(10, 1 << 20);
        ForwardKey withCd = new ForwardKey(Name.parse("www.example"), 1, 1, true, true, false);
        cache.store(withCd, answer(response(Rcode.NOERROR, false, List.of(a(30)), List.of()), 0), 0);
        assertNotNull(cache.find(withCd, 0));
        for (ForwardKey other : List.of(new ForwardKey(Name.parse("www.example"), 1, 1, true, false, false),
                new ForwardKey(Name.parse("www.example"), 1, 1, false, true, false),
                new ForwardKey(Name.parse("www.example"), 1, 1, true, true, true))) {
            assertNull(cache.find(other, 0), other.toString());
        }
    }

    @Test
    void theLeastRecentlyUsedGoesFirstWhenEntriesOrOctetsRunOut() {
        ForwardCache byCount = cache(2, 1 << 20);
        UpstreamAnswer one = answer(response(Rcode.NOERROR, false, List.of(a(30)), List.of()), 0);
        byCount.store(key("a"), one, 0);
        byCount.store(key("b"), one, 0);
        byCount.find(key("a"), 0);
        byCount.store(key("c"), one, 0);
        assertTrue(byCount.find(key("a"), 0) != null && byCount.find(key("b"), 0) == null);
        ForwardCache byOctets = cache(100, 1000);
        for (int i = 0; i < 10; i++) {
            byOctets.store(key("k" + i), one, 0);
        }
        assertTrue(byOctets.octets() <= 1000, byOctets.octets() + " octets held");
        assertTrue(byOctets.size() < 10, byOctets.size() + " entries");
    }

    /**
     * The cache counts what it holds: an answer of a thousand empty TXT records is a few octets a record, not the
     * objects a decoded message would take (eight times its wire length).
     */
    @Test
    void theOctetsCountedAreTheOctetsHeld() {
        List<ResourceRecord> empty = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            empty.add(ResourceRecord.in(Name.parse("www.example"), 30, new RData.Txt(List.of(new byte[0]))));
        }
        UpstreamAnswer big = answer(response(Rcode.NOERROR, false, empty, List.of()), 0);
        assertTrue(big.octets() < 1000 * 24, big.octets() + " octets for 1000 records of 13 octets");
        assertTrue(big.octets() >= 1000 * 13, big.octets() + " octets");
    }

    @Test
    void aTtlWithItsTopBitSetIsZero() throws Exception {
        UpstreamAnswer kept = answer(response(Rcode.NOERROR, false, List.of(a(0x80000000L), a(30)), List.of()), 0);
        assertEquals(0, kept.keepSeconds(), "RFC 2181 section 8: read as zero, so not kept");
        assertEquals(0, replyAt(kept, 0).answers().get(0).ttl());
    }

    @Test
    void theUpstreamsOptAndTsigNeverReachAClient() throws Exception {
        ResourceRecord tsig = new ResourceRecord(Name.parse("key"), RRClass.ANY, 0,
                new RData.Unknown(RRType.TSIG, new byte[1400]));
        Message signed = new Message(response(Rcode.NOERROR, false, List.of(a(30)), List.of()).header(),
                List.of(QUESTION), List.of(a(30)), List.of(), List.of(tsig), Optional.of(Edns.of(4096, true)));
        Message reply = replyAt(answer(signed, 0), 0);
        assertTrue(reply.additional().isEmpty(), reply.toString());
        assertEquals(1232, reply.edns().orElseThrow().udpPayloadSize(), "our OPT, not theirs");
        assertEquals(false, reply.edns().orElseThrow().dnssecOk(), "the client's DO");
    }
}
