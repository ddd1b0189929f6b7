package dev.chivato.server.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chivato.server.log.LogFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * {@code --web}: one page, served from the jar, to watch queries arrive (the live feed), see the bytes of each, ask
 * queries, read and edit the records, see the figures and run guided experiments. The JDK's HTTP server, on a
 * bounded pool of threads: each open page holds one (at most {@link #MAX_PAGES}), the other requests share the
 * rest. Every request is checked by {@link WebAccess} first.
 */
public final class WebServer implements AutoCloseable {
    /** Pages following the live feed at once, at most; one more is told to close another. */
    public static final int MAX_PAGES = 8;
    /** Octets of a request's body, at most (a zone edited in the page). */
    static final int MAX_BODY = 4 << 20;
    /** A page quiet this long is sent a comment: a page that went away is found by the write failing. */
    private static final long KEEPALIVE_MILLIS = 2_000;
    /** Lines sent to a page in one write, at most. */
    private static final int BATCH_LINES = 200;
    private static final Set<String> ASSETS = Set.of("/app.js", "/app.css");

    private final HttpServer http;
    private final ExecutorService threads;
    private final WebAccess access;
    private final LiveFeed feed = new LiveFeed();
    private final Served served;
    private final boolean editing;
    private final AskView asking;
    /** This chivato's DNS address, which the page names as Ask's default. */
    private final InetSocketAddress self;
    private final Consumer<String> warnings;
    private volatile boolean closing;

    /** What the page is given to work with. */
    public record Setup(InetSocketAddress listen, Optional<String> bearer, boolean editing, Served served,
                        Asker asker, InetSocketAddress dnsServer, List<InetSocketAddress> askable,
                        Consumer<String> warnings) {
    }

    private WebServer(Setup setup) throws IOException {
        this.served = setup.served();
        this.editing = setup.editing();
        this.asking = new AskView(setup.asker(), setup.dnsServer(), setup.askable());
        this.self = setup.dnsServer();
        this.warnings = setup.warnings();
        this.http = HttpServer.create(setup.listen(), 64);
        this.access = new WebAccess(http.getAddress(), setup.bearer());
        this.threads = Executors.newFixedThreadPool(MAX_PAGES + 4, runnable -> {
            Thread thread = new Thread(runnable, "chivato-web");
            thread.setDaemon(true);
            return thread;
        });
        http.setExecutor(threads);
        http.createContext("/", this::handleGuarded);
    }

    /** Binds and serves; the feed is to be told of every exchange ({@link #witness()}). */
    public static WebServer start(Setup setup) throws IOException {
        WebServer server = new WebServer(setup);
        server.http.start();
        return server;
    }

    /** What the exchange path tells of each exchange. */
    public dev.chivato.server.network.ExchangeWitness witness() {
        return feed;
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    @Override
    public void close() {
        closing = true;
        http.stop(0);
        threads.shutdownNow();
        feed.close();
    }

    private void handleGuarded(HttpExchange exchange) {
        try (exchange) {
            handle(exchange);
        } catch (IOException gone) {
            // the page went away
        } catch (RuntimeException bug) {
            warnings.accept("chivato: internal error in the web page's " + exchange.getRequestURI().getPath()
                    + ": " + bug);
            try {
                send(exchange, 500, "text/plain", "internal error: " + bug);
            } catch (IOException | RuntimeException gone) {
                // nothing more to say
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (!access.hostAllowed(exchange)) {
            send(exchange, 403, "text/plain", "this page answers to its own address only (a Host header of "
                    + exchange.getRequestHeaders().getFirst("Host") + " is refused: DNS rebinding?)");
            return;
        }
        if (method.equals("GET") && (path.equals("/") || path.equals("/index.html"))) {
            send(exchange, 200, "text/html; charset=utf-8", page());
            return;
        }
        if (method.equals("GET") && ASSETS.contains(path)) {
            send(exchange, 200, path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
                    asset(path));
            return;
        }
        if (!path.startsWith("/api/")) {
            send(exchange, 404, "text/plain", "no such page");
            return;
        }
        if (!access.bearerAllowed(exchange)) {
            send(exchange, 401, "text/plain", "this page needs the token of --web-token");
            return;
        }
        if (method.equals("POST") && !access.changeAllowed(exchange)) {
            send(exchange, 403, "text/plain", "refused: a change needs this page's token and its own origin");
            return;
        }
        route(exchange, method + " " + path);
    }

    private void route(HttpExchange exchange, String request) throws IOException {
        switch (request) {
            case "GET /api/live" -> live(exchange);
            case "GET /api/exchange" -> exchangeView(exchange);
            case "GET /api/stats" -> sendJson(exchange, 200, feed.stats().json(System.currentTimeMillis(),
                    feed.droppedBeforeFeed(), feed.droppedByPages(), feed.openPages()));
            case "GET /api/records" -> records(exchange);
            case "POST /api/records" -> save(exchange);
            case "POST /api/ask" -> ask(exchange);
            default -> send(exchange, 404, "text/plain", "no such request: " + request);
        }
    }

    /** The page, with this start's token and whether it may edit, in meta tags (no inline script: CSP). */
    private String page() throws IOException {
        return asset("/index.html").replace("{{token}}", access.token())
                .replace("{{editing}}", Boolean.toString(editing))
                .replace("{{bearer}}", Boolean.toString(access.needsBearer()))
                .replace("{{self}}", LogFormat.address(self));
    }

    private static String asset(String path) throws IOException {
        try (InputStream in = WebServer.class.getResourceAsStream("/web" + path)) {
            if (in == null) {
                throw new IOException("the jar has no /web" + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Server-Sent Events: the recent exchanges, then each new one, with what this page lost when it lost some. */
    private void live(HttpExchange exchange) throws IOException {
        if (feed.openPages() >= MAX_PAGES) {
            send(exchange, 503, "text/plain", MAX_PAGES + " pages follow the feed already: close one");
            return;
        }
        LiveFeed.Page page = feed.open();
        try {
            headers(exchange, "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (String line : feed.recent(100)) {
                event(out, "data: " + line + "\n\n");
            }
            long dropped = 0;
            long notShown = feed.notShown();
            StringBuilder batch = new StringBuilder();
            while (!closing) {
                String line = page.next(KEEPALIVE_MILLIS);
                batch.setLength(0);
                for (int n = 0; line != null && n < BATCH_LINES; n++, line = page.lines.poll()) {
                    batch.append("data: ").append(line).append("\n\n");
                }
                long lost = page.dropped.get();
                long passed = feed.notShown();
                if (lost != dropped || passed != notShown) {
                    dropped = lost;
                    notShown = passed;
                    batch.append("event: dropped\ndata: ").append(new Json().number("lost", lost)
                            .number("notShown", passed)).append("\n\n");
                }
                event(out, batch.length() == 0 ? ": still here\n\n" : batch.toString()); // one write a batch
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        } finally {
            feed.close(page);
        }
    }

    private static void event(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void exchangeView(HttpExchange exchange) throws IOException {
        long id;
        try {
            id = Long.parseLong(String.valueOf(WebAccess.queryParameter(exchange, "id")));
        } catch (NumberFormatException e) {
            send(exchange, 400, "text/plain", "id: a number");
            return;
        }
        LiveFeed.Entry entry = feed.find(id);
        if (entry == null) {
            send(exchange, 404, "text/plain", "exchange " + id + " is no longer kept");
            return;
        }
        sendJson(exchange, 200, new Json().raw("entry", entry.json()).raw("query", MessageView.json(entry.query()))
                .raw("answer", entry.answer() == null ? "null" : MessageView.json(entry.answer())).toString());
    }

    private void records(HttpExchange exchange) throws IOException {
        List<String> sources = new ArrayList<>();
        for (Served.Source source : served.sources()) {
            String text;
            try {
                text = served.text(source.id());
            } catch (IOException e) {
                text = "; cannot read: " + e.getMessage();
            }
            sources.add(new Json().string("id", source.id()).string("kind", source.kind())
                    .string("title", source.title()).bool("editable", editing && source.editable())
                    .string("text", text).toString());
        }
        sendJson(exchange, 200, new Json().bool("editing", editing).raw("sources", Json.array(sources)).toString());
    }

    private void save(HttpExchange exchange) throws IOException {
        if (!editing) {
            send(exchange, 403, "text/plain", "read-only: start the server with --web-edit to edit from the page");
            return;
        }
        Map<String, String> form = body(exchange);
        if (form == null) {
            return;
        }
        try {
            String done = served.save(String.valueOf(form.get("id")), String.valueOf(form.get("text")));
            sendJson(exchange, 200, new Json().string("saved", done).toString());
        } catch (Served.Refused refused) {
            sendJson(exchange, 400, new Json().string("problem", refused.getMessage()).toString());
        }
    }

    /** Sends a query as the page asked (the Ask view and the experiments). */
    private void ask(HttpExchange exchange) throws IOException {
        Map<String, String> form = body(exchange);
        if (form != null) {
            AskView.Reply reply = asking.ask(form);
            sendJson(exchange, reply.status(), reply.json());
        }
    }

    /** The request's form, or null when it was too large (and was answered so). */
    private Map<String, String> body(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && declared.length() > 9 || declared != null && Long.parseLong(declared) > MAX_BODY) {
            send(exchange, 413, "text/plain", "a request's body is " + MAX_BODY + " octets at most");
            return null;
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            send(exchange, 413, "text/plain", "a request's body is " + MAX_BODY + " octets at most");
            return null;
        }
        return Form.parse(new String(body, StandardCharsets.UTF_8));
    }

    private static void headers(HttpExchange exchange, String type) {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", type);
        headers.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cache-Control", "no-store");
    }

    private static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
        send(exchange, status, "application/json", json);
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] octets = body.getBytes(StandardCharsets.UTF_8);
        headers(exchange, type);
        exchange.sendResponseHeaders(status, octets.length == 0 ? -1 : octets.length);
        if (octets.length > 0) {
            exchange.getResponseBody().write(octets);
        }
    }
}
