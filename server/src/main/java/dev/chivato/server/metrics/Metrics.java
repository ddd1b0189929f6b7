package dev.chivato.server.metrics;

import dev.chivato.protocol.Rcode;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.dnstap.TapSink;
import dev.chivato.server.forward.Forwarder;
import dev.chivato.server.log.QueryLog;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the server counts, for Prometheus ({@code --metrics}). Each event loop thread counts in arrays of its own, so
 * the hot path touches no shared, contended state; a scrape sums them (a count may show a moment late). Names follow
 * CoreDNS's, with our prefix; query types are the ones CoreDNS names, every other type {@code other}, so that a
 * client cannot create 65,536 series.
 */
public final class Metrics {
    private static final String[] TYPES = {"A", "AAAA", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "SRV", "NAPTR",
        "DS", "DNSKEY", "RRSIG", "NSEC", "NSEC3", "CAA", "SVCB", "HTTPS", "ANY", "AXFR", "IXFR", "other"};
    /** Their numbers (RFC 1035, 3596, 2782, 3403, 4034, 5155, 8659, 9460; 255, 252, 251 the meta-types). */
    private static final int[] TYPE_NUMBERS = {1, 28, 2, 5, 6, 12, 15, 16, 33, 35, 43, 48, 46, 47, 50, 257, 64, 65, 255,
        252, 251};
    private static final int OTHER_TYPE = TYPES.length - 1;
    /** Each of the 65,536 type numbers' place in {@link #TYPES}: a lookup that boxes nothing. */
    private static final byte[] TYPE_INDEX = new byte[0x10000];
    private static final int RCODES = 4096;
    private static final AnswerSource[] SOURCES = AnswerSource.values();

    static {
        Arrays.fill(TYPE_INDEX, (byte) OTHER_TYPE);
        for (int i = 0; i < OTHER_TYPE; i++) {
            TYPE_INDEX[TYPE_NUMBERS[i]] = (byte) i;
        }
    }

    private static final int TRANSPORTS = Transport.values().length;
    /** CoreDNS's buckets: seconds from 0.25 ms doubling to 8.192 s, then +Inf. */
    private static final double[] DURATION_BOUNDS = {0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064,
        0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, Double.POSITIVE_INFINITY};
    /** CoreDNS's buckets for message sizes in octets, then +Inf. */
    private static final double[] SIZE_BOUNDS = {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3,
        64e3, Double.POSITIVE_INFINITY};

    /** A histogram per transport: counts per bucket (not cumulative) and the sum. */
    private static final class Histogram {
        final double[] bounds;
        final long[] counts;
        final double[] sums = new double[TRANSPORTS];

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new long[TRANSPORTS * bounds.length];
        }

        void observe(Transport transport, double value) {
            int bucket = 0;
            while (value > bounds[bucket]) {
                bucket++;
            }
            counts[transport.ordinal() * bounds.length + bucket]++;
            sums[transport.ordinal()] += value;
        }

        void addTo(Histogram total) {
            add(total.counts, counts);
            for (int i = 0; i < TRANSPORTS; i++) {
                total.sums[i] += sums[i];
            }
        }

