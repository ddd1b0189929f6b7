package dev.chivato.server.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Cidr;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.core.Timers;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.HostsFile;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.forward.ForwardCache;
import dev.chivato.server.forward.Forwarder;
import dev.chivato.server.forward.Forwarding;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.transfer.TransferAccess;
import dev.chivato.server.tsig.TransactionSignature;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * The answer cache's invariant, that no kept answer depends on the client, held with everything on that does depend on
 * the client: forwarding for some clients and not others ({@code --allow-recursion}), transfers allowed to some, TSIG
 * keys. For any query, what one client is sent after another client's same query primed the cache is what it is sent
 * by a path whose cache is empty.
 */
class AnswerCacheInvariantTest {
    private static final InetSocketAddress INSIDE = new InetSocketAddress("127.0.0.1", 5300);
    private static final InetSocketAddress OUTSIDE = new InetSocketAddress("192.0.2.1", 5300);
    private static final TransactionSignature.Key KEY = new TransactionSignature.Key(Name.parse("k.example."),
            Name.parse("hmac-sha256."), "HmacSHA256", new byte[32]);
    private static final List<String> NAMES = List.of("example.com", "host.example.com", "www.example.org",
            "example.org", "nowhere.example.org", "x.wild.example.org", "www.elsewhere.test", "elsewhere.test",
            "com", "nowhere.com");

    private DatagramChannel silent;
    private Selector selector;

    @BeforeProperty
    void openASilentUpstream() throws IOException {
        silent = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        selector = Selector.open();
    }

    @AfterProperty
    void close() throws IOException {
        silent.close();
        selector.close();
    }

    private QueryHandler handler(Forwarding forwarding) throws FileProblem {
        ZoneFile.Zone zone = ZoneFile.parse("org.zone", """
                $ORIGIN example.org.
                $TTL 300
                @    SOA ns1 hostmaster 1 7200 3600 1209600 300
                @    NS  ns1
                ns1  A   192.0.2.53
                www  A   192.0.2.80
                *.wild TXT "wild"
                """, Optional.empty(), Path.of("."));
        RecordStore hosts = RecordStore.of(List.of(HostsFile.parseLine("hosts", 1, "192.0.2.7 host.example.com")
                .orElseThrow()));
        return new QueryHandler(hosts, List.of(zone), QueryHandler.UnknownPolicy.NXDOMAIN, false, 300,
                forwarding::forwards, new TransferAccess(List.of(Cidr.parse("127.0.0.0/8")), false), Map.of());
    }

    /** A path of its own (a new data version, so an empty cache) with a forwarder that never hears back. */
    private ExchangePath path(Forwarding forwarding) throws FileProblem {
        Service service = new Service(handler(forwarding), QueryLog.off());
        service.signWith(List.of(KEY));
        Forwarder forwarder = new Forwarder(selector, forwarding, new ForwardCache(forwarding.cache()), new Timers(),
                task -> { }, Forwarder.Observer.NONE, line -> { }, 16);
        return new ExchangePath(service, forwarder, task -> { }, null);
    }

    /** What {@code client} is sent for {@code query} now: the answer's octets, or "none" while one is owed. */
    private static String sent(ExchangePath path, byte[] query, Transport transport, InetSocketAddress client) {
        Recorder recorder = new Recorder();
        path.receive(ByteBuffer.wrap(query), transport, client, recorder);
        if (recorder.sent().isEmpty()) {
            return recorder.owed() > 0 ? "owed (forwarded)" : "nothing";
        }
        return withoutSignature(recorder.sent().get(0));
    }

    /**
     * The answer as text, its TSIG record reduced to its error: a signature holds the second it was made, so two
     * answers signed a second apart differ there and nowhere else.
     */
    private static String withoutSignature(byte[] answer) {
        try {
            Message message = Message.decode(answer);
            List<dev.chivato.protocol.ResourceRecord> additional = message.additional();
            if (additional.isEmpty() || !additional.get(additional.size() - 1).type().equals(RRType.TSIG)) {
                return Arrays.toString(answer);
            }
            dev.chivato.protocol.ResourceRecord tsig = additional.get(additional.size() - 1);
            return new Message(message.header(), message.questions(), message.answers(), message.authority(),
                    additional.subList(0, additional.size() - 1), message.edns()).toString() + " TSIG error "
                    + TransactionSignature.fields(tsig).orElseThrow().error();
        } catch (dev.chivato.protocol.WireFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Provide
    Arbitrary<byte[]> queries() {
        Arbitrary<Name> names = Arbitraries.of(NAMES).map(Name::parse);
        Arbitrary<RRType> types = Arbitraries.of(RRType.A, RRType.TXT, RRType.SOA, RRType.NS, RRType.AXFR,
                RRType.IXFR, RRType.ANY);
        Arbitrary<Optional<Edns>> edns = Arbitraries.of(Optional.empty(), Optional.of(Edns.of(1232, false)),
                Optional.of(Edns.of(4096, true)));
        Arbitrary<Boolean> rd = Arbitraries.of(true, false);
        Arbitrary<Boolean> signed = Arbitraries.of(false, false, true);
        return Combinators.combine(names, types, edns, rd, signed).as((name, type, e, recursion, sign) -> {
            Message query = new Message(new Header(0x4242, false, dev.chivato.protocol.Opcode.QUERY, false, false,
                    recursion, false, false, false, false, dev.chivato.protocol.Rcode.NOERROR),
                    List.of(new Question(name, type, RRClass.IN)), List.of(), List.of(), List.of(), e);
            if (!sign) {
                return query.toWire();
            }
            ByteBuffer out = ByteBuffer.allocate(4096);
            int length = query.encode(out, 3000);
            length = TransactionSignature.Signer.forRequest(KEY).sign(out, 0, length);
            return Arrays.copyOf(out.array(), length);
        });
    }

    @Property(tries = 400)
    void whatAClientIsSentDoesNotDependOnWhoAskedBefore(@ForAll("queries") byte[] query,
            @ForAll boolean insideFirst, @ForAll boolean tcp) throws Exception {
        Forwarding forwarding = new Forwarding(Forwarding.routes(List.of("elsewhere.test=127.0.0.1:"
                + ((InetSocketAddress) silent.getLocalAddress()).getPort())), List.of(Cidr.parse("127.0.0.0/8")),
                Duration.ofSeconds(1), Duration.ofSeconds(4), 100, false);
        Transport transport = tcp ? Transport.TCP : Transport.UDP;
        InetSocketAddress first = insideFirst ? INSIDE : OUTSIDE;
        InetSocketAddress second = insideFirst ? OUTSIDE : INSIDE;
        ExchangePath primed = path(forwarding);
        sent(primed, query, transport, first);
        List<String> afterPriming = new ArrayList<>();
        afterPriming.add(sent(primed, query, transport, second));
        afterPriming.add(sent(primed, query, transport, first));
        List<String> fresh = new ArrayList<>();
        fresh.add(sent(path(forwarding), query, transport, second));
        fresh.add(sent(path(forwarding), query, transport, first));
        assertEquals(fresh, afterPriming, "the second client's answer, then the first's again");
    }
}
