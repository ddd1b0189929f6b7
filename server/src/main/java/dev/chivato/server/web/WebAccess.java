package dev.chivato.server.web;

import com.sun.net.httpserver.HttpExchange;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who may use the page, checked on every request before anything else:
 * <ul>
 * <li>the {@code Host} header must name the address we listen on (or {@code localhost} on loopback): a page from
 *     another site whose name was made to resolve to us (DNS rebinding) is refused;</li>
 * <li>a request that changes state (a POST) must carry this start's token, which only our own page holds, and come
 *     from our own origin (CSRF);</li>
 * <li>beyond loopback, every API request must carry the bearer token of {@code --web-token}, which the page asks
 *     for once.</li>
 * </ul>
 */
final class WebAccess {
    private final Set<String> hosts = new HashSet<>();
    private final String token;
    private final Optional<String> bearer;

    WebAccess(InetSocketAddress bound, Optional<String> bearer) {
        this.bearer = bearer;
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.token = HexFormat.of().formatHex(random);
        int port = bound.getPort();
        String literal = bound.getAddress() instanceof Inet6Address
                ? "[" + bound.getAddress().getHostAddress().replaceAll("%.*", "") + "]"
                : bound.getAddress().getHostAddress();
        allow(literal, port);
        if (bound.getAddress().isLoopbackAddress()) {
            allow("localhost", port);
            allow("127.0.0.1", port);
            allow("[::1]", port);
        }
    }

    private void allow(String host, int port) {
        hosts.add((host + ":" + port).toLowerCase(Locale.ROOT));
        if (port == 80) {
            hosts.add(host.toLowerCase(Locale.ROOT));
        }
    }

    /** This start's token, put in the page for its requests that change state. */
    String token() {
        return token;
    }

    boolean needsBearer() {
        return bearer.isPresent();
    }

    boolean hostAllowed(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        return host != null && hosts.contains(host.toLowerCase(Locale.ROOT));
    }

    /** The bearer token, from the Authorization header, or from {@code token=} for an EventSource (no headers). */
    boolean bearerAllowed(HttpExchange exchange) {
        if (bearer.isEmpty()) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String given = header != null && header.startsWith("Bearer ") ? header.substring(7).strip()
                : queryParameter(exchange, "token");
        return given != null && same(given, bearer.get());
    }

    /** A POST from our own page: this start's token, and no foreign origin or cross-site fetch. */
    boolean changeAllowed(HttpExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst("X-Chivato-Token");
        if (given == null || !same(given, token)) {
            return false;
        }
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin != null && !(origin.startsWith("http://") && hosts.contains(origin.substring(7)
                .toLowerCase(Locale.ROOT)))) {
            return false;
        }
        String site = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
        return site == null || site.equals("same-origin");
    }

    private static boolean same(String given, String expected) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    static String queryParameter(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        return query == null ? null : Form.parse(query).get(name);
    }
}
