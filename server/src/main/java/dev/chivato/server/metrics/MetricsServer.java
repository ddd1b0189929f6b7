package dev.chivato.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /metrics} over HTTP, on the JDK's server with the limits a port anyone can reach needs: a request must be
 * whole within {@link #REQUEST_SECONDS} (a client trickling its headers a byte at a time is cut off, not served
 * forever), at most {@link #MAX_CONNECTIONS} connections at once, bounded headers, and a scrape whose client went
 * away costs nothing but the count of such scrapes (no stack trace, however often it happens).
 */
public final class MetricsServer implements AutoCloseable {
    static final int REQUEST_SECONDS = 2;
    static final int MAX_CONNECTIONS = 32;
    private static final int THREADS = 2;

    static {
        // The JDK reads these once, when its HTTP server is first used; ours is the only one in the process.
        System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
        System.setProperty("sun.net.httpserver.maxRspTime", "10");
        System.setProperty("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
        System.setProperty("sun.net.httpserver.maxReqHeaders", "64");
        System.setProperty("sun.net.httpserver.maxReqHeaderSize", "16384");
        System.setProperty("sun.net.httpserver.timerMillis", "250");
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final AtomicLong abandoned = new AtomicLong();

    private MetricsServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Serves {@code registry} on {@code address} (port 0: a free one). */
    static MetricsServer start(InetSocketAddress address, PrometheusRegistry registry) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "chivato-metrics");
            thread.setDaemon(true);
            return thread;
        });
        MetricsServer metrics = new MetricsServer(server, threads);
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        server.createContext("/", exchange -> metrics.answer(exchange, registry, writer));
        server.setExecutor(threads);
        server.start();
        return metrics;
    }

    private void answer(HttpExchange exchange, PrometheusRegistry registry, PrometheusTextFormatWriter writer) {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "text/plain; charset=utf-8", "GET /metrics\n".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/metrics") || path.equals("/metrics/")) {
                ByteArrayOutputStream text = new ByteArrayOutputStream(16 * 1024);
                writer.write(text, registry.scrape(), EscapingScheme.DEFAULT);
                reply(exchange, 200, writer.getContentType(), text.toByteArray());
            } else {
                reply(exchange, 404, "text/plain; charset=utf-8",
                        "chivato serves its metrics on /metrics\n".getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException gone) {
            abandoned.incrementAndGet(); // the client reset or left: nothing to tell it, nothing to print
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public int getPort() {
        return server.getAddress().getPort();
    }

    /** Scrapes whose client went away before its answer was written. */
    public long abandoned() {
        return abandoned.get();
    }

    public void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    @Override
    public void close() {
        stop();
    }
}
