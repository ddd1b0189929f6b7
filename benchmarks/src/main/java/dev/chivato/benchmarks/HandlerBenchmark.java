package dev.chivato.benchmarks;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.RData;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.HostEntry;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.Destination;
import dev.chivato.server.network.ExchangePath;
import dev.chivato.server.network.Service;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * The server's whole path, query bytes in to response bytes out, as the event loop runs it (log off): a real dig
 * query for example.com A (EDNS + cookie), or dnsperf's plain one, answered from a store of 3 address records or of
 * 1,000,000. dnsjava does the same work beside it: parse, look up in a map, build the response (with OPT when the
 * query has one), render it within 1232 octets.
 *
 * <p>The heap is touched before the run ({@code AlwaysPreTouch}): in a 6 GB heap that a run never fills, every
 * allocation lands on memory touched for the first time, and the page faults (up to 800 ns a query, measured
 * 2026-12-04) would be measured instead of the code. A server's heap is reused from one collection to the next.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
public class HandlerBenchmark {
    @Param({"3", "1000000"})
    public int records;

    /** dig's query (EDNS and a client cookie, so each answer makes a server cookie), or dnsperf's (no EDNS). */
    @Param({"dig", "plain"})
    public String query;

    private ExchangePath path;
    private ByteBuffer queryBuffer;
    /** Where the answer goes: taken and dropped, as a socket's send would take it. */
    private final Discard sink = new Discard();
    private final InetSocketAddress client = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353);
    private byte[] queryBytes;
    private Map<org.xbill.DNS.Name, List<Record>> dnsjavaStore;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        List<HostEntry> entries = new ArrayList<>(records);
        entries.add(new HostEntry(RData.A.parse("1.2.3.4"), List.of(Name.parse("example.com"))));
        entries.add(new HostEntry(RData.A.parse("1.2.3.5"),
                List.of(Name.parse("example.com"), Name.parse("example.my"))));
        dnsjavaStore = new HashMap<>(records * 2);
        org.xbill.DNS.Name example = org.xbill.DNS.Name.fromString("example.com.");
        dnsjavaStore.put(example, List.of(new ARecord(example, DClass.IN, 300, InetAddress.getByName("1.2.3.4")),
                new ARecord(example, DClass.IN, 300, InetAddress.getByName("1.2.3.5"))));
        for (int i = 3; i < records; i++) {
            String host = "host" + i + ".example.net";
            int address = 0x0a000000 + i;
            entries.add(new HostEntry(new RData.A(address), List.of(Name.parse(host))));
            org.xbill.DNS.Name name = org.xbill.DNS.Name.fromString(host + ".");
            dnsjavaStore.put(name, List.of(new ARecord(name, DClass.IN, 300, InetAddress.getByAddress(new byte[] {
                    (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address}))));
        }
        QueryHandler handler = new QueryHandler(RecordStore.of(entries), QueryHandler.UnknownPolicy.NXDOMAIN,
                false, 300);
        path = ExchangePath.standalone(new Service(handler, QueryLog.off()));
        queryBytes = query.equals("dig") ? Fixtures.capture("dig-query-a.bin")
                : Message.query(0x1234, true, Question.of("example.com", RRType.A), Optional.empty()).toWire();
        queryBuffer = ByteBuffer.allocateDirect(queryBytes.length).put(queryBytes).flip();
    }

    @Benchmark
    public int handle_chivato() {
        path.receive(queryBuffer, Transport.UDP, client, sink);
        return sink.length;
    }

    /** A destination that takes the answer's length and nothing else. */
    private static final class Discard implements Destination {
        int length;

        @Override
        public Optional<String> send(ByteBuffer out, int length) {
            this.length = length;
            return Optional.empty();
        }

        @Override
        public Destination keep() {
            throw new UnsupportedOperationException("nothing waits here");
        }

        @Override
        public void release() {
        }
    }

    @Benchmark
    public byte[] handle_dnsjava() throws IOException {
        org.xbill.DNS.Message request = new org.xbill.DNS.Message(queryBytes);
        Record question = request.getQuestion();
        org.xbill.DNS.Message response = new org.xbill.DNS.Message(request.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (request.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.addRecord(question, Section.QUESTION);
        List<Record> found = dnsjavaStore.get(question.getName());
        if (found == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
            for (Record record : found) {
                if (record.getType() == question.getType()) {
                    response.addRecord(record, Section.ANSWER);
                }
            }
        }
        if (request.getOPT() != null) {
            response.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        }
        return response.toWire(1232);
    }
}
