package dev.chivato.server;

import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.HostEntry;
import dev.chivato.server.data.HostsFile;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.forward.Forwarding;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.metrics.Metrics;
import dev.chivato.server.network.Server;
import dev.chivato.server.network.ServerConfig;
import dev.chivato.server.network.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A real server on a free loopback port, in this JVM, logging JSON into memory. */
public final class TestServer implements AutoCloseable {
    final Server server;
    final QueryLog log;
    /** What the server would have said to the operator on stderr. */
    final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream logText = new ByteArrayOutputStream();

    private TestServer(RecordStore store, boolean snitch, QueryHandler.UnknownPolicy unknown, ServerConfig config)
            throws IOException {
        this(store, snitch, unknown, config, LogFormat.JSON);
    }

    private TestServer(RecordStore store, boolean snitch, QueryHandler.UnknownPolicy unknown, ServerConfig config,
            LogFormat format) throws IOException {
        this(new QueryHandler(store, unknown, snitch, 300), config, format);
    }

    private TestServer(QueryHandler handler, ServerConfig config, LogFormat format) throws IOException {
        this(handler, config, format, null);
    }

    private TestServer(QueryHandler handler, ServerConfig config, LogFormat format, Metrics metrics)
            throws IOException {
        this.log = QueryLog.writingTo(logText, format, QueryLog.Overflow.BLOCK);
        this.server = Server.start(config, new Service(handler, log, warnings::add, metrics));
    }

    /** The seed's records, counted in {@code metrics}. */
    public static TestServer startCounting(Metrics metrics) throws IOException {
        return new TestServer(new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.NXDOMAIN, false,
                300), config(), LogFormat.JSON, metrics);
    }

    /** Zones and no hosts records, names under no zone refused: as NSD and Knot serve them. */
    public static TestServer startWithZones(List<ZoneFile.Zone> zones) throws IOException {
        return new TestServer(new QueryHandler(RecordStore.of(List.of()), zones, QueryHandler.UnknownPolicy.REFUSE,
                false, 300), config(), LogFormat.JSON);
    }

    /** The seed's records, and every other name forwarded as {@code forwarding} says; one event loop. */
    public static TestServer startForwarding(Forwarding forwarding) throws IOException {
        return startForwarding(forwarding, null);
    }

    /** As above, counting in {@code metrics}. */
    public static TestServer startForwarding(Forwarding forwarding, Metrics metrics) throws IOException {
        return startForwarding(forwarding, metrics, 1);
    }

    /** As above, with {@code threads} event loops. */
    public static TestServer startForwarding(Forwarding forwarding, Metrics metrics, int threads) throws IOException {
        return new TestServer(new QueryHandler(RecordStore.defaults(), List.of(), QueryHandler.UnknownPolicy.NXDOMAIN,
                false, 300, forwarding::forwards), ServerConfig.of(List.of(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), 0)), threads).withForwarding(forwarding), LogFormat.JSON, metrics);
    }

    public static TestServer start(RecordStore store) throws IOException {
        return start(store, false);
    }

    public static TestServer start(RecordStore store, boolean snitch) throws IOException {
        return new TestServer(store, snitch, QueryHandler.UnknownPolicy.NXDOMAIN, config());
    }

    public static TestServer start(RecordStore store, ServerConfig config) throws IOException {
        return new TestServer(store, false, QueryHandler.UnknownPolicy.NXDOMAIN, config);
    }

    public static TestServer startLogging(RecordStore store, LogFormat format) throws IOException {
        return new TestServer(store, false, QueryHandler.UnknownPolicy.NXDOMAIN, config(), format);
    }

    static ServerConfig config() {
        return ServerConfig.of(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), 2);
    }

    /** The seed's records plus big.example.com with 100 A records. */
    static RecordStore seedAndBig() {
        List<HostEntry> entries = new ArrayList<>();
        try {
            int line = 0;
            for (String text : RecordStore.DEFAULT_LINES) {
                entries.add(HostsFile.parseLine("seed", ++line, text).orElseThrow());
            }
            for (int i = 1; i <= 100; i++) {
                entries.add(HostsFile.parseLine("big", i, "10.0.0." + i + " big.example.com").orElseThrow());
            }
            entries.add(HostsFile.parseLine("v6", 1, "2001:db8::1 six.example.com").orElseThrow());
        } catch (FileProblem e) {
            throw new AssertionError(e);
        }
        return RecordStore.of(entries);
    }

    /** The seed's handler, but one that fails as a bug would on every ANY query. */
    static QueryHandler failingHandler(Throwable failure) {
        return new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.NXDOMAIN, false, 300) {
            @Override
            public Reply handle(dev.chivato.protocol.Message query, Transport transport, java.net.InetAddress client,
                    dev.chivato.server.tsig.TransactionSignature.Check signature) {
                if (!query.questions().isEmpty()
                        && !query.questions().get(0).type().equals(dev.chivato.protocol.RRType.ANY)) {
                    return super.handle(query, transport, client, signature);
                }
                if (failure instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) failure;
            }
        };
    }

    public int port() {
        return server.udpAddress().getPort();
    }

    /** Stops the server and returns every JSON log line it wrote. */
    List<String> stopAndReadLog() throws IOException {
        server.close();
        log.close();
        return logText.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    @Override
    public void close() throws IOException {
        server.close();
        log.close();
    }
}
