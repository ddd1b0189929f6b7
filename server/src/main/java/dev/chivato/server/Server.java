package dev.chivato.server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
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
    }

    private static final int PORT_ATTEMPTS = 20;

    private final List<EventLoop> loops;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Bound> bound;

    private Server(List<EventLoop> loops, List<Bound> bound) {
        this.loops = loops;
        this.bound = bound;
    }

    public static Server start(ServerConfig config, PacketProcessor processor) throws IOException {
        AtomicInteger openConnections = new AtomicInteger();
        List<EventLoop> loops = new ArrayList<>();
        List<Bound> bound = new ArrayList<>();
        try {
            for (int i = 0; i < config.threads(); i++) {
                loops.add(new EventLoop(processor, config, openConnections));
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
        Server server = new Server(loops, List.copyOf(bound));
        for (int i = 0; i < loops.size(); i++) {
            Thread thread = new Thread(loops.get(i), "chivato-loop-" + i);
            server.threads.add(thread);
            thread.start();
        }
        return server;
    }

    /**
     * Binds UDP and TCP on one address for every loop. With port 0 the UDP socket picks the port and TCP takes the
     * same one, so {@code dig +tcp} finds the server where {@code dig} did; if TCP cannot have it, another is tried.
     */
    private static InetSocketAddress bindAll(InetSocketAddress address, List<EventLoop> loops) throws IOException {
        StandardProtocolFamily family = address.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        for (int attempt = 1; ; attempt++) {
            List<DatagramChannel> udp = new ArrayList<>();
            List<ServerSocketChannel> tcp = new ArrayList<>();
            try {
                InetSocketAddress actual = address;
                for (int i = 0; i < loops.size(); i++) {
                    DatagramChannel datagrams = DatagramChannel.open(family);
                    udp.add(datagrams);
                    datagrams.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    datagrams.bind(actual);
                    actual = (InetSocketAddress) datagrams.getLocalAddress();
                }
                for (int i = 0; i < loops.size(); i++) {
                    ServerSocketChannel server = ServerSocketChannel.open(family);
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
                if (address.getPort() != 0 || attempt >= PORT_ATTEMPTS) {
                    throw new BindException("cannot listen on " + LogFormat.address(address) + ": "
                            + e.getMessage());
                }
            }
        }
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

    public List<Bound> bound() {
        return bound;
    }

    /** The first UDP address, for tests and scripts. */
    public InetSocketAddress udpAddress() {
        return bound.get(0).address();
    }

    /** Stops reading, lets every loop finish the message in hand and send what is pending, then returns. */
    @Override
    public void close() {
        loops.forEach(EventLoop::stop);
        for (Thread thread : threads) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
