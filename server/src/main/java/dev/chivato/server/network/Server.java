package dev.chivato.server.network;

import dev.chivato.server.core.Transport;
import dev.chivato.server.forward.ForwardCache;
import dev.chivato.server.forward.Forwarder;
import dev.chivato.server.log.LogFormat;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running server: for each listen address, one UDP and one TCP socket per event loop, all bound to the same port
 * with SO_REUSEPORT so the kernel spreads clients over the loops.
 */
public final class Server implements AutoCloseable {
    /** A socket the server listens on. */
    public record Bound(Transport transport, InetSocketAddress address) {
        /** The line printed at start: {@code listening udp 127.0.0.1:10053}. */
        @Override
        public String toString() {
            return "listening " + transport.label() + " " + LogFormat.address(address);
        }

        /** The same as a JSON Lines entry, for a JSON log that shares stdout. */
        public String toJson() {
            return "{\"kind\":\"listening\",\"transport\":\"" + transport.label() + "\",\"address\":\""
                    + LogFormat.address(address) + "\"}";
        }
    }

    private static final int PORT_ATTEMPTS = 20;

    private final List<EventLoop> loops;
    private final AtomicInteger openConnections;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Bound> bound;
    private final CompletableFuture<Throwable> failure;

    /** Octets of datagrams each UDP socket may hold unread, as NSD's so-rcvbuf. */
    static final int UDP_RECEIVE_BUFFER = 4 << 20;

    private Server(List<EventLoop> loops, AtomicInteger openConnections, List<Bound> bound,
            CompletableFuture<Throwable> failure) {
        this.loops = loops;
        this.openConnections = openConnections;
        this.bound = bound;
        this.failure = failure;
    }

    /** Binds and starts serving; lines for the operator go where the service says. */
    public static Server start(ServerConfig config, Service service) throws IOException {
        Server server = bind(config, service);
        server.start();
        return server;
    }

    /**
     * Binds every socket, without serving yet: a caller can say where it listens before the first query arrives.
     * Queries that arrive meanwhile wait in the sockets.
     */
    public static Server bind(ServerConfig config, Service service) throws IOException {
        AtomicInteger openConnections = new AtomicInteger();
        MemoryBudget tcpMemory = new MemoryBudget(config.tcpMemory());
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        List<EventLoop> loops = new ArrayList<>();
        List<Bound> bound = new ArrayList<>();
        try {
            ForwardCache forwardCache = config.forwarding().enabled()
                    ? new ForwardCache(config.forwarding().cache()) : null;
            int ports = Forwarder.portsPerLoop(config.threads(), config.listen().size(), config.maxConnections());
            for (int i = 0; i < config.threads(); i++) {
                loops.add(new EventLoop(service, config, openConnections, tcpMemory, forwardCache, ports,
                        failure::complete));
            }
            for (InetSocketAddress address : config.listen()) {
                InetSocketAddress actual = bindAll(address, loops);
                bound.add(new Bound(Transport.UDP, actual));
                bound.add(new Bound(Transport.TCP, actual));
            }
        } catch (IOException | RuntimeException e) {
            loops.forEach(EventLoop::shutDown); // closes what each loop had registered
            throw e;
        }
        // One loop that cannot go on stops them all: better no server than one that answers some clients.
        failure.thenRun(() -> loops.forEach(EventLoop::stop));
        return new Server(loops, openConnections, List.copyOf(bound), failure);
    }

    /** Starts one thread per event loop. */
    public void start() {
        for (int i = 0; i < loops.size(); i++) {
            Thread thread = new Thread(loops.get(i), "chivato-loop-" + i);
            threads.add(thread);
            thread.start();
        }
    }

    /**
     * How this JVM reads the UDP sockets of a server that does not forward (one that forwards reads them on its loop):
     * in batches ({@link BatchedDatagrams}), or one datagram at a time and why.
     */
    public static String udpReading() {
        String why = BatchedDatagrams.unavailable();
        return why == null ? "UDP read in batches (recvmmsg)" : "UDP read one datagram at a time (" + why + ")";
    }

