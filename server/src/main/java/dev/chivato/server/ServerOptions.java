package dev.chivato.server;

import dev.chivato.protocol.Addresses;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Cidr;
import dev.chivato.server.data.Ttl;
import dev.chivato.server.forward.Forwarding;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.ServerConfig;
import dev.chivato.server.transfer.Journal;
import dev.chivato.server.transfer.TransferAccess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The server's options, as picocli reads them from the command line (and {@code --config}), checked and made one
 * immutable {@link Settings} record, which {@link Assembly} runs. Usage errors are {@link Main.UsageException}s: one
 * line, exit 2.
 */
@Command(name = "chivato", mixinStandardHelpOptions = true, subcommandsRepeatable = false,
        versionProvider = ServerOptions.Version.class, sortOptions = false, usageHelpAutoWidth = true,
        footer = {"", "Subcommands: 'chivato query --help' (a small dig), 'chivato explain --help' (a message, "
                + "byte by byte), 'chivato report --help' (who asked what, from a JSON log), 'chivato check-config "
                + "--help' (the options and files checked without starting)."},
        description = {"A DNS server that logs every query it receives. It answers from records in hosts format "
                + "(A, AAAA and PTR) and from zone files, forwards what it does not hold (--forward), and feeds "
                + "secondaries (--allow-transfer). With no source at all it serves example.com -> 1.2.3.4, "
                + "1.2.3.5 and example.my -> 1.2.3.5 (--seed serves them besides others)."})
final class ServerOptions implements Callable<Integer> {
    static final String DEFAULT_LISTEN = "127.0.0.1:10053";

