package dev.chivato.server.forward;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One event loop's upstream sockets, against spoofing (RFC 5452 section 9.2): each on a port the kernel picked at
 * random from the ephemeral range, connected to its upstream (the kernel then delivers nothing from anyone else and
 * reports the upstream's ICMP errors), used {@link #USES_PER_PORT} times at most so the set of ports keeps changing,
 * and closed when idle. A new query draws one of the upstream's open sockets at random and takes it when nothing waits
 * on it, drawing again up to {@link #DRAWS} times while the one drawn is busy; it opens a new one while fewer than
 * {@link #WORKING_SET} are open, or when every draw was busy (up to {@code size} in all). So at a low rate a few sockets are reused (each a random port, changed every
 * {@link #USES_PER_PORT} queries) instead of one bound, connected and registered per query, and under load the
 * queries in flight spread over as many ports as they need.
 *
 * <p>The number of sockets comes from the process's descriptor limit ({@link #sizeFor}), leaving room for clients;
 * when the system refuses a new socket anyway (EMFILE, ENFILE), a query shares one already open, as Unbound goes on
 * with fewer ports. Used by the owning loop's thread only.
 *
 * @param <T> what waits for an answer on a port, by the ID its query went with
 */
final class PortPool<T> {
    static final int USES_PER_PORT = 64;
    /** The most sockets one loop opens, whatever the limit allows (Unbound's outgoing-range). */
    static final int MAX_PORTS = 1024;
    static final int MIN_PORTS = 4;
    /** Sockets per upstream opened before the open ones are reused. */
    static final int WORKING_SET = 16;
    /**
     * Draws for a socket nothing waits on before a new one is opened. With one draw, a socket opened whenever the one
     * drawn was busy kept the pool at about 64 sockets per query in flight (each new one the 1 in 64 draw a socket's
     * uses allow): some 380 at 20,000 new names a second, each query's socket, map and key cold in the cache. Four
     * draws keep it near the working set; every query still goes out alone on its socket.
     */
    static final int DRAWS = 4;
    /** A socket nothing was sent from for this long is closed: a quiet server holds no sockets. */
    static final long IDLE_NANOS = 10_000_000_000L;

    /** A socket on a random port, connected to one upstream, shared by the queries drawn to it (told apart by ID). */
    static final class Port<T> {
        final DatagramChannel channel;
        final InetSocketAddress upstream;
        /** Our end of it, for dnstap and the capture. */
        final InetSocketAddress local;
        final IdTable<T> waiting = new IdTable<>();
        int uses;
        long lastUsed;
        boolean retired;

        Port(DatagramChannel channel, InetSocketAddress upstream, InetSocketAddress local) {
            this.channel = channel;
            this.upstream = upstream;
            this.local = local;
        }
    }

    private final Selector selector;
    private final KeystreamRandom random;
    private final int size;
    /** The sockets new queries may use, by upstream; {@link #open} counts these and retired ones still waited on. */
    private final Map<InetSocketAddress, List<Port<T>>> pools = new HashMap<>();
    private int open;
    /** Sockets opened since start: what the pool saves is sockets not opened. */
    private long opened;
    private long nextIdleSweep = System.nanoTime();

    PortPool(Selector selector, KeystreamRandom random, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a port pool needs a place");
        }
        this.selector = selector;
        this.random = random;
        this.size = size;
    }

    /**
     * Sockets per loop within the process's descriptor limit: what is left after room for {@code maxConnections}
     * clients (at most half the limit), the listening sockets and 64 for the rest (files, selectors), shared by the
     * loops; between {@link #MIN_PORTS} and {@link #MAX_PORTS}.
     */
    static int sizeFor(int threads, int listeners, int maxConnections) {
        long limit = descriptorLimit();
        long clients = Math.min(maxConnections, limit / 2);
        long left = limit - clients - 64 - 2L * threads * listeners - 3L * threads;
        return (int) Math.max(MIN_PORTS, Math.min(MAX_PORTS, left / Math.max(1, threads)));
    }

    /** The process's limit on open descriptors, or a generous guess where the platform does not say. */
    static long descriptorLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return 65_536;
    }

    int size() {
        return size;
    }

    /** Sockets open now (in use, or retired and still waited on). */
    int open() {
        return open;
    }

    /** Sockets opened since start. */
    long opened() {
        return opened;
    }

    /**
     * A socket for a new query to {@code upstream}: drawn as above. When no new socket can be had (the descriptor
     * limit), one already open to that upstream is shared.
     *
     * @throws IOException when there is none to share either
     */
    Port<T> portFor(InetSocketAddress upstream, long now) throws IOException {
        List<Port<T>> pool = pools.computeIfAbsent(upstream, u -> new ArrayList<>());
        Port<T> drawn = draw(pool);
        boolean wantNew = pool.size() < Math.min(WORKING_SET, size) || !drawn.waiting.isEmpty();
        Port<T> port;
        if (wantNew && open < size) {
            try {
                port = openPort(upstream);
                pool.add(port);
            } catch (IOException refused) {
                if (drawn == null) {
                    throw refused;
                }
                port = drawn; // out of descriptors: share one
            }
        } else if (drawn != null) {
            port = drawn;
        } else {
            throw new IOException(size + " upstream sockets are open already");
        }
        port.lastUsed = now;
        if (++port.uses >= USES_PER_PORT) {
            stopDrawing(port); // this query is its last: it closes once that one is released
        }
        return port;
    }

    /** A socket of {@code pool} at random, drawn again while it is busy, {@link #DRAWS} times at most; null if none. */
    private Port<T> draw(List<Port<T>> pool) {
        if (pool.isEmpty()) {
            return null;
        }
        Port<T> drawn = pool.get(random.nextInt(pool.size()));
        for (int i = 1; i < DRAWS && !drawn.waiting.isEmpty(); i++) {
            drawn = pool.get(random.nextInt(pool.size()));
        }
        return drawn;
    }

    private Port<T> openPort(InetSocketAddress upstream) throws IOException {
        DatagramChannel channel = DatagramChannel.open(upstream.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.configureBlocking(false);
            channel.bind(null); // port 0: the kernel picks one at random from the ephemeral range
            channel.connect(upstream);
            Port<T> port = new Port<>(channel, upstream, (InetSocketAddress) channel.getLocalAddress());
            channel.register(selector, SelectionKey.OP_READ, port);
            open++;
            opened++;
            return port;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** An ID no query waiting on {@code port} has. */
    int freeId(Port<T> port) {
        return UpstreamStream.freeId(port.waiting, random);
    }

    /** Takes no new queries; closes once nothing waits on it. */
    void retire(Port<T> port) {
        stopDrawing(port);
        closeIfDone(port);
    }

    /**
     * Takes no new queries, and stays open for the one it was just drawn for (not yet in its {@code waiting}): it
     * closes when that one is released. Retiring it there closed it under that query, whose send then failed.
     */
    private void stopDrawing(Port<T> port) {
        port.retired = true;
        List<Port<T>> pool = pools.get(port.upstream);
        if (pool != null) {
            pool.remove(port);
        }
    }

    /** What waited on {@code port} under {@code id} waits no more. */
    void release(Port<T> port, int id, T waiter) {
        if (port.waiting.remove(id, waiter)) {
            closeIfDone(port);
        }
    }

    private void closeIfDone(Port<T> port) {
        if (port.retired && port.waiting.isEmpty() && port.channel.isOpen()) {
            open--;
            closeQuietly(port);
        }
    }

    /** Closes the sockets nothing was sent from for {@link #IDLE_NANOS}, looking at most once a second. */
    void closeIdle(long now) {
        if (now - nextIdleSweep < 0) {
            return;
        }
        nextIdleSweep = now + 1_000_000_000L;
        for (List<Port<T>> pool : List.copyOf(pools.values())) {
            for (Port<T> port : List.copyOf(pool)) {
                if (port.waiting.isEmpty() && now - port.lastUsed > IDLE_NANOS) {
                    retire(port);
                }
            }
        }
    }

    /** Every socket a new query could use is retired (those with nothing waiting close at once). */
    void retireAll() {
        for (List<Port<T>> pool : List.copyOf(pools.values())) {
            List.copyOf(pool).forEach(this::retire);
        }
    }

    /** Closes {@code port} at once (its upstream is unreachable): the caller fails whatever waited on it. */
    void closeNow(Port<T> port) {
        retire(port);
        if (port.channel.isOpen()) {
            open--;
            closeQuietly(port);
        }
    }

    private static void closeQuietly(Port<?> port) {
        try {
            port.channel.close(); // also cancels its key
        } catch (IOException e) {
            // closing a socket does not fail in a way that matters here
        }
    }
}
