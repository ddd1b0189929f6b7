package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chivato.protocol.Captures;
import dev.chivato.protocol.Edns;
import dev.chivato.protocol.EdnsOption;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.AnswerCache;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.ExchangePath;
import dev.chivato.server.network.Service;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.junit.jupiter.api.Test;

/**
 * The cache holds no rule of its own: for hosts records, a zone and generated queries (mixed-case names, every EDNS
 * shape, both transports), the answer from the cache is the engine's, octet for octet.
 */
class AnswerCacheTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5353);
    private static final List<String> NAMES = List.of("example.com", "example.my", "big.example.com",
            "six.example.com", "5.3.2.1.in-addr.arpa", "4.3.2.1.in-addr.arpa", "com", "nowhere.com", "a.b.c",
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "www.example.org",
            "alias.example.org", "example.org", "x.wild.example.org", "host.sub.example.org", "nowhere.example.org",
            "_sip._udp.example.org", "a\\.b.example.org");

    private static ZoneFile.Zone zone() {
        try {
            return ZoneFile.read(Path.of(AnswerCacheTest.class.getResource("/zones/example.org.zone").toURI()),
                    Optional.empty());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static QueryHandler handler(QueryHandler.UnknownPolicy unknown, boolean snitch) {
        return new QueryHandler(TestServer.seedAndBig(), List.of(zone()), unknown, snitch, 300);
    }

    /** The engine's own answer: decode, handle, encode, nothing cached. */
    private static Optional<byte[]> engine(QueryHandler handler, byte[] query, Transport transport) throws Exception {
        Message message = Message.decode(query);
        Optional<Message> response = handler.handle(message, transport).response();
        if (response.isEmpty()) {
            return Optional.empty();
        }
        ByteBuffer out = ByteBuffer.allocate(0xffff);
        int length = response.get().encode(out, dev.chivato.server.answer.QueryHandler.responseLimit(message.edns(), transport));
        return Optional.of(Arrays.copyOf(out.array(), length));
    }

    /**
     * The exchange path's answer, less the COOKIE option it puts last into the OPT record when the query had a cookie
     * (the client's, never kept in the cache): checked to be there, with the query's client cookie, and taken out.
     */
    private static Optional<byte[]> processed(ExchangePath path, byte[] query, Transport transport) {
        ByteBuffer out = ByteBuffer.allocate(0xffff);
        int length = path.answer(ByteBuffer.wrap(query), out, transport, CLIENT);
        if (length < 0) {
            return Optional.empty();
        }
        byte[] answer = Arrays.copyOf(out.array(), length);
        QueryView view;
        try {
            view = QueryView.of(query);
        } catch (WireFormatException e) {
            return Optional.of(answer);
        }
        if (view.cookieOffset() == QueryView.ABSENT) {
            return Optional.of(answer);
        }
        int option = length - 28;
        assertEquals(EdnsOption.COOKIE, ByteBuffer.wrap(answer).getShort(option), "a COOKIE option last");
        assertEquals(24, ByteBuffer.wrap(answer).getShort(option + 2));
        assertArrayEquals(Arrays.copyOfRange(query, view.cookieOffset(), view.cookieOffset() + 8),
                Arrays.copyOfRange(answer, option + 4, option + 12), "the query's client cookie");
        assertEquals(28, ByteBuffer.wrap(answer).getShort(option - 2), "the OPT record's RDLENGTH");
        byte[] withoutCookie = Arrays.copyOf(answer, option);
        withoutCookie[option - 2] = 0;
        withoutCookie[option - 1] = 0;
        return Optional.of(withoutCookie);
    }

    private static ExchangePath path(QueryHandler handler) {
        return ExchangePath.standalone(new Service(handler, QueryLog.off()));
    }

    /** What the version's cache keeps for {@code query}, or null. */
    private static AnswerCache.Entry kept(QueryHandler handler, byte[] query, Transport transport) {
        try {
            return handler.cache().find(ByteBuffer.wrap(query), QueryHandler.cacheKey(QueryView.of(query), transport));
        } catch (WireFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Provide
    Arbitrary<Message> queries() {
        Arbitrary<Name> names = Combinators.combine(Arbitraries.of(NAMES), Arbitraries.longs())
                .as((name, caseBits) -> {
                    char[] chars = name.toCharArray();
                    for (int i = 0; i < chars.length; i++) {
                        if ((caseBits >>> (i % 64) & 1) == 1 && caseBits % 3 == 0) {
                            chars[i] = Character.toUpperCase(chars[i]);
                        }
                    }
                    return Name.parse(new String(chars));
                });
        Arbitrary<RRType> types = Arbitraries.of(RRType.A, RRType.AAAA, RRType.PTR, RRType.MX, RRType.TXT,
                RRType.SRV, RRType.NS, RRType.SOA, new RRType(65534), RRType.ANY, RRType.AXFR);
        Arbitrary<Optional<Edns>> edns = Arbitraries.oneOf(Arbitraries.just(Optional.empty()),
                Combinators.combine(Arbitraries.of(0, 100, 512, 700, 1232, 4096, 65535), Arbitraries.of(true, false),
                        Arbitraries.of(0, 0, 0, 1), Arbitraries.of(List.<EdnsOption>of(),
                                List.of(new EdnsOption(EdnsOption.COOKIE, new byte[8]))))
                        .as((size, dnssec, version, options) -> Optional.of(
                                new Edns(size, 0, version, dnssec, 0, options))));
        Arbitrary<Header> headers = Combinators.combine(Arbitraries.integers().between(0, 0xffff),
                Arbitraries.integers().between(0, 0xffff))
                .as((id, flags) -> Header.fromWire(id, flags & ~0x8000 & ((flags & 0x7) == 0 ? 0xffff : 0x87ff)));
        Arbitrary<RRClass> classes = Arbitraries.of(RRClass.IN, RRClass.IN, RRClass.IN, RRClass.CH, RRClass.ANY);
        return Combinators.combine(headers, names, types, classes, edns)
                .as((header, name, type, rrClass, e) -> new Message(header, List.of(new Question(name, type, rrClass)),
                        List.of(), List.of(), List.of(), e));
    }

    /** Asks twice through one exchange path: the second answer may come from the cache; both must be the engine's. */
    private static void assertCacheGivesTheEngineAnswer(QueryHandler handler, Message query) throws Exception {
        ExchangePath exchanges = path(handler);
        byte[] wire = query.toWire();
        for (Transport transport : Transport.values()) {
            Optional<byte[]> expected = engine(handler, wire, transport);
            Optional<byte[]> first = processed(exchanges, wire, transport);
            boolean cached = kept(handler, wire, transport) != null;
            Statistics.label("answered from the cache").collect(cached);
            Optional<byte[]> second = processed(exchanges, wire, transport);
            assertEquals(expected.isPresent(), second.isPresent());
            if (expected.isPresent()) {
                assertArrayEquals(expected.get(), first.orElseThrow(), transport + " engine through the exchange path");
                assertArrayEquals(expected.get(), second.get(), transport + " from the cache, octet for octet");
            }
        }
    }

    @Property(tries = 3000)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void cachedAnswersAreTheEngines(@ForAll("queries") Message query) throws Exception {
        assertCacheGivesTheEngineAnswer(handler(QueryHandler.UnknownPolicy.NXDOMAIN, false), query);
        // The comparison means something only if a good share of the answers come from the cache.
        Statistics.label("answered from the cache").coverage(c -> c.check(true).percentage(p -> p > 25));
    }

    @Property(tries = 500)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void cachedRefusalsAreTheEngines(@ForAll("queries") Message query) throws Exception {
        assertCacheGivesTheEngineAnswer(handler(QueryHandler.UnknownPolicy.REFUSE, false), query);
    }

    @Property(tries = 500)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void cachedSnitchAnswersAreTheEngines(@ForAll("queries") Message query) throws Exception {
        assertCacheGivesTheEngineAnswer(handler(QueryHandler.UnknownPolicy.NXDOMAIN, true), query);
    }

    @Test
    void realClientQueriesAreCachedAfterTheFirst() {
        for (String capture : List.of("dig-query-a.bin", "kdig-query-a.bin", "drill-query-a.bin",
                "dig-query-ptr.bin")) {
            QueryHandler handler = new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.NXDOMAIN,
                    false, 300);
            ExchangePath exchanges = path(handler);
            byte[] query = Captures.bytes(capture);
            assertNull(kept(handler, query, Transport.UDP), capture);
            processed(exchanges, query, Transport.UDP);
            assertNotNull(kept(handler, query, Transport.UDP), capture);
        }
    }

    @Test
    void unusualQueriesAreLeftToTheEngine() {
        QueryHandler handler = new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.NXDOMAIN, false,
                300);
        ExchangePath exchanges = path(handler);
        Message notify = Message.query(1, false, Question.of("example.com", RRType.A), Optional.empty())
                .withHeader(new Header(1, false, Opcode.NOTIFY, false, false, false, false, false, false, false,
                        Rcode.NOERROR));
        Message badvers = Message.query(1, false, Question.of("example.com", RRType.A),
                Optional.of(new Edns(1232, 0, 1, false, 0, List.of())));
        Message any = Message.query(1, false, Question.of("example.com", RRType.ANY), Optional.empty());
        for (Message query : List.of(notify, badvers, any)) {
            processed(exchanges, query.toWire(), Transport.UDP);
            assertNull(kept(handler, query.toWire(), Transport.UDP), query.toString());
        }
    }

    @Test
    void aLargeTcpAnswerIsKeptToo() throws Exception {
        QueryHandler handler = new QueryHandler(HostileTcpTest.withBigName("big.example", 1000),
                QueryHandler.UnknownPolicy.NXDOMAIN, false, 300);
        ExchangePath exchanges = path(handler);
        byte[] query = Message.query(9, true, Question.of("big.example", RRType.A), Optional.empty()).toWire();
        byte[] first = processed(exchanges, query, Transport.TCP).orElseThrow();
        org.junit.jupiter.api.Assertions.assertTrue(first.length > AnswerCache.MAX_ANSWER, "a 16 KiB answer");
        assertNotNull(kept(handler, query, Transport.TCP));
        assertArrayEquals(engine(handler, query, Transport.TCP).orElseThrow(),
                processed(exchanges, query, Transport.TCP).orElseThrow());
    }
}
