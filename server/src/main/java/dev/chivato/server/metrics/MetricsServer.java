package dev.chivato.server.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /metrics} over HTTP/1.1, served by one thread that never blocks on a client: each connection's request
 * is read as it comes, must be whole within {@link #REQUEST_NANOS} and {@link #MAX_REQUEST} octets, gets one answer
 * and is closed ({@code Connection: close}). At most {@link #MAX_CONNECTIONS} are open: past that, the one that has
 * waited longest for its request to end makes room. So clients trickling their headers a byte at a time can delay a
 * scrape by two seconds at most, and a client that resets costs a count, never a stack trace.
 */
public final class MetricsServer implements AutoCloseable {
    static final int MAX_CONNECTIONS = 64;
    static final long REQUEST_NANOS = 2_000_000_000L;
    static final long RESPONSE_NANOS = 10_000_000_000L;
    static final int MAX_REQUEST = 8192;
    private static final long TICK_MILLIS = 250;

    /** One client: its request as read so far, then its answer as left to write. */
    private static final class Connection {
        final SocketChannel channel;
        final long openedAt;
        ByteBuffer request = ByteBuffer.allocate(1024);
        ByteBuffer response;

        Connection(SocketChannel channel, long openedAt) {
            this.channel = channel;
            this.openedAt = openedAt;
        }
    }

    private final ServerSocketChannel listener;
    private final Selector selector;
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    /** Open connections, oldest first. */
    private final ArrayDeque<Connection> connections = new ArrayDeque<>();
    private final Thread thread;
    private final AtomicLong abandoned = new AtomicLong();
    private volatile boolean running = true;

    private MetricsServer(ServerSocketChannel listener, Selector selector, PrometheusRegistry registry) {
        this.listener = listener;
        this.selector = selector;
        this.registry = registry;
        this.thread = new Thread(this::run, "chivato-metrics");
        this.thread.setDaemon(true);
    }

    /** Serves {@code registry} on {@code address} (port 0: a free one). */
    static MetricsServer start(InetSocketAddress address, PrometheusRegistry registry) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        Selector selector = Selector.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(address, 64);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            listener.close();
            selector.close();
            throw e;
        }
        MetricsServer server = new MetricsServer(listener, selector, registry);
        server.thread.start();
        return server;
    }

    private void run() {
        try {
            while (running) {
                selector.select(TICK_MILLIS);
                long now = System.nanoTime();
                for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (key.isValid() && key.isAcceptable()) {
                        accept(now);
                    } else if (key.isValid()) {
                        serve((Connection) key.attachment(), key);
                    }
                }
                closeLate(now);
            }
        } catch (IOException | RuntimeException broken) {
            abandoned.incrementAndGet(); // the selector failed: metrics stop, the DNS server goes on
        } finally {
            connections.forEach(this::close);
            connections.clear();
            closeQuietly(listener);
            closeQuietly(selector);
        }
    }

    private void accept(long now) {
        SocketChannel channel;
        while ((channel = acceptOne()) != null) {
            if (connections.size() >= MAX_CONNECTIONS) {
                close(connections.poll()); // the one that has been open longest makes room
            }
            try {
                channel.configureBlocking(false);
                Connection connection = new Connection(channel, now);
                channel.register(selector, SelectionKey.OP_READ, connection);
                connections.add(connection);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
            }
        }
    }

    private SocketChannel acceptOne() {
        try {
            return listener.accept();
        } catch (IOException outOfDescriptors) {
            return null; // the next turn tries again
        }
    }

    private void serve(Connection connection, SelectionKey key) {
        try {
            if (connection.response == null) {
                if (connection.channel.read(connection.request) < 0 || !connection.request.hasRemaining()
                        && !grow(connection)) {
                    finish(connection);
                    return;
                }
                int end = endOfHeaders(connection.request);
                if (end < 0) {
                    return;
                }
                connection.response = ByteBuffer.wrap(answer(connection.request, end));
                key.interestOps(SelectionKey.OP_WRITE);
            }
            connection.channel.write(connection.response);
            if (!connection.response.hasRemaining()) {
                finish(connection);
            }
        } catch (IOException | RuntimeException gone) {
            abandoned.incrementAndGet(); // reset or gone: nothing to tell it, nothing to print
            finish(connection);
        }
    }

    /** Doubles a request's buffer up to {@link #MAX_REQUEST}; false past it (the client is closed). */
    private static boolean grow(Connection connection) {
        if (connection.request.capacity() >= MAX_REQUEST) {
            return false;
        }
        connection.request = ByteBuffer.allocate(connection.request.capacity() * 2).put(connection.request.flip());
        return true;
    }

    /** Where the request's headers end (after the blank line), or -1 while they have not. */
    private static int endOfHeaders(ByteBuffer request) {
        for (int i = 3; i < request.position(); i++) {
            if (request.get(i) == '\n' && request.get(i - 1) == '\r' && request.get(i - 2) == '\n'
                    && request.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private byte[] answer(ByteBuffer request, int end) throws IOException {
        String head = new String(request.array(), 0, end, StandardCharsets.ISO_8859_1);
        String[] line = head.substring(0, Math.max(0, head.indexOf('\r'))).split(" ");
        if (line.length != 3 || !line[2].startsWith("HTTP/1.")) {
            return response(400, "text/plain; charset=utf-8", "a request line: GET /metrics HTTP/1.1\n", false);
        }
        boolean head0 = line[0].equals("HEAD");
        if (!line[0].equals("GET") && !head0) {
            return response(405, "text/plain; charset=utf-8", "GET /metrics\n", false);
        }
        String path = line[1].indexOf('?') >= 0 ? line[1].substring(0, line[1].indexOf('?')) : line[1];
        if (!path.equals("/metrics") && !path.equals("/metrics/")) {
            return response(404, "text/plain; charset=utf-8", "chivato serves its metrics on /metrics\n", head0);
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream(16 * 1024);
        writer.write(text, registry.scrape(), EscapingScheme.DEFAULT);
        return response(200, writer.getContentType(), text.toString(StandardCharsets.UTF_8), head0);
    }

    private static byte[] response(int status, String type, String body, boolean headOnly) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            default -> "Method Not Allowed";
        };
        byte[] headers = ("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + content.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        if (headOnly) {
            return headers;
        }
        return ByteBuffer.allocate(headers.length + content.length).put(headers).put(content).array();
    }

    /** Closes those whose request did not end within {@link #REQUEST_NANOS}, or whose answer was not taken. */
    private void closeLate(long now) {
        for (Iterator<Connection> it = connections.iterator(); it.hasNext(); ) {
            Connection connection = it.next();
            long limit = connection.response == null ? REQUEST_NANOS : RESPONSE_NANOS;
            if (now - connection.openedAt > limit) {
                it.remove();
                close(connection);
            }
        }
    }

    private void finish(Connection connection) {
        connections.remove(connection);
        close(connection);
    }

    private void close(Connection connection) {
        if (connection != null) {
            closeQuietly(connection.channel);
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    public int getPort() {
        return listener.socket().getLocalPort();
    }

    /** Scrapes whose client went away before its answer was written. */
    public long abandoned() {
        return abandoned.get();
    }

    public void stop() {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
