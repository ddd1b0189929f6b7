package dev.chivato.server;

import dev.chivato.protocol.Message;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.capture.PcapEncoder;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.dnstap.ExchangeTap;
import dev.chivato.server.dnstap.TapSink;
import dev.chivato.server.dnstap.WallClock;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.Problems;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.metrics.Metrics;
import dev.chivato.server.metrics.MetricsServer;
import dev.chivato.server.network.Server;
import dev.chivato.server.network.Service;
import dev.chivato.server.transfer.Notifier;
import dev.chivato.server.cookie.CookieSecretFile;
import dev.chivato.server.cookie.ServerCookies;
import dev.chivato.server.ratelimit.RateLimiter;
import dev.chivato.server.tsig.MessageSigner;
import dev.chivato.server.tsig.TransactionSignature;
import dev.chivato.server.tsig.TsigKeyFile;
import dev.chivato.server.web.Asker;
import dev.chivato.server.web.WebServer;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The running server made from its {@link Settings}: the data loaded, the log, dnstap, the capture, the metrics, the
 * sockets, NOTIFY and reloads, each opened in turn and held on one stack, so that whatever fails half-way closes
 * what was opened before it, and stopping is one {@link #close()} in the reverse order.
 */
final class Assembly implements AutoCloseable {
    /** A start that cannot go on: its one line, and the exit code. */
    static final class StartFailure extends Exception {
        final int exitCode;

        StartFailure(String line, int exitCode) {
            super(line, null, false, false);
            this.exitCode = exitCode;
        }
    }

    private final Settings settings;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private DataSources sources;
    private QueryLog log;
    private boolean logComplete = true;
    private Server server;
    private Reloader reloader;

    private Assembly(Settings settings) {
        this.settings = settings;
    }

    /** Runs the server until SIGINT or SIGTERM (or a failed event loop) and returns the exit code. */
    static int run(Settings settings) {
        Assembly assembly = new Assembly(settings);
        try (assembly) {
            assembly.assemble();
            return assembly.serveUntilStopped();
        } catch (StartFailure failure) {
            System.err.println(failure.getMessage());
            return failure.exitCode;
        }
    }

    private <T extends AutoCloseable> T hold(T resource) {
        opened.push(resource);
        return resource;
    }

    /**
     * What a start reads before it opens anything, and all that {@code chivato check-config} checks: the TSIG keys,
     * the cookie secret, the page's token, the records and the zones, loaded.
     */
    record Read(List<TransactionSignature.Key> keys, ServerCookies cookies, Optional<String> webBearer,
                DataSources sources, QueryHandler handler) {
    }

    /** Reads and loads what {@code settings} name; the first problem is one line, saying where. */
    static Read read(Settings settings, Consumer<String> warnings) throws StartFailure {
        try {
            List<TransactionSignature.Key> keys = new ArrayList<>();
            for (Path file : settings.tsigKeys()) {
                keys.add(TsigKeyFile.read(file, warnings));
            }
            ServerCookies cookies = settings.cookieSecret().isPresent()
                    ? CookieSecretFile.read(settings.cookieSecret().get(), warnings) : ServerCookies.random();
            Optional<String> bearer = settings.web().flatMap(Settings.Web::tokenFile).isPresent()
                    ? Optional.of(webToken(settings.web().get().tokenFile().get())) : Optional.empty();
            DataSources sources = new DataSources(settings.recordFiles(), settings.recordLines(),
                    settings.zoneSpecs(), settings.ttl(), settings.snitch(), settings.unknown(),
                    settings.server().forwarding()::forwards);
            sources.allowTransfers(settings.transfers());
            sources.serveSeed(settings.seed());
            sources.keepJournals(settings.ixfrVersions(), settings.ixfrOctets());
            return new Read(keys, cookies, bearer, sources, sources.load());
        } catch (FileProblem e) {
            throw new StartFailure(e.getMessage(), Main.EXIT_FAILURE);
        }
    }

    /** The page's bearer token: the file's one line, 16 characters or more. */
    private static String webToken(Path file) throws FileProblem {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new FileProblem("chivato: --web-token " + file + ": " + Problems.describe(e));
        }
        if (token.length() < 16) {
            throw new FileProblem("chivato: --web-token " + file + ": the token is shorter than 16 characters; put "
                    + "a long random one in it (head -c 24 /dev/urandom | base64)");
        }
        return token;
    }

    private void assemble() throws StartFailure {
        Read read = read(settings, System.err::println);
        List<TransactionSignature.Key> keys = read.keys();
        ServerCookies cookies = read.cookies();
        sources = read.sources();
        QueryHandler handler = read.handler();
        HeapTrim.afterLoading();
        log = openLog();
        hold(this::closeLog);
        TapSink dnstap = hold(openDnstap());
        TapSink capture = hold(openCapture());
        Metrics metrics = settings.metrics().isEmpty() ? null : new Metrics();
        if (metrics != null) {
            metrics.serving(sources.serials());
            metrics.watch(log);
            metrics.watch(dnstap);
        }
        Service service = new Service(handler, log, System.err::println, metrics,
                ExchangeTap.of(List.of(dnstap, capture)));
        service.signWith(keys);
        service.useCookies(cookies, settings.requireCookie());
        hold(service::flushRateSummary); // closed after the server, before the log
        settings.rateLimits().ifPresent(rrl -> service.limitRates(new RateLimiter(rrl.rate(), rrl.slip(),
                rrl.window(), rrl.exempt())));
        try {
            server = hold(Server.bind(settings.server(), service));
        } catch (IOException e) {
            throw new StartFailure("chivato: " + e.getMessage(), Main.EXIT_FAILURE);
        }
        if (metrics != null) {
            serveMetrics(metrics);
        }
        Notifier notifier = settings.notifyTargets().isEmpty() ? null : new Notifier(settings.notifyTargets(), log,
                System.err::println, keys.isEmpty() ? MessageSigner.Factory.UNSIGNED : signingWith(keys.get(0)));
        reloader = hold(new Reloader(sources, service, log, System.err::println, notifier));
        if (settings.web().isPresent()) {
            serveWeb(settings.web().get(), read.webBearer(), service);
        }
    }

    /** The page ({@code --web}), told of every exchange by the exchange path from the first query on. */
    private void serveWeb(Settings.Web web, Optional<String> bearer, Service service) throws StartFailure {
        try {
            WebServer page = hold(WebServer.start(new WebServer.Setup(web.address(), bearer, web.edit(),
                    new WebSources(sources, reloader), Assembly::ask, server.udpAddress(), web.askable(),
                    System.err::println)));
            service.witness(page.witness());
            System.err.println("chivato: the page on http://" + LogFormat.address(page.address()) + "/");
        } catch (IOException e) {
            throw new StartFailure("chivato: --web " + LogFormat.address(web.address()) + ": "
                    + Problems.describe(e), Main.EXIT_FAILURE);
        }
    }

    /** The page's Ask: the command line's client, as {@code chivato query} asks (one try of two seconds). */
    private static List<Asker.Asked> ask(Message query, InetSocketAddress server, boolean tcp) throws IOException {
        try {
            return new StubClient(server, java.time.Duration.ofSeconds(2), 1).ask(query, tcp, false).stream()
                    .map(e -> new Asker.Asked(e.transport().label(), e.queryWire(), e.responseWire(), e.response(),
                            e.millis()))
                    .toList();
        } catch (StubClient.NoAnswerException e) {
            throw new IOException(e.getMessage());
        }
    }

    private void serveMetrics(Metrics metrics) throws StartFailure {
        InetSocketAddress address = settings.metrics().orElseThrow();
        try {
            MetricsServer http = hold(metrics.serve(address));
            System.err.println("chivato: metrics on http://" + LogFormat.address(new InetSocketAddress(
                    address.getAddress(), http.getPort())) + "/metrics");
        } catch (IOException e) {
            throw new StartFailure("chivato: --metrics " + LogFormat.address(address) + ": " + Problems.describe(e),
                    Main.EXIT_FAILURE);
        }
    }

    /**
     * Says where it listens, serves until SIGINT or SIGTERM or a failed event loop (reloading on SIGHUP and, with
     * {@code --watch}, when a file changes); returns the exit code. Stopping, in bounded time, is {@link #close}.
     */
    private int serveUntilStopped() {
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        Signals.onHangup(reloader::requestReload);
        server.failure().thenRun(stop::countDown);
        PrintWriter stdout = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        server.bound().forEach(b -> stdout.println(settings.jsonOnStdout() ? b.toJson() : b.toString()));
        server.start();
        if (!settings.watch().isZero()) {
            reloader.watch(settings.watch());
        }
        System.err.println("chivato: " + sources.describe()
                + (settings.snitch() ? "; snitch mode: every answer is NXDOMAIN" : ""));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
        Throwable failure = server.failure().getNow(null);
        if (failure != null) {
            System.err.println("chivato: stopped because an event loop failed: " + Problems.describe(failure));
            return Main.EXIT_FAILURE;
        }
        return logComplete ? 0 : Main.EXIT_FAILURE;
    }

    /**
     * Closes what was opened, the last first: reloads stop, the sockets close (sending what is pending), the taps
     * say what they dropped, the log is flushed within its time limit. Closing twice does nothing more.
     */
    @Override
    public void close() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception | Error e) {
                System.err.println("chivato: while stopping: " + Problems.describe(e));
            }
        }
    }

    private QueryLog openLog() throws StartFailure {
        if (settings.logFormat().isEmpty()) {
            return QueryLog.off();
        }
        try {
            OutputStream out = settings.logFile().isEmpty() ? new FileOutputStream(FileDescriptor.out)
                    : Files.newOutputStream(settings.logFile().get(), StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
            return QueryLog.writingTo(out, settings.logFormat().get(), settings.logOverflow());
        } catch (IOException e) {
            throw new StartFailure("chivato: cannot write the log to " + settings.logFile().orElse(null) + ": "
                    + Problems.describe(e), Main.EXIT_FAILURE);
        }
    }

    /** Closes the log within its time limit; when entries were lost, says so and the exit code will be 1. */
    private void closeLog() {
        try {
            log.close();
        } catch (QueryLog.LostEntriesException e) {
            System.err.println(e.getMessage());
            logComplete = false;
        }
    }

    /** The dnstap output asked for, or one that is off. */
    private TapSink openDnstap() throws StartFailure {
        if (settings.dnstap().isEmpty()) {
            return TapSink.off();
        }
        String target = settings.dnstap().get();
        String identity = settings.dnstapIdentity().orElseGet(Assembly::hostName);
        try {
            return TapSink.open(target, identity, new ServerOptions.Version().getVersion()[0], System.err::println);
        } catch (IOException | IllegalArgumentException e) {
            throw new StartFailure("chivato: --dnstap " + target + ": " + Problems.describe(e), Main.EXIT_FAILURE);
        }
    }

    private TapSink openCapture() throws StartFailure {
        if (settings.capture().isEmpty()) {
            return TapSink.off();
        }
        Path file = settings.capture().get();
        try {
            return TapSink.capture(file, PcapEncoder.fileHeader(), new PcapEncoder(WallClock::epochNanos),
                    settings.captureOctets(), System.err::println);
        } catch (IOException e) {
            throw new StartFailure("chivato: --capture " + file + ": " + Problems.describe(e), Main.EXIT_FAILURE);
        }
    }

    /** The kernel's host name, read without a DNS lookup (which could be a query to ourselves). */
    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            return "chivato";
        }
    }

    /** NOTIFY signed with {@code key} (the first {@code --tsig-key}), as the secondaries expect it. */
    private static MessageSigner.Factory signingWith(TransactionSignature.Key key) {
        return message -> {
            ByteBuffer out = ByteBuffer.allocate(Message.MAX_LENGTH);
            int length = message.encode(out, Message.MAX_LENGTH - 512);
            length = TransactionSignature.Signer.forRequest(key).sign(out, 0, length);
            return Arrays.copyOf(out.array(), length);
        };
    }
}
