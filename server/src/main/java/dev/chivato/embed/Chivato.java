package dev.chivato.embed;

import dev.chivato.protocol.Name;
import dev.chivato.server.DataSources;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Cidr;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.dnstap.ExchangeTap;
import dev.chivato.server.forward.Forwarding;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.Server;
import dev.chivato.server.network.ServerConfig;
import dev.chivato.server.network.Service;
import dev.chivato.server.transfer.TransferAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A chivato DNS server started inside a test's JVM: the same engine, exchange path and codec as the command line, on
 * 127.0.0.1 and a free port (UDP and TCP), recording every query it answers and failing on cue.
 *
 * <pre>{@code
 * try (Chivato dns = Chivato.builder().record("192.0.2.1 db.internal").start()) {
 *     // point the code under test at dns.address()
 *     RecordedQuery q = dns.takeQuery(Duration.ofSeconds(1));
 *     assertEquals("db.internal.", q.name());
 * }
 * }</pre>
 *
 * <p>Safe to use from any thread. The recorded queries are bounded ({@link Builder#keepQueries}, 10,000 by
 * default): past that the oldest are dropped and counted ({@link #droppedQueries()}).
 */
public final class Chivato implements AutoCloseable {
    /** Queries kept by default. */
    public static final int DEFAULT_KEPT_QUERIES = 10_000;

    private final Server server;
    private final QueryLog log;
    private final QueryRecorder recorder;
    private final FaultTable faults;
    private final InetSocketAddress address;

    private Chivato(Server server, QueryLog log, QueryRecorder recorder, FaultTable faults) {
        this.server = server;
        this.log = log;
        this.recorder = recorder;
        this.faults = faults;
        this.address = server.udpAddress();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where it listens: 127.0.0.1 and its port, the same for UDP and TCP. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /**
     * The oldest query answered and not yet taken, in the order they were answered, waiting up to {@code wait} for
     * one; null when none came in time (or the thread was interrupted, whose flag stays set).
     */
    public RecordedQuery takeQuery(Duration wait) {
        try {
            return recorder.take(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Every query answered so far (since start or {@link #clearQueries()}), oldest first, taken or not. A query is
     * recorded before its answer is sent: a client that holds its answer finds its query here.
     */
    public List<RecordedQuery> queries() {
        return recorder.all();
    }

    /** Forgets the queries recorded so far, taken or not. */
    public void clearQueries() {
        recorder.clear();
    }

    /** Queries dropped from the record because more than it keeps came, since start. */
    public long droppedQueries() {
        return recorder.dropped();
    }

    /**
     * From now on {@code name} and every name below it fail as {@code fault} says, until {@link #clearFaults()} (or
     * its count is used up, {@link Fault#times}); a fault set later for a name covering the same query wins.
     */
    public void fault(String name, Fault fault) {
        Objects.requireNonNull(fault, "fault");
        faults.set(Name.parse(name), fault);
    }

    /** Every name is answered as usual again. */
    public void clearFaults() {
        faults.clear();
    }

    /** Stops serving (within two seconds) and flushes the query log. */
    @Override
    public void close() {
        server.close();
        try {
            log.close();
        } catch (QueryLog.LostEntriesException e) {
            // the log is the test's own: what it lost it was told as it went
        }
    }

    /** What the server serves and how it logs; {@link #start()} makes it. Not thread-safe. */
    public static final class Builder {
        private final List<String> records = new ArrayList<>();
        private final List<String[]> zones = new ArrayList<>();
        private final List<String> forwards = new ArrayList<>();
        private Consumer<String> logLines;
        private LogFormat logFormat = LogFormat.TEXT;
        private int keptQueries = DEFAULT_KEPT_QUERIES;
        private long ttl = 300;
        private Optional<QueryHandler.UnknownPolicy> unknown = Optional.empty();

        private Builder() {
        }

        /**
         * Serves a hosts line, as {@code --record}: the address first, then one or more names
         * ({@code "192.0.2.1 db.internal"}); its PTR record comes with it.
         */
        public Builder record(String hostsLine) {
            records.add(Objects.requireNonNull(hostsLine, "hostsLine"));
            return this;
        }

        /** Serves a zone, as {@code --zone}: its origin and its RFC 1035 text (an SOA at the origin, and the rest). */
        public Builder zone(String origin, String zoneText) {
            zones.add(new String[] {Objects.requireNonNull(origin, "origin"),
                    Objects.requireNonNull(zoneText, "zoneText")});
            return this;
        }

        /** Forwards the names it does not hold, as {@code --forward}: {@code "127.0.0.1:5353"} or {@code "DOMAIN=ADDR"}. */
        public Builder forward(String upstream) {
            forwards.add(Objects.requireNonNull(upstream, "upstream"));
            return this;
        }

        /** The query log's lines (text, as the command line writes them) go to {@code lines}; null turns it off. */
        public Builder logTo(Consumer<String> lines) {
            this.logLines = lines;
            return this;
        }

        /** The query log in {@code format}: {@code "text"}, {@code "json"} or {@code "explain"} (with logTo). */
        public Builder logFormat(String format) {
            try {
                this.logFormat = LogFormat.valueOf(format.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("logFormat: text, json or explain, not " + format);
            }
            return this;
        }

        /** Keeps at most {@code queries} recorded queries (10,000 by default); older ones are dropped and counted. */
        public Builder keepQueries(int queries) {
            if (queries < 1) {
                throw new IllegalArgumentException("keepQueries: 1 or more, not " + queries);
            }
            this.keptQueries = queries;
            return this;
        }

        /** The TTL of the records given by {@link #record} (300 seconds by default), as {@code --ttl}. */
        public Builder ttl(Duration ttl) {
            long seconds = ttl.getSeconds();
            if (seconds < 0 || seconds > 0x7fffffffL) {
                throw new IllegalArgumentException("ttl: 0 to 2^31-1 seconds, not " + ttl);
            }
            this.ttl = seconds;
            return this;
        }

        /**
         * The answer for names under no zone and with no records, as {@code --unknown}: {@code "nxdomain"} (the
         * default with records only) or {@code "refuse"} (the default once a zone is served, as NSD and Knot do).
         */
        public Builder unknown(String answer) {
            this.unknown = Optional.of(QueryHandler.UnknownPolicy.parse(answer));
            return this;
        }

        /**
         * Loads what was given and starts serving on 127.0.0.1 and a free port.
         *
         * @throws IllegalArgumentException for a record, zone or upstream that cannot be used, saying where
         * @throws UncheckedIOException     when the sockets cannot be opened
         */
        public Chivato start() {
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            Forwarding forwarding = forwarding(loopback);
            QueryHandler handler = load(forwarding);
            QueryLog log = logLines == null ? QueryLog.off()
                    : QueryLog.writingTo(new LineSink(logLines), logFormat, QueryLog.Overflow.BLOCK, logLines);
            Consumer<String> warnings = logLines == null ? System.err::println : logLines;
            Service service = new Service(handler, log, warnings, null, ExchangeTap.OFF);
            QueryRecorder recorder = new QueryRecorder(keptQueries);
            FaultTable faults = new FaultTable();
            service.witness(recorder);
            service.injectFaults(faults);
            ServerConfig config = ServerConfig.of(List.of(loopback), 1).withForwarding(forwarding);
            try {
                return new Chivato(Server.start(config, service), log, recorder, faults);
            } catch (IOException e) {
                closeQuietly(log);
                throw new UncheckedIOException("chivato: " + e.getMessage(), e);
            }
        }

        private Forwarding forwarding(InetSocketAddress loopback) {
            if (forwards.isEmpty()) {
                return Forwarding.none();
            }
            return new Forwarding(Forwarding.routes(forwards), Forwarding.localClients(List.of(loopback)),
                    Forwarding.TRY_TIMEOUT, Forwarding.DEADLINE, Forwarding.MAX_PENDING, false,
                    Forwarding.CacheLimits.DEFAULT);
        }

        /** The engine over the records and zones, as the command line's {@code --record} and {@code --zone}. */
        private QueryHandler load(Forwarding forwarding) {
            DataSources sources = new DataSources(List.of(), records, List.of(), ttl, false, unknown,
                    forwarding::forwards);
            sources.allowTransfers(new TransferAccess(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1")),
                    false));
            try {
                for (String[] zone : zones) {
                    sources.serveZone(ZoneFile.parse("zone " + zone[0], zone[1], Optional.of(Name.parse(zone[0])),
                            Path.of("")));
                }
                return sources.load();
            } catch (FileProblem e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }

        private static void closeQuietly(QueryLog log) {
            try {
                log.close();
            } catch (QueryLog.LostEntriesException e) {
                // nothing was logged yet
            }
        }
    }
}
