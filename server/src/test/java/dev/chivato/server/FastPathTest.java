package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.chivato.protocol.Captures;
import dev.chivato.protocol.Edns;
import dev.chivato.protocol.EdnsOption;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import java.nio.ByteBuffer;
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

/** The fast path gives the very answers the handler gives, for every query it takes. */
class FastPathTest {
    private static final List<String> NAMES = List.of("example.com", "example.my", "big.example.com",
            "six.example.com", "5.3.2.1.in-addr.arpa", "4.3.2.1.in-addr.arpa", "com", "nowhere.com", "a.b.c",
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");

    private static byte[] slow(QueryHandler handler, byte[] query, Transport transport) throws WireFormatException {
        Message message = Message.decode(query);
        Message response = handler.handle(message, transport).response().orElseThrow();
        ByteBuffer out = ByteBuffer.allocate(0xffff);
        int length = response.encode(out, PacketProcessor.responseLimit(message.edns(), transport));
        return Arrays.copyOf(out.array(), length);
    }

    private static Optional<byte[]> fast(QueryHandler handler, byte[] query, Transport transport) {
        ByteBuffer out = ByteBuffer.allocate(0xffff);
        int length = handler.fastPath().answer(ByteBuffer.wrap(query), out, transport);
        return length == FastPath.NOT_HANDLED ? Optional.empty() : Optional.of(Arrays.copyOf(out.array(), length));
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
                new RRType(65534), RRType.ANY, RRType.AXFR);
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

    private static void assertSameAnswers(QueryHandler handler, Message query) throws WireFormatException {
        byte[] wire = query.toWire();
        for (Transport transport : Transport.values()) {
            Optional<byte[]> fast = fast(handler, wire, transport);
            Statistics.label("fast path taken").collect(fast.isPresent());
            if (fast.isEmpty()) {
                continue;
            }
            byte[] slow = slow(handler, wire, transport);
            assertArrayEquals(slow, fast.get(), transport + " octet for octet");
        }
    }

    private static final QueryHandler ANSWERING =
            new QueryHandler(TestServer.seedAndBig(), QueryHandler.UnknownPolicy.NXDOMAIN, false, 300);

    @Property(tries = 3000)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void fastPathAnswersAsTheHandlerDoes(@ForAll("queries") Message query) throws WireFormatException {
        assertSameAnswers(ANSWERING, query);
        // The comparison means something only if the fast path takes a good share of the queries.
        Statistics.label("fast path taken").coverage(c -> c.check(true).percentage(p -> p > 25));
    }

    @Property(tries = 500)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void fastPathRefusesAsTheHandlerDoes(@ForAll("queries") Message query) throws WireFormatException {
        assertSameAnswers(new QueryHandler(TestServer.seedAndBig(), QueryHandler.UnknownPolicy.REFUSE, false, 60),
                query);
    }

    @Property(tries = 500)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void fastPathSnitchesAsTheHandlerDoes(@ForAll("queries") Message query) throws WireFormatException {
        assertSameAnswers(new QueryHandler(TestServer.seedAndBig(), QueryHandler.UnknownPolicy.NXDOMAIN, true, 300),
                query);
    }

    @Test
    void realDigQueryTakesTheFastPath() {
        QueryHandler handler = new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.NXDOMAIN, false,
                300);
        for (String capture : List.of("dig-query-a.bin", "kdig-query-a.bin", "drill-query-a.bin",
                "dig-query-ptr.bin")) {
            assertNotEquals(Optional.empty(), fast(handler, Captures.bytes(capture), Transport.UDP), capture);
        }
    }

    @Test
    void unusualQueriesAreLeftToTheHandler() {
        QueryHandler handler = new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.NXDOMAIN, false,
                300);
        Message notify = Message.query(1, false, Question.of("example.com", RRType.A), Optional.empty());
        notify = notify.withHeader(new Header(1, false, Opcode.NOTIFY, false, false, false, false, false, false,
                false, Rcode.NOERROR));
        Message badvers = Message.query(1, false, Question.of("example.com", RRType.A),
                Optional.of(new Edns(1232, 0, 1, false, 0, List.of())));
        Message any = Message.query(1, false, Question.of("example.com", RRType.ANY), Optional.empty());
        for (Message query : List.of(notify, badvers, any)) {
            assertEquals(Optional.empty(), fast(handler, query.toWire(), Transport.UDP), query.toString());
        }
    }
}