    @Option(names = "--listen", paramLabel = "ADDR:PORT", converter = ListenConverter.class,
            description = "Address and port for UDP and TCP, repeatable; IPv6 as [::1]:PORT; port 0 picks a free "
                    + "one (default: " + DEFAULT_LISTEN + ").")
    List<InetSocketAddress> listen = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "Options from a file, one per line as name=value (or name for a flag), # comments; the "
                    + "command line adds to them and overrides a single-valued one.")
    Path configFile;

    @Option(names = "--records", paramLabel = "FILE",
            description = "Hosts-format records file (ADDRESS NAME [NAME...] per line, # comments), repeatable.")
    List<Path> recordFiles = new ArrayList<>();

    @Option(names = "--record", paramLabel = "\"ADDRESS NAME...\"",
            description = "One records line given on the command line, repeatable.")
    List<String> recordLines = new ArrayList<>();

    @Option(names = "--seed", description = "Serve the seed's records (example.com and example.my) besides the other "
            + "sources; without any source (no --records, --record, --zone or --forward) they are served anyway.")
    boolean seed;

    @Option(names = "--snitch", description = "Log everything and answer every query NXDOMAIN, as the original tool "
            + "did.")
    boolean snitch;

    @Option(names = "--zone", paramLabel = "[ORIGIN=]FILE",
            description = "A zone file (RFC 1035 master format), repeatable; its origin is ORIGIN, or the file's "
                    + "first $ORIGIN, or its SOA's owner.")
    List<String> zoneSpecs = new ArrayList<>();

    @Option(names = "--watch", paramLabel = "SECONDS", converter = SecondsConverter.class,
            description = "Look at the records and zone files this often and reload when one changed (its size, "
                    + "time, identity or content); 0, the default, only on SIGHUP.")
    double watchSeconds;

    @Option(names = "--unknown", paramLabel = "nxdomain|refuse", converter = UnknownConverter.class,
            description = "Answer for names under no zone and with no records: NXDOMAIN (the default with hosts "
                    + "records only) or REFUSED (the default once a zone is served, as NSD and Knot do).")
    QueryHandler.UnknownPolicy unknown;

    @Option(names = "--ttl", paramLabel = "SECONDS", converter = WholeSecondsConverter.class,
            description = "TTL of the records served, in seconds or as 1h, 30m (default: 300).")
    long ttl = 300;

    @Option(names = "--log", paramLabel = "text|json|explain|off",
            description = "Query log format (default: text); explain adds both messages byte by byte.")
    String logFormat = "text";

    @Option(names = "--log-file", paramLabel = "PATH", description = "Append the query log here (default: stdout).")
    Path logFile;

    @Option(names = "--log-overflow", paramLabel = "block|drop",
            description = "When the log writer falls behind: block (the server reads more slowly, no entry is lost; "
                    + "the default with --log-file) or drop (entries are dropped and counted; the default on "
                    + "stdout, so a reader that stops reading cannot stop the server).")
    String logOverflow;

    @Option(names = "--threads", paramLabel = "N", description = "Event loops (default: number of CPUs).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", converter = SecondsConverter.class,
            description = "Close a TCP connection idle this long (default: 10).")
    double idleTimeoutSeconds = ServerConfig.DEFAULT_IDLE_TIMEOUT.toMillis() / 1000.0;

    @Option(names = "--io-timeout", paramLabel = "SECONDS", converter = SecondsConverter.class,
            description = "Close a TCP connection that stops in the middle of a message, or leaves its answers "
                    + "untaken, this long (default: 2).")
    double ioTimeoutSeconds = ServerConfig.DEFAULT_IO_TIMEOUT.toMillis() / 1000.0;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "TCP connections open at once; past it the longest-idle one makes room, or the new one is "
                    + "refused (default: 1000).")
    int maxConnections = ServerConfig.DEFAULT_MAX_CONNECTIONS;

    @Option(names = "--tcp-memory", paramLabel = "MIB",
            description = "Mebibytes all TCP connections may hold in buffers together; past it the connections "
                    + "holding the most are closed (default: 64).")
    int tcpMemoryMib = (int) (ServerConfig.DEFAULT_TCP_MEMORY >> 20);

    @Option(names = "--metrics", paramLabel = "ADDR:PORT", converter = ListenConverter.class,
            description = "Serve Prometheus metrics on http://ADDR:PORT/metrics (IPv6 as [::1]:PORT; port 0 picks "
                    + "a free one).")
    InetSocketAddress metricsAddress;

    @Option(names = "--web", paramLabel = "ADDR:PORT", converter = ListenConverter.class,
            description = "Serve the page to watch and learn on http://ADDR:PORT/: live queries and the bytes of "
                    + "each, Ask, the records, stats and experiments (example: --web 127.0.0.1:8053). Loopback unless "
                    + "--web-token is given.")
    InetSocketAddress webAddress;

    @Option(names = "--web-edit",
            description = "Let the page edit the records files and zones: checked, written (a zone's serial "
                    + "raised), reloaded.")
    boolean webEdit;

    @Option(names = "--web-token", paramLabel = "FILE",
            description = "A file holding the token the page asks for once and sends with every request; needed "
                    + "for --web beyond loopback.")
    Path webTokenFile;

    @Option(names = "--web-ask", paramLabel = "ADDR:PORT",
            description = "A server the page's Ask view may query besides this one, repeatable.")
    List<String> webAsk = new ArrayList<>();

    @Option(names = "--allow-transfer", paramLabel = "CIDR",
            description = "Clients that may transfer our zones (AXFR, IXFR over TCP), repeatable; default: nobody.")
    List<String> allowTransfer = new ArrayList<>();

    @Option(names = "--ixfr-versions", paramLabel = "N",
            description = "Differences between zone versions kept per zone for IXFR (default: 20; 0: none, every "
                    + "transfer is whole).")
    int ixfrVersions = Journal.DEFAULT_VERSIONS;

    @Option(names = "--ixfr-memory", paramLabel = "MIB",
            description = "Mebibytes those differences may take per zone (default: 16).")
    int ixfrMemoryMib = (int) (Journal.DEFAULT_OCTETS >> 20);

    @Option(names = "--tsig-key", paramLabel = "FILE",
            description = "A TSIG key, from a file holding one line NAME ALGORITHM BASE64SECRET, repeatable; with a "
                    + "key, transfers must also be signed with one, and signed queries get signed answers.")
    List<Path> tsigKeyFiles = new ArrayList<>();

    @Option(names = "--cookie-secret", paramLabel = "FILE",
            description = "The DNS Cookie secret (RFC 7873, RFC 9018), from a file holding 32 hex digits and, on a "
                    + "second line, the previous secret while clients move to the new one; servers sharing it accept "
                    + "each other's cookies (BIND: cookie-algorithm siphash24). Default: a random secret per start.")
    Path cookieSecret;

    @Option(names = "--require-cookie",
            description = "Answer BADCOOKIE (with a fresh cookie) to a UDP query that has a client cookie but no good "
                    + "server cookie; queries over TCP, and from clients without cookies, are answered as usual.")
    boolean requireCookie;

    @Option(names = "--rrl", paramLabel = "RATE",
            description = "Response rate limiting: at most RATE responses a second over UDP to one client prefix (/24, "
                    + "/56) for one class (a name and type; a zone's NXDOMAINs; a delegation's referrals; errors), "
                    + "as BIND, NSD and Knot limit them (default: 0, off). Not over TCP, nor with a good cookie.")
    int rrlRate;

    @Option(names = "--rrl-slip", paramLabel = "N",
            description = "Of the responses over the limit, send every Nth empty with TC set, so that a real client "
                    + "asks again over TCP; the others are dropped (default: 2; 0: drop all; 1: slip all).")
    int rrlSlip = 2;

    @Option(names = "--rrl-window", paramLabel = "SECONDS",
            description = "How many seconds of its rate a client's debt may run to: a flood is forgiven within it "
                    + "(default: 15).")
    int rrlWindow = 15;

    @Option(names = "--rrl-exempt", paramLabel = "CIDR",
            description = "Never limit responses to this network (repeatable), as 192.0.2.0/24 or 2001:db8::/32.")
    List<String> rrlExempt = new ArrayList<>();

    @Option(names = "--notify", paramLabel = "ADDR[:PORT]",
            description = "Send a NOTIFY to this secondary when a reload raises a zone's serial, repeatable (port 53 "
                    + "by default; IPv6 as [::1]:53).")
    List<String> notifyTargets = new ArrayList<>();

    @Option(names = "--dnstap", paramLabel = "unix:PATH|file:PATH",
            description = "Send every query and response as dnstap: to a collector's Unix socket (Frame Streams, "
                    + "reconnected when it goes away) or to a file (created anew, owner-readable).")
    String dnstapTarget;

    @Option(names = "--capture", paramLabel = "FILE",
            description = "Write every message received and sent to FILE as a pcap capture (raw IP, nanosecond "
                    + "times), for Wireshark or chivato explain; created anew, owner-readable.")
    Path captureFile;

    @Option(names = "--capture-max-mb", paramLabel = "MIB",
            description = "The most the capture file may hold; then capturing stops and what follows is counted "
                    + "as lost (default: 1024).")
    long captureMaxMib = 1024;

    @Option(names = "--dnstap-identity", paramLabel = "NAME",
            description = "The identity in each dnstap frame (default: the host's name).")
    String dnstapIdentity;

    @Option(names = "--forward", paramLabel = "[DOMAIN=]ADDR[:PORT]",
            description = "Send queries for names we do not hold to this upstream server (port 53 by default; IPv6 "
                    + "as [::1]:53), repeatable; with DOMAIN=, only names at or below it (the longest DOMAIN wins).")
    List<String> forwards = new ArrayList<>();

    @Option(names = "--allow-recursion", paramLabel = "CIDR",
            description = "Clients we forward for, repeatable (default: loopback and the subnets of the interfaces "
                    + "we listen on); the others get REFUSED for names we do not hold.")
    List<String> allowRecursion = new ArrayList<>();

    @Option(names = "--forward-0x20",
            description = "Send forwarded questions with their letters in random case, and take only answers that "
                    + "keep it (draft-vixie-dnsext-dns0x20).")
    boolean forward0x20;

    @Option(names = "--cache", paramLabel = "ENTRIES",
            description = "Upstream answers kept, in all (default: 10000; 0 turns the cache off).")
    int cacheEntries = Forwarding.CacheLimits.DEFAULT.entries();

    @Option(names = "--cache-memory", paramLabel = "MIB",
            description = "Mebibytes the kept upstream answers may take, in all (default: 64).")
    int cacheMib = (int) (Forwarding.CacheLimits.DEFAULT.octets() >> 20);

    @Option(names = "--cache-max-ttl", paramLabel = "SECONDS", converter = WholeSecondsConverter.class,
            description = "The longest an upstream answer is kept, whatever its TTL (default: 86400).")
    long cacheMaxTtl = Forwarding.CacheLimits.DEFAULT.maxTtl();

    /** Timeouts above these are surely mistakes (and would overflow the clock's arithmetic). */
    static final double MAX_IDLE_TIMEOUT_SECONDS = 86_400;
    static final double MAX_IO_TIMEOUT_SECONDS = 3_600;

    @Override
    public Integer call() {
        Settings settings;
        try {
            settings = settings();
        } catch (Main.UsageException e) {
            System.err.println(e.getMessage());
            return Main.EXIT_USAGE;
        }
        return Assembly.run(settings);
    }

    /** The options, checked and made one immutable record: what cannot be used is refused here, in one line. */
    Settings settings() throws Main.UsageException {
        TransferAccess transfers = transferAccess();
        List<InetSocketAddress> notifies = new ArrayList<>();
        for (String target : notifyTargets) {
            notifies.add(parseTarget("--notify", target));
        }
        ServerConfig config = serverConfig();
        boolean seedServed = seed || recordFiles.isEmpty() && recordLines.isEmpty() && zoneSpecs.isEmpty()
                && forwards.isEmpty();
        return new Settings(config, recordFiles, recordLines, zoneSpecs, ttl, snitch, seedServed,
                Optional.ofNullable(unknown), Duration.ofMillis((long) (watchSeconds * 1000)),
                Optional.ofNullable(logFormat()), Optional.ofNullable(logFile), logOverflow(), transfers, notifies,
                tsigKeyFiles, ixfrVersions, (long) ixfrMemoryMib << 20, Optional.ofNullable(metricsAddress),
                Optional.ofNullable(dnstapTarget), Optional.ofNullable(dnstapIdentity),
                Optional.ofNullable(captureFile), captureMaxMib << 20, Optional.ofNullable(cookieSecret),
                requireCookie, rateLimits(), web());
    }

    /** {@code --web} and its companions, checked; empty when off. */
    private Optional<Settings.Web> web() throws Main.UsageException {
        if (webAddress == null) {
            if (webEdit || webTokenFile != null || !webAsk.isEmpty()) {
                throw new Main.UsageException("chivato: --web-edit, --web-token and --web-ask go with --web ADDR:PORT");
            }
            return Optional.empty();
        }
        if (!webAddress.getAddress().isLoopbackAddress() && webTokenFile == null) {
            throw new Main.UsageException("chivato: --web " + LogFormat.address(webAddress) + " is beyond loopback: "
                    + "give --web-token FILE too, so that only those who have the token can use the page");
        }
        List<InetSocketAddress> askable = new ArrayList<>();
        for (String target : webAsk) {
            askable.add(parseTarget("--web-ask", target));
        }
        return Optional.of(new Settings.Web(webAddress, webEdit, Optional.ofNullable(webTokenFile), askable));
    }

    /** {@code --rrl} and its companions, checked; empty when off. */
    private Optional<Settings.RateLimits> rateLimits() throws Main.UsageException {
        if (rrlRate < 0 || rrlRate > 1_000_000) {
            throw new Main.UsageException("chivato: --rrl " + rrlRate + ": must be 0 (off) to 1000000 responses a "
                    + "second");
        }
        if (rrlSlip < 0 || rrlSlip > 10) {
            throw new Main.UsageException("chivato: --rrl-slip " + rrlSlip + ": must be 0 (drop all) to 10");
        }
        if (rrlWindow < 1 || rrlWindow > 3600) {
            throw new Main.UsageException("chivato: --rrl-window " + rrlWindow + ": must be 1..3600 seconds");
        }
        List<Cidr> exempt = new ArrayList<>();
        for (String network : rrlExempt) {
            try {
                exempt.add(Cidr.parse(network));
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException("chivato: --rrl-exempt " + network + ": " + e.getMessage()
                        + " (a network as 192.0.2.0/24 or 2001:db8::/32)");
            }
        }
        if (rrlRate == 0) {
            if (!rrlExempt.isEmpty()) {
                throw new Main.UsageException("chivato: --rrl-exempt needs --rrl RATE: rate limiting is off");
            }
            return Optional.empty();
        }
        return Optional.of(new Settings.RateLimits(rrlRate, rrlSlip, rrlWindow, exempt));
    }

    private ServerConfig serverConfig() throws Main.UsageException {
        if (threads < 1 || threads > 256) {
            throw new Main.UsageException("chivato: --threads " + threads + ": must be 1..256");
        }
        if (maxConnections < 1 || maxConnections > 1_000_000) {
            throw new Main.UsageException("chivato: --max-connections " + maxConnections + ": must be 1..1000000");
        }
        if (tcpMemoryMib < 1 || tcpMemoryMib > 1 << 20) {
            throw new Main.UsageException("chivato: --tcp-memory " + tcpMemoryMib + ": must be 1..1048576 (MiB)");
        }
        if (ttl < 0 || ttl > 0x7fffffffL) {
            throw new Main.UsageException("chivato: --ttl " + ttl + ": must be 0..2147483647 (RFC 2181 section 8)");
        }
        checkTimeout("--idle-timeout", idleTimeoutSeconds, MAX_IDLE_TIMEOUT_SECONDS);
        checkTimeout("--io-timeout", ioTimeoutSeconds, MAX_IO_TIMEOUT_SECONDS);
        if (watchSeconds != 0) {
            checkTimeout("--watch", watchSeconds, MAX_IDLE_TIMEOUT_SECONDS);
        }
        List<InetSocketAddress> addresses = listen.isEmpty()
                ? List.of(new ListenConverter().convert(DEFAULT_LISTEN)) : listen;
        return new ServerConfig(addresses, threads, Duration.ofMillis((long) (idleTimeoutSeconds * 1000)),
                Duration.ofMillis((long) (ioTimeoutSeconds * 1000)), maxConnections, (long) tcpMemoryMib << 20,
                forwarding(addresses));
    }

    private static InetSocketAddress parseTarget(String option, String text) throws Main.UsageException {
        try {
            return Forwarding.upstream(text);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("chivato: " + option + " " + text + ": " + e.getMessage());
        }
    }

    private TransferAccess transferAccess() throws Main.UsageException {
        if (captureMaxMib < 1 || captureMaxMib > 1 << 20) {
            throw new Main.UsageException("chivato: --capture-max-mb " + captureMaxMib + ": must be 1..1048576 (MiB)");
        }
        if (ixfrVersions < 0 || ixfrVersions > 10_000 || ixfrMemoryMib < 0 || ixfrMemoryMib > 65_536) {
            throw new Main.UsageException("chivato: --ixfr-versions must be 0..10000 and --ixfr-memory 0..65536 (MiB)");
        }
        List<Cidr> allowed = new ArrayList<>();
        for (String network : allowTransfer) {
            try {
                allowed.add(Cidr.parse(network));
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException("chivato: --allow-transfer " + network + ": " + e.getMessage());
            }
        }
        return new TransferAccess(allowed, !tsigKeyFiles.isEmpty());
    }

    private Forwarding forwarding(List<InetSocketAddress> listening) throws Main.UsageException {
        List<Forwarding.Route> routes;
        List<Cidr> allowed = new ArrayList<>();
        try {
            routes = Forwarding.routes(forwards);
            for (String network : allowRecursion) {
                allowed.add(Cidr.parse(network));
            }
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("chivato: " + e.getMessage());
        }
        for (Forwarding.Route route : routes) {
            for (InetSocketAddress upstream : route.upstreams()) {
                if (isOurs(upstream, listening)) {
                    throw new Main.UsageException("chivato: --forward " + LogFormat.address(upstream)
                            + " is an address "
                            + "we listen on: every forwarded query would come back to us");
                }
            }
        }
        if (cacheEntries < 0 || cacheEntries > 100_000_000) {
            throw new Main.UsageException("chivato: --cache " + cacheEntries + ": must be 0..100000000 (0: no cache)");
        }
        if (cacheMib < 0 || cacheMib > 1 << 20) {
            throw new Main.UsageException("chivato: --cache-memory " + cacheMib + ": must be 0..1048576 (MiB)");
        }
        if (cacheMaxTtl < 0 || cacheMaxTtl > 0x7fffffffL) {
            throw new Main.UsageException("chivato: --cache-max-ttl " + cacheMaxTtl
                    + ": must be 0..2147483647 seconds (or as 1d, 12h)");
        }
        Forwarding.CacheLimits cache = new Forwarding.CacheLimits(cacheEntries, (long) cacheMib << 20, cacheMaxTtl);
        return new Forwarding(routes, allowRecursion.isEmpty() ? Forwarding.localClients(listening) : allowed,
                Forwarding.TRY_TIMEOUT, Forwarding.DEADLINE, Forwarding.MAX_PENDING, forward0x20,
                cache);
    }

    private static boolean isOurs(InetSocketAddress upstream, List<InetSocketAddress> listening) {
        for (InetSocketAddress ours : listening) {
            if (ours.getPort() != upstream.getPort()) {
                continue;
            }
            if (ours.getAddress().equals(upstream.getAddress())) {
                return true;
            }
            try {
                if (ours.getAddress().isAnyLocalAddress() && (upstream.getAddress().isLoopbackAddress()
                        || java.net.NetworkInterface.getByInetAddress(upstream.getAddress()) != null)) {
                    return true;
                }
            } catch (java.net.SocketException e) {
                // cannot tell: let it be
            }
        }
        return false;
    }

    private static void checkTimeout(String option, double seconds, double max) throws Main.UsageException {
        if (!(seconds >= 0.001 && seconds <= max)) {
            throw new Main.UsageException("chivato: " + option + " " + seconds + ": must be 0.001.." + (long) max
                    + " seconds");
        }
    }

    private LogFormat logFormat() throws Main.UsageException {
        return switch (logFormat.toLowerCase(java.util.Locale.ROOT)) {
            case "text" -> LogFormat.TEXT;
            case "json" -> LogFormat.JSON;
            case "explain" -> LogFormat.EXPLAIN;
            case "off" -> null;
            default -> throw new Main.UsageException("chivato: --log " + logFormat
                    + ": expected text, json, explain or off");
        };
    }

    private QueryLog.Overflow logOverflow() throws Main.UsageException {
        if (logOverflow == null) {
            return logFile == null ? QueryLog.Overflow.DROP : QueryLog.Overflow.BLOCK;
        }
        return switch (logOverflow.toLowerCase(java.util.Locale.ROOT)) {
            case "block" -> QueryLog.Overflow.BLOCK;
            case "drop" -> QueryLog.Overflow.DROP;
            default -> throw new Main.UsageException("chivato: --log-overflow " + logOverflow
                    + ": expected block or drop");
        };
    }


    /**
     * Seconds, as a number ({@code 300}, {@code 0.5}) or with a zone file's units ({@code 1h}, {@code 30m},
     * {@code 1h30m}, {@code 2d}, {@code 1w}): wherever an option takes seconds.
     */
    static final class SecondsConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            if (Ttl.isTtl(value)) {
                return (double) Ttl.seconds(value);
            }
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: seconds (300, "
                        + "0.5) or with units as in zone files (1h, 30m, 1h30m, 2d)");
            }
        }
    }

    /** Whole seconds, as {@link SecondsConverter} reads them. */
    static final class WholeSecondsConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            double seconds = new SecondsConverter().convert(value);
            if (seconds != Math.rint(seconds)) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number of seconds");
            }
            return (long) seconds;
        }
    }

    /** {@code 127.0.0.1:10053}, {@code [::1]:10053}: literal addresses only, so nothing is looked up. */
    static final class ListenConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon < 0) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not ADDR:PORT");
            }
            String host = value.substring(0, colon);
            String portText = value.substring(colon + 1);
            int port;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new CommandLine.TypeConversionException("'" + value + "': port must be 0..65535");
            }
            try {
                byte[] octets;
                if (host.startsWith("[") && host.endsWith("]")) {
                    octets = Addresses.parseIPv6(host.substring(1, host.length() - 1));
                } else {
                    int v4 = Addresses.parseIPv4(host);
                    octets = new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
                }
                return new InetSocketAddress(InetAddress.getByAddress(octets), port);
            } catch (IllegalArgumentException | UnknownHostException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "': the address must be IPv4 (127.0.0.1:PORT) or IPv6 in brackets ([::1]:PORT)");
            }
        }
    }

    static final class UnknownConverter implements CommandLine.ITypeConverter<QueryHandler.UnknownPolicy> {
        @Override
        public QueryHandler.UnknownPolicy convert(String value) {
            try {
                return QueryHandler.UnknownPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"chivato " + (version != null ? version : "(development build)"),
                    "Java " + Runtime.version() + ", " + dev.chivato.server.network.Server.udpReading()};
        }
    }
}
