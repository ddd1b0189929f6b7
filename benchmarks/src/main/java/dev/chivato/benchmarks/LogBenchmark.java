package dev.chivato.benchmarks;

import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.LogLine;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The query log's writer-thread work for one entry: a query logged as the server logs dig's query for example.com A
 * (EDNS + cookie), answered NOERROR with two records, formatted as a line of JSON or text into the writer's batch.
 */
@State(Scope.Benchmark)
public class LogBenchmark extends NanosecondBenchmark {
    @Param({"JSON", "TEXT"})
    public LogFormat format;

    private LogEntry.Query entry;
    private final LogLine line = new LogLine(1 << 12);

    @Setup
    public void setUp() {
        entry = new LogEntry.Query(1_795_000_000_123L, Transport.UDP,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 53_211), Fixtures.capture("dig-query-a.bin"),
                0, 2, AnswerSource.RECORDS, false, 71, 3, Optional.empty(), Optional.empty());
    }

    @Benchmark
    public int formatQueryEntry() {
        line.setLength(0);
        format.appendTo(line, entry);
        return line.length();
    }
}