        HistogramSnapshot snapshot(String name, String help) {
            HistogramSnapshot.Builder builder = HistogramSnapshot.builder().name(name).help(help);
            for (Transport transport : Transport.values()) {
                long[] mine = Arrays.copyOfRange(counts, transport.ordinal() * bounds.length,
                        (transport.ordinal() + 1) * bounds.length);
                builder.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, mine))
                        .sum(sums[transport.ordinal()]).labels(Labels.of("proto", transport.label())).build());
            }
            return builder.build();
        }
    }

    /** Why a TCP connection was closed. */
    public enum Closed {
        /** The client closed it, or reset it, or it was done after a half-close. */
        CLIENT,
        /** Idle, or too slow to send its message or take its answers (slow-loris, stalled reader). */
        TIMEOUT,
        /** It was the longest idle when the connection cap was reached. */
        CAP,
        /** It held the most when all connections together held too much. */
        MEMORY,
        /** An internal error while serving it. */
        ERROR,
        /** The server stopped. */
        SHUTDOWN;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One thread's counts; written by that thread only, with plain stores, each change published by a release store
     * of {@link #published} that the scraping thread reads with an acquire load before it reads the counts: it then
     * sees every change made before that store (one made since may be seen or not: the next scrape has it). On x86
     * both are plain moves: counting costs no fence.
     */
    private static final class Counts {
        private static final VarHandle PUBLISHED;

        static {
            try {
                PUBLISHED = MethodHandles.lookup().findVarHandle(Counts.class, "published", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // through PUBLISHED
        private long published;

        void publish() {
            PUBLISHED.setRelease(this, (long) PUBLISHED.get(this) + 1);
        }

        void acquire() {
            PUBLISHED.getAcquire(this);
        }

        final long[] requests = new long[TRANSPORTS * TYPES.length];
        final long[] responses = new long[RCODES];
        final long[] sources = new long[SOURCES.length];
        final Histogram durations = new Histogram(DURATION_BOUNDS);
        final Histogram requestSizes = new Histogram(SIZE_BOUNDS);
        final Histogram responseSizes = new Histogram(SIZE_BOUNDS);
        long malformed;
        long unsent;
        long rateDropped;
        long rateSlipped;
        long opened;
        long tries;
        final Histogram upstreamDurations = new Histogram(DURATION_BOUNDS);
        final long[] triesFailed = new long[Forwarder.TryFailed.values().length];
        long dropped;
        /** Reloads in which every source read well, and those in which some kept their old version. */
        final long[] reloads = new long[2];
        final long[] closed = new long[Closed.values().length];

        /** Adds these counts to {@code total} (after {@link #acquire}, when they are another thread's). */
        void addTo(Counts total) {
            add(total.requests, requests);
            add(total.responses, responses);
            add(total.sources, sources);
            durations.addTo(total.durations);
            requestSizes.addTo(total.requestSizes);
            responseSizes.addTo(total.responseSizes);
            upstreamDurations.addTo(total.upstreamDurations);
            total.malformed += malformed;
            total.unsent += unsent;
            total.rateDropped += rateDropped;
            total.rateSlipped += rateSlipped;
            total.opened += opened;
            total.tries += tries;
            total.dropped += dropped;
            add(total.triesFailed, triesFailed);
            add(total.reloads, reloads);
            add(total.closed, closed);
        }
    }

    private final List<Counts> all = new CopyOnWriteArrayList<>();
    /** The zones served and their serials, as of the last load. */
    private volatile Map<String, Long> serials = Map.of();
    private final ThreadLocal<Counts> mine = ThreadLocal.withInitial(() -> {
        Counts counts = new Counts();
        all.add(counts);
        return counts;
    });

    /** A query received: its type (or -1 when the question could not be read) and size. */
    public void request(Transport transport, int qtype, int size) {
        int index = qtype < 0 ? OTHER_TYPE : TYPE_INDEX[qtype & 0xffff];
        Counts counts = mine.get();
        counts.requests[transport.ordinal() * TYPES.length + index]++;
        counts.requestSizes.observe(transport, size);
        counts.publish();
    }

    /**
     * A response sent: its full rcode, where its records came from, its size, and the nanoseconds since its query
     * was received.
     */
    public void response(Transport transport, int rcode, AnswerSource source, int size, long nanos) {
        Counts counts = mine.get();
        counts.responses[rcode & (RCODES - 1)]++;
        counts.sources[source.ordinal()]++;
        counts.responseSizes.observe(transport, size);
        counts.durations.observe(transport, nanos / 1e9);
        counts.publish();
    }

    /** The query log whose queue is reported, or null. */
    private volatile QueryLog log;

    /** Reports the query log's queue (depth in entries and octets) and its dropped and lost entries. */
    public void watch(QueryLog queryLog) {
        log = queryLog;
    }

    private volatile TapSink dnstap;

    /** Reports the dnstap queue (depth in events and octets) and its written, dropped and lost frames. */
    public void watch(TapSink sink) {
        dnstap = sink;
    }

    /** The zones served now, with their serials (at start). */
    public void serving(Map<String, Long> zoneSerials) {
        serials = Map.copyOf(zoneSerials);
    }

    /** A reload happened: whether every source read well, and the zones served since. */
    public void reloaded(boolean ok, Map<String, Long> zoneSerials) {
        Counts counts = mine.get();
        counts.reloads[ok ? 0 : 1]++;
        counts.publish();
        serving(zoneSerials);
    }

    private static String label(Forwarder.TryFailed why) {
        return why == Forwarder.TryFailed.ERROR_RCODE ? "servfail_or_refused"
                : why.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A query sent upstream (each try counts). */
    public void forwardTry() {
        Counts counts = mine.get();
        counts.tries++;
        counts.publish();
    }

    public void forwardTryFailed(Forwarder.TryFailed why) {
        Counts counts = mine.get();
        counts.triesFailed[why.ordinal()]++;
        counts.publish();
    }

    /** An upstream's answer taken, over UDP or TCP, {@code nanos} after its try was sent. */
    public void upstreamAnswered(Transport transport, long nanos) {
        Counts counts = mine.get();
        counts.upstreamDurations.observe(transport, nanos / 1e9);
        counts.publish();
    }

    /** An answer from upstream dropped: from elsewhere, with another ID or question, or not DNS. */
    public void forwardDropped() {
        Counts counts = mine.get();
        counts.dropped++;
        counts.publish();
    }

    /** A TCP connection accepted. */
    public void connectionOpened() {
        Counts counts = mine.get();
        counts.opened++;
        counts.publish();
    }

    public void connectionClosed(Closed why) {
        Counts counts = mine.get();
        counts.closed[why.ordinal()]++;
        counts.publish();
    }

    /** A message that did not decode. */
    public void malformed() {
        Counts counts = mine.get();
        counts.malformed++;
        counts.publish();
    }

    /** An answer rate limiting dropped, or slipped (sent empty with TC). */
    public void rateLimited(boolean slipped) {
        Counts counts = mine.get();
        if (slipped) {
            counts.rateSlipped++;
        } else {
            counts.rateDropped++;
        }
        counts.publish();
    }

    /** An answer the socket did not take (a full UDP send buffer, ENOBUFS, an unreachable client): it was lost. */
    public void unsent() {
        Counts counts = mine.get();
        counts.unsent++;
        counts.publish();
    }

    /** The counters summed over every thread, as Prometheus snapshots. */
    MetricSnapshots snapshot() {
        Counts total = new Counts();
        for (Counts counts : all) {
            counts.acquire();
            counts.addTo(total);
        }
        List<MetricSnapshot> snapshots = new ArrayList<>();
        addExchangeCounters(total, snapshots);
        addForwardAndTcpCounters(total, snapshots);
        addQueues(snapshots);
        snapshots.add(total.durations.snapshot("chivato_dns_request_duration_seconds",
                "Time from receiving a query to handing its response to the transport"));
        snapshots.add(total.requestSizes.snapshot("chivato_dns_request_size_bytes", "Size of the queries received"));
        snapshots.add(total.responseSizes.snapshot("chivato_dns_response_size_bytes", "Size of the responses sent"));
        snapshots.add(total.upstreamDurations.snapshot("chivato_forward_upstream_duration_seconds",
                "Round trip of the upstream answers taken, from their try's sending"));
        return new MetricSnapshots(snapshots);
    }

    /** Queries, responses, where answers came from, what did not decode or was not sent, rate limiting, reloads. */
    private void addExchangeCounters(Counts total, List<MetricSnapshot> snapshots) {
        CounterSnapshot.Builder byType = CounterSnapshot.builder().name("chivato_dns_requests")
                .help("Queries received, by transport and query type");
        for (Transport transport : Transport.values()) {
            for (int type = 0; type < TYPES.length; type++) {
                long value = total.requests[transport.ordinal() * TYPES.length + type];
                if (value > 0) {
                    byType.dataPoint(point(value, "proto", transport.label(), "type", TYPES[type]));
                }
            }
        }
        CounterSnapshot.Builder byRcode = CounterSnapshot.builder().name("chivato_dns_responses")
                .help("Responses sent, by response code");
        for (int rcode = 0; rcode < RCODES; rcode++) {
            if (total.responses[rcode] > 0) {
                byRcode.dataPoint(point(total.responses[rcode], "rcode", new Rcode(rcode).toString()));
            }
        }
        CounterSnapshot.Builder bySource = CounterSnapshot.builder().name("chivato_dns_answers")
                .help("Responses sent, by where their records came from (forwarded and cache: upstream answers)");
        for (AnswerSource source : SOURCES) {
            if (total.sources[source.ordinal()] > 0) {
                bySource.dataPoint(point(total.sources[source.ordinal()], "source", source.label()));
            }
        }
        snapshots.add(byType.build());
        snapshots.add(byRcode.build());
        snapshots.add(bySource.build());
        snapshots.add(CounterSnapshot.builder().name("chivato_dns_malformed_messages")
                .help("Messages received that did not decode").dataPoint(point(total.malformed)).build());
        snapshots.add(CounterSnapshot.builder().name("chivato_dns_responses_unsent")
                .help("Responses the socket did not take (a full UDP send buffer, no buffer space, an unreachable "
                        + "client): lost").dataPoint(point(total.unsent)).build());
        snapshots.add(CounterSnapshot.builder().name("chivato_rrl_responses")
                .help("Responses over UDP that response rate limiting (--rrl) dropped, or slipped (sent empty with TC)")
                .dataPoint(point(total.rateDropped, "action", "dropped"))
                .dataPoint(point(total.rateSlipped, "action", "slipped")).build());
        snapshots.add(CounterSnapshot.builder().name("chivato_reloads").help("Reloads (SIGHUP, --watch), by result")
                .dataPoint(point(total.reloads[0], "result", "ok"))
                .dataPoint(point(total.reloads[1], "result", "failed")).build());
        GaugeSnapshot.Builder zoneSerials = GaugeSnapshot.builder().name("chivato_zone_serial")
                .help("The SOA serial of each zone served");
        serials.forEach((zone, serial) -> zoneSerials.dataPoint(gauge(serial, "zone", zone)));
        snapshots.add(zoneSerials.build());
    }

    /** Upstream tries and their failures, answers dropped, TCP connections opened and closed. */
    private static void addForwardAndTcpCounters(Counts total, List<MetricSnapshot> snapshots) {
        CounterSnapshot.Builder failedTries = CounterSnapshot.builder().name("chivato_forward_tries_failed")
                .help("Upstream tries that gave no answer, by why");
        for (Forwarder.TryFailed why : Forwarder.TryFailed.values()) {
            failedTries.dataPoint(point(total.triesFailed[why.ordinal()], "reason", label(why)));
        }
        CounterSnapshot.Builder closedBy = CounterSnapshot.builder().name("chivato_tcp_connections_closed")
                .help("TCP connections closed, by why");
        for (Closed why : Closed.values()) {
            closedBy.dataPoint(point(total.closed[why.ordinal()], "reason", why.label()));
        }
        snapshots.add(CounterSnapshot.builder().name("chivato_forward_tries").help("Queries sent upstream, each try")
                .dataPoint(point(total.tries)).build());
        snapshots.add(failedTries.build());
        snapshots.add(CounterSnapshot.builder().name("chivato_forward_dropped_answers").help("Answers from upstream "
                + "dropped: from another address or port, another ID or question, or not DNS")
                .dataPoint(point(total.dropped)).build());
        snapshots.add(CounterSnapshot.builder().name("chivato_tcp_connections_opened").help("TCP connections accepted")
                .dataPoint(point(total.opened)).build());
        snapshots.add(closedBy.build());
    }

    /** What waits for the query log's and dnstap's writers, and what they dropped or lost. */
    private void addQueues(List<MetricSnapshot> snapshots) {
        QueryLog queryLog = log;
        GaugeSnapshot.Builder logQueue = GaugeSnapshot.builder().name("chivato_log_queue")
                .help("What waits for the query log's writer, in entries and in octets");
        CounterSnapshot.Builder logLost = CounterSnapshot.builder().name("chivato_log_entries_lost")
                .help("Query log entries dropped (queue full, --log-overflow drop) or lost (the writer failed)");
        if (queryLog != null && queryLog.enabled()) {
            logQueue.dataPoint(gauge(queryLog.queuedEntries(), "unit", "entries"))
                    .dataPoint(gauge(queryLog.queuedOctets(), "unit", "bytes"));
            logLost.dataPoint(point(queryLog.dropped(), "reason", "dropped"))
                    .dataPoint(point(queryLog.lost(), "reason", "lost"));
        }
        TapSink tap = dnstap;
        GaugeSnapshot.Builder tapQueue = GaugeSnapshot.builder().name("chivato_dnstap_queue")
                .help("What waits for the dnstap writer, in events (a query and its response) and in octets");
        CounterSnapshot.Builder tapFrames = CounterSnapshot.builder().name("chivato_dnstap_frames")
                .help("dnstap frames: written, dropped (queue full: the collector slow or away), or lost (the "
                        + "output failed, or the collector was away at the end)");
        if (tap != null && tap.enabled()) {
            tapQueue.dataPoint(gauge(tap.queuedEvents(), "unit", "events"))
                    .dataPoint(gauge(tap.queuedOctets(), "unit", "bytes"));
            tapFrames.dataPoint(point(tap.writtenFrames(), "result", "written"))
                    .dataPoint(point(tap.droppedFrames(), "result", "dropped"))
                    .dataPoint(point(tap.lostFrames(), "result", "lost"));
        }
        snapshots.add(logQueue.build());
        snapshots.add(logLost.build());
        snapshots.add(tapQueue.build());
        snapshots.add(tapFrames.build());
    }

    private static CounterSnapshot.CounterDataPointSnapshot point(long value, String... labels) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gauge(double value, String... labels) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }

    private static void add(long[] into, long[] from) {
        for (int i = 0; i < into.length; i++) {
            into[i] += from[i];
        }
    }

    /** Serves {@code /metrics} on {@code address}: these counters and the JVM's. */
    public MetricsServer serve(InetSocketAddress address) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register((MultiCollector) this::snapshot);
        JvmMetrics.builder().register(registry);
        return MetricsServer.start(address, registry);
    }
}