    /**
     * Binds UDP and TCP on one address for every loop. First the address is claimed by a pair of probe sockets
     * without SO_REUSEPORT: if another process holds it (even one that set SO_REUSEPORT too, which would otherwise
     * let both share the traffic), that bind fails and so do we, as NSD does. The probes also pick the port when
     * asked for port 0, the same for UDP and TCP (so {@code dig +tcp} finds the server where {@code dig} did).
     * Then the loops' sockets share the port among themselves.
     */
    private static InetSocketAddress bindAll(InetSocketAddress address, List<EventLoop> loops) throws IOException {
        for (int attempt = 1; ; attempt++) {
            InetSocketAddress actual;
            try {
                actual = probe(address);
            } catch (BindException e) {
                if (address.getPort() != 0 || attempt >= PORT_ATTEMPTS) {
                    throw new BindException(cannotListen(address, e));
                }
                continue; // port 0: UDP's pick was taken for TCP; pick again
            }
            List<DatagramChannel> udp = new ArrayList<>();
            List<ServerSocketChannel> tcp = new ArrayList<>();
            try {
                for (int i = 0; i < loops.size(); i++) {
                    DatagramChannel datagrams = DatagramChannel.open(family(address));
                    udp.add(datagrams);
                    datagrams.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    // room for a burst while the loop is busy (the kernel caps it at net.core.rmem_max)
                    datagrams.setOption(StandardSocketOptions.SO_RCVBUF, UDP_RECEIVE_BUFFER);
                    datagrams.bind(actual);
                    ServerSocketChannel server = ServerSocketChannel.open(family(address));
                    tcp.add(server);
                    server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    server.bind(actual, 1024);
                }
                for (int i = 0; i < loops.size(); i++) {
                    loops.get(i).add(udp.get(i));
                    loops.get(i).add(tcp.get(i));
                }
                return actual;
            } catch (BindException e) {
                closeAll(udp);
                closeAll(tcp);
                // someone took the port between the probe and now; a fixed port is theirs, port 0 picks again
                if (address.getPort() != 0 || attempt >= PORT_ATTEMPTS) {
                    throw new BindException(cannotListen(actual, e));
                }
            }
        }
    }

    /**
     * Why an address cannot be had, in one line; for a port below 1024 refused to an ordinary user, what to do
     * about it.
     */
    static String cannotListen(InetSocketAddress address, BindException e) {
        String line = "cannot listen on " + LogFormat.address(address) + ": " + e.getMessage();
        if (address.getPort() > 0 && address.getPort() < 1024 && String.valueOf(e.getMessage())
                .contains("Permission denied")) {
            line += " (ports below 1024 need CAP_NET_BIND_SERVICE: run it as chivato.service does, which grants it,"
                    + " or setcap cap_net_bind_service=+ep on the java binary, or use authbind; or listen on a port"
                    + " above 1023)";
        }
        return line;
    }

    /** Binds UDP then TCP on the address without SO_REUSEPORT, then lets both go; returns the address bound. */
    private static InetSocketAddress probe(InetSocketAddress address) throws IOException {
        try (DatagramChannel udp = DatagramChannel.open(family(address));
             ServerSocketChannel tcp = ServerSocketChannel.open(family(address))) {
            udp.bind(address);
            InetSocketAddress actual = (InetSocketAddress) udp.getLocalAddress();
            tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true); // only TIME_WAIT leftovers may share it
            tcp.bind(actual);
            return actual;
        }
    }

    private static StandardProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    private static void closeAll(List<? extends java.nio.channels.Channel> channels) {
        for (java.nio.channels.Channel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** The loops' forwarders (none when nothing is forwarded): for tests that hold their invariants. */
    public List<Forwarder> forwarders() {
        return loops.stream().map(EventLoop::forwarder).filter(java.util.Objects::nonNull).toList();
    }

    /** Whether a loop's thread still runs (it closes its sockets before it ends): for tests. */
    public boolean anyLoopRuns() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    /** TCP connections open now, over all loops. */
    public int openConnections() {
        return openConnections.get();
    }

    public List<Bound> bound() {
        return bound;
    }

    /** The first UDP address, for tests and scripts. */
    public InetSocketAddress udpAddress() {
        return bound.get(0).address();
    }

    /**
     * Completes with the first failure of an event loop (an Error, or a bug outside any one client's handling): the
     * server can no longer serve every client and must be stopped, loudly.
     */
    public CompletableFuture<Throwable> failure() {
        return failure;
    }

    /**
     * Stops reading, lets every loop finish the message in hand and send what is pending (a second at most), and
     * returns when they are done or after two seconds in all: a loop waiting on a stalled log is let go when the log
     * is closed, which comes next.
     */
    @Override
    public void close() {
        loops.forEach(EventLoop::stop);
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
