package dev.chivato.server.network;

import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.cookie.ServerCookies;
import dev.chivato.server.dnstap.ExchangeTap;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.metrics.Metrics;
import dev.chivato.server.ratelimit.RateLimiter;
import dev.chivato.server.tsig.TransactionSignature;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What every event loop's exchanges share: the data version served now (its engine and answer cache, swapped whole by
 * a reload), the query log, the metrics, the taps (dnstap, the capture), the TSIG keys, the cookie secret, the
 * transfers under way, and where lines for the operator go. Each loop has its own {@link ExchangePath} over it.
 */
public final class Service {
    /**
     * Transfers under way at once, at most: each holds the zone version it started on, so this bounds the versions
     * a slow secondary can keep alive through reloads (a transfer below 1 KiB/s is closed by the I/O timeout).
     */
    public static final int MAX_TRANSFERS = 10;

    static {
        // The JIT compiles no method into its caller while a class its signature names is not loaded yet
        // (-XX:+PrintInlining: "unloaded signature classes"). With rate limiting, metrics and a test's witness off,
        // nothing else loads these three, so each answer paid a call to each accessor below that returns one
        // (HandlerBenchmark). Naming the classes loads them; none is initialized by it.
        loaded(RateLimiter.class, Metrics.class, ExchangeWitness.class);
    }

    private static void loaded(Class<?>... classes) {
        // the class literals above are what loads them
    }

    private volatile QueryHandler version;
    private final QueryLog log;
    private final Metrics metrics;
    private final ExchangeTap tap;
    /** Whether the log and the tap are on, asked once: they are on or off for their whole life. */
    private final boolean logging;
    private final boolean tapping;
    private final Consumer<String> warnings;
    private volatile List<TransactionSignature.Key> keys = List.of();
    private final AtomicInteger transfers = new AtomicInteger();
    private volatile ServerCookies cookies = ServerCookies.random();
    private volatile boolean requireCookie;
    /** Response rate limiting ({@code --rrl}); null when off. */
    private volatile RateLimiter rateLimiter;
    /** Faults a test set (the embedded server); none for the command line. */
    private volatile FaultSource faults = FaultSource.NONE;
    /** Told of every exchange ended (the embedded server's recorder); null when nobody is. */
    private volatile ExchangeWitness witness;

    public Service(QueryHandler version, QueryLog log) {
        this(version, log, System.err::println);
    }

    public Service(QueryHandler version, QueryLog log, Consumer<String> warnings) {
        this(version, log, warnings, null);
    }

    /** As above, counting in {@code metrics} (null for none). */
    public Service(QueryHandler version, QueryLog log, Consumer<String> warnings, Metrics metrics) {
        this(version, log, warnings, metrics, ExchangeTap.OFF);
    }

    /** As above, also handing every exchange to {@code tap} (dnstap frames, the capture's packets). */
    public Service(QueryHandler version, QueryLog log, Consumer<String> warnings, Metrics metrics, ExchangeTap tap) {
        this.version = version;
        this.log = log;
        this.warnings = warnings;
        this.metrics = metrics;
        this.tap = tap;
        this.logging = log.enabled();
        this.tapping = tap.enabled();
    }

    /** From now on, requests are answered from {@code next} (a reload); one already begun keeps its version. */
    public void use(QueryHandler next) {
        version = next;
    }

    /** The data version current now: a request reads it once, when it comes. */
    public QueryHandler version() {
        return version;
    }

    /** Checks signed requests against {@code keys} and signs their answers with the key they used. */
    public void signWith(List<TransactionSignature.Key> keys) {
        this.keys = List.copyOf(keys);
    }

    List<TransactionSignature.Key> keys() {
        return keys;
    }

    /**
     * Makes and checks server cookies with {@code cookies} (a random secret of this process's own until this is
     * called); with {@code require}, a UDP query with a client cookie but no good server cookie gets BADCOOKIE.
     */
    public void useCookies(ServerCookies cookies, boolean require) {
        this.cookies = cookies;
        this.requireCookie = require;
    }

    /** Limits responses over UDP with {@code limiter} ({@code --rrl}); null turns it off. */
    public void limitRates(RateLimiter limiter) {
        this.rateLimiter = limiter;
    }

    RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** Asks {@code source} before answering each request whether it is to fail on purpose (a test's faults). */
    public void injectFaults(FaultSource source) {
        this.faults = source;
    }

    FaultSource faults() {
        return faults;
    }

    /** Tells {@code told} of every exchange ended, just before its answer is sent; null tells nobody. */
    public void witness(ExchangeWitness told) {
        this.witness = told;
    }

    ExchangeWitness witness() {
        return witness;
    }

    /** Logs what rate limiting did since its last entry, whatever the time: when the server stops, before its log. */
    public void flushRateSummary() {
        RateLimiter limiter = rateLimiter;
        if (limiter == null || !logging) {
            return;
        }
        RateLimiter.Summary summary = limiter.takeSummary(true);
        if (summary != null) {
            log.log(new dev.chivato.server.log.LogEntry.RateLimited(System.currentTimeMillis(), summary.dropped(),
                    summary.slipped(), summary.seconds()));
        }
    }

    ServerCookies cookies() {
        return cookies;
    }

    boolean requireCookie() {
        return requireCookie;
    }

    /** What is counted for {@code --metrics}, or null. */
    public Metrics metrics() {
        return metrics;
    }

    public QueryLog log() {
        return log;
    }

    public ExchangeTap tap() {
        return tap;
    }

    /** Whether anything records an exchange's times (the log, metrics, dnstap): else the clock is not read. */
    boolean recordsTimes() {
        return metrics != null || logging || tapping || witness != null;
    }

    /** Whether exchanges are logged. */
    boolean logging() {
        return logging;
    }

    /** Whether exchanges are tapped (dnstap, the capture). */
    boolean tapping() {
        return tapping;
    }

    void warn(String line) {
        try {
            warnings.accept(line);
        } catch (RuntimeException e) {
            // nowhere left to say it
        }
    }

    /** Takes a transfer slot; false when {@link #MAX_TRANSFERS} are under way. */
    boolean beginTransfer() {
        if (transfers.incrementAndGet() > MAX_TRANSFERS) {
            transfers.decrementAndGet();
            return false;
        }
        return true;
    }

    void endTransfer() {
        transfers.decrementAndGet();
    }

    /** Transfers under way now. */
    public int transfers() {
        return transfers.get();
    }
}
