package dev.chivato.server.forward;

import dev.chivato.protocol.Addresses;
import dev.chivato.protocol.Name;
import dev.chivato.server.core.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Where the names we do not hold are sent ({@code --forward}), who may have that done for them
 * ({@code --allow-recursion}), and the limits of it.
 *
 * @param routes         upstreams by domain: the longest domain at or above a name wins, the root for every name
 * @param allowed        the clients forwarded for; the others get REFUSED for names we do not hold
 * @param tryTimeout     how long one try waits before the next upstream is asked
 * @param deadline       how long a client waits in all before it gets SERVFAIL
 * @param maxPending     client queries waiting for upstreams, per event loop; SERVFAIL beyond (and beyond
 *                       {@link #MAX_PENDING_OCTETS})
 * @param randomizeCase  send the question's letters in random case (0x20) and want them back exactly
 * @param cache          how much of the upstreams' answers is kept, in all
 */
public record Forwarding(List<Route> routes, List<Cidr> allowed, Duration tryTimeout, Duration deadline,
                         int maxPending, boolean randomizeCase, CacheLimits cache) {
    public static final Duration TRY_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEADLINE = Duration.ofSeconds(4);
    public static final int MAX_PENDING = 10_000;
    /** Forwarded queries one TCP client may have waiting at once; it is not read from while at this. */
    public static final int MAX_PER_CONNECTION = 100;
    /**
     * Octets the client queries waiting for upstreams may hold, per event loop: each keeps what its reply and its log
     * entry need (the query itself when small, else its header, question and EDNS), so a flood of large queries to a
     * silent upstream is refused long before the heap is at risk.
     */
    public static final long MAX_PENDING_OCTETS = 16L << 20;

    /**
     * The forward cache's bounds, for all the event loops together: entries (0 turns it off), octets, and the longest
     * time an answer is kept whatever its TTL says.
     */
    public record CacheLimits(int entries, long octets, long maxTtl) {
        public static final CacheLimits DEFAULT = new CacheLimits(10_000, 64L << 20, 86_400);
        public static final CacheLimits OFF = new CacheLimits(0, 0, 0);

        public CacheLimits {
            if (entries < 0 || octets < 0 || maxTtl < 0) {
                throw new IllegalArgumentException("cache bounds are not negative");
            }
        }
    }

    /** The upstreams of one domain and everything below it. */
    public record Route(Name domain, List<InetSocketAddress> upstreams) {
        public Route {
            upstreams = List.copyOf(upstreams);
            if (upstreams.isEmpty()) {
                throw new IllegalArgumentException("a route needs an upstream");
            }
        }
    }

    public Forwarding {
        routes = List.copyOf(routes);
        allowed = List.copyOf(allowed);
        if (maxPending < 1) {
            throw new IllegalArgumentException("at least one query must be able to wait");
        }
    }

    /** With the default cache. */
    public Forwarding(List<Route> routes, List<Cidr> allowed, Duration tryTimeout, Duration deadline,
            int maxPending, boolean randomizeCase) {
        this(routes, allowed, tryTimeout, deadline, maxPending, randomizeCase, CacheLimits.DEFAULT);
    }

    /** Nothing forwarded. */
    public static Forwarding none() {
        return new Forwarding(List.of(), List.of(), TRY_TIMEOUT, DEADLINE, MAX_PENDING, false, CacheLimits.OFF);
    }

    public Forwarding withCache(CacheLimits limits) {
        return new Forwarding(routes, allowed, tryTimeout, deadline, maxPending, randomizeCase, limits);
    }

    public boolean enabled() {
        return !routes.isEmpty();
    }

    /** The upstreams for a name: those of the longest domain at or above it; empty when no route covers it. */
    public Optional<List<InetSocketAddress>> upstreamsFor(Name name) {
        Route best = null;
        for (Route route : routes) {
            if (name.isSubdomainOf(route.domain())
                    && (best == null || route.domain().wireLength() > best.domain().wireLength())) {
                best = route;
            }
        }
        return Optional.ofNullable(best).map(Route::upstreams);
    }

    public boolean forwards(Name name) {
        return upstreamsFor(name).isPresent();
    }

    public boolean allows(InetAddress client) {
        for (Cidr network : allowed) {
            if (network.contains(client)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code --forward} values in order, each {@code [DOMAIN=]ADDRESS[:PORT]} ({@code [::1]:53} for IPv6 with a port),
     * grouped into routes: the upstreams of one domain in the order given.
     */
    public static List<Route> routes(List<String> specs) {
        List<Route> routes = new ArrayList<>();
        for (String spec : specs) {
            int equals = spec.indexOf('=');
            Name domain = equals < 0 ? Name.ROOT : parseDomain(spec.substring(0, equals));
            InetSocketAddress upstream = upstream(spec.substring(equals + 1));
            int existing = -1;
            for (int i = 0; i < routes.size(); i++) {
                existing = routes.get(i).domain().equals(domain) ? i : existing;
            }
            if (existing < 0) {
                routes.add(new Route(domain, List.of(upstream)));
            } else {
                List<InetSocketAddress> more = new ArrayList<>(routes.get(existing).upstreams());
                more.add(upstream);
                routes.set(existing, new Route(domain, more));
            }
        }
        return routes;
    }

    private static Name parseDomain(String text) {
        try {
            return Name.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a domain name: " + e.getMessage());
        }
    }

    /** {@code ADDRESS[:PORT]}, port 53 when none is given; an IPv6 address with a port in brackets. */
    public static InetSocketAddress upstream(String text) {
        String host = text;
        int port = 53;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("\"" + text + "\": a '[' without its ']'");
            }
            host = text.substring(1, close);
            if (close + 1 < text.length()) {
                if (text.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("\"" + text + "\": expected :PORT after ']'");
                }
                port = port(text, text.substring(close + 2));
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = port(text, text.substring(text.indexOf(':') + 1));
        }
        try {
            byte[] octets = host.contains(":") ? Addresses.parseIPv6(host) : ipv4(host);
            return new InetSocketAddress(InetAddress.getByAddress(octets), port);
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an address (ADDRESS[:PORT], [IPV6]:PORT)");
        }
    }

    private static byte[] ipv4(String text) {
        int bits = Addresses.parseIPv4(text);
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    private static int port(String text, String port) {
        try {
            int value = Integer.parseInt(port);
            if (value < 1 || value > 65535) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\": the port is not in 1..65535");
        }
    }

    /**
     * The clients of a local service, as dnsmasq's {@code --local-service}: loopback, and the subnets of the
     * interfaces that hold the addresses we listen on (every interface's for a wildcard address).
     */
    public static List<Cidr> localClients(List<InetSocketAddress> listening) {
        List<Cidr> networks = new ArrayList<>(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1")));
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InterfaceAddress address : nic.getInterfaceAddresses()) {
                    boolean ours = listening.stream().anyMatch(l -> l.getAddress().isAnyLocalAddress()
                            || l.getAddress().equals(address.getAddress()));
                    if (ours && !address.getAddress().isLoopbackAddress()) {
                        networks.add(Cidr.of(address.getAddress(), address.getNetworkPrefixLength()));
                    }
                }
            }
        } catch (SocketException e) {
            // no interfaces to read: loopback only
        }
        return networks;
    }
}
