package dev.chivato.server.network;

import dev.chivato.server.core.Transport;
import dev.chivato.server.forward.Answers;
import dev.chivato.server.forward.ForwardCache;
import dev.chivato.server.forward.Forwarder;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.metrics.Metrics;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One thread and the selector it alone owns (as in the JDK's own HTTP server): its UDP sockets, its TCP listening
 * sockets and the connections they accepted. Buffers are this loop's and reused for every message.
 */
final class EventLoop implements Runnable {
    /** Datagrams handled per wake-up of one socket at most, before the others get a turn. */
    private static final int DATAGRAMS_PER_TURN = 64;
    private static final long SWEEP_INTERVAL_MILLIS = 250;

    private final Selector selector;
    private final PacketProcessor processor;
    private final ServerConfig config;
    private final AtomicInteger openConnections;
    private final MemoryBudget tcpMemory;
    /** Told when this loop cannot go on, so the whole server stops instead of living on half-deaf. */
    private final Consumer<Throwable> onFailure;
    /** Lines for the operator (stderr in the real server). */
    private final Consumer<String> warnings;
    private final ByteBuffer datagramIn = ByteBuffer.allocateDirect(0xffff);
    private final ByteBuffer datagramOut = ByteBuffer.allocateDirect(0xffff);
    private final ByteBuffer streamOut = ByteBuffer.allocate(2 + 0xffff);
    private final DatagramResponder datagramResponder = new DatagramResponder();
    private final Set<TcpConnection> connections = new HashSet<>();
    /** Numbers connections in the order they were accepted: of two idle since the same wake-up, the older goes. */
    private long accepted;
    private static final Comparator<TcpConnection> IDLEST_FIRST =
            Comparator.comparingLong(TcpConnection::lastActivityNanos).thenComparingLong(c -> c.serial);
    private final List<SelectableChannel> listeners = new ArrayList<>();
    /** This loop's queries waiting for upstream servers; null when nothing is forwarded. */
    private final Forwarder forwarder;
    private volatile boolean running = true;

    /** {@code forwardCache} is the one all loops share, or null when nothing is forwarded. */
    EventLoop(PacketProcessor processor, ServerConfig config, AtomicInteger openConnections, MemoryBudget tcpMemory,
            ForwardCache forwardCache, Consumer<Throwable> onFailure, Consumer<String> warnings) throws IOException {
        this.selector = Selector.open();
        this.processor = processor;
        this.config = config;
        this.openConnections = openConnections;
        this.tcpMemory = tcpMemory;
        this.onFailure = onFailure;
        this.warnings = warnings;
        this.forwarder = config.forwarding().enabled()
                ? new Forwarder(selector, config.forwarding(), forwardCache, processor.log(), warnings,
                        processor::keepForwarded, processor.metrics(), processor.dnstap()) : null;
    }

    void add(DatagramChannel channel) throws IOException {
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ, new ReadBudget());
        listeners.add(channel);
    }

    /**
     * How many datagrams a UDP socket's next turn reads. Reading until the socket is empty costs a receive that finds
     * nothing on every turn: a third system call per query when queries come one per wake-up, as they do below
     * saturation. So a turn reads as many as the last one found, twice that when the last one stopped with more
     * perhaps waiting (the selector is level-triggered: whatever is left wakes it again at once).
     */
    private static final class ReadBudget {
        int datagrams = 1;
    }

    void add(ServerSocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_ACCEPT);
        listeners.add(channel);
    }

    /** Asks the loop to stop; it finishes the message in hand, sends what is pending, and closes its sockets. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        long idleNanos = config.idleTimeout().toNanos();
        long ioNanos = config.ioTimeout().toNanos();
        long nextSweep = System.nanoTime();
        try {
            long wait = SWEEP_INTERVAL_MILLIS;
            while (running) {
                selector.select(wait);
                long now = System.nanoTime();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext() && running) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    handle(key, now);
                }
                wait = SWEEP_INTERVAL_MILLIS;
                if (forwarder != null) { // until the next upstream try is due, if sooner
                    long due = forwarder.onTick(System.nanoTime());
                    wait = due < 0 ? wait : Math.min(wait, due);
                }
                if (tcpMemory.exceeded()) {
                    closeLargest();
                }
                if (now - nextSweep >= 0) {
                    closeTimedOut(now, idleNanos, ioNanos);
                    nextSweep = now + SWEEP_INTERVAL_MILLIS * 1_000_000;
                }
            }
        } catch (Throwable failure) {
            // Not one client's problem (those are handled below): this loop cannot serve any more.
            running = false;
            onFailure.accept(failure);
        } finally {
            shutDown();
        }
    }

    private void handle(SelectionKey key, long now) throws IOException {
        if (!key.isValid()) {
            return;
        }
        if (forwarder != null && forwarder.owns(key)) {
            forwarder.onReady(key, now);
            return;
        }
        SelectableChannel channel = key.channel();
        if (channel instanceof DatagramChannel datagrams) {
            receiveDatagrams(datagrams, (ReadBudget) key.attachment());
        } else if (channel instanceof ServerSocketChannel server) {
            accept(server, now);
        } else {
            serve((TcpConnection) key.attachment(), key, now);
        }
    }

    /** One connection's turn. Whatever goes wrong with it costs that connection only. */
    private void serve(TcpConnection connection, SelectionKey key, long now) {
        try {
            boolean open = true;
            if (key.isWritable()) {
                open = connection.flush(now);
            }
            if (open && key.isValid() && key.isReadable()) {
                open = connection.onReadable(now);
            }
            if (!open) {
                close(connection, Metrics.Closed.CLIENT);
            }
        } catch (IOException e) {
            close(connection, Metrics.Closed.CLIENT); // the client reset or vanished
        } catch (RuntimeException bug) {
            warnings.accept("chivato: closing the TCP connection from " + LogFormat.address(connection.client)
                    + " after an internal error: " + bug);
            close(connection, Metrics.Closed.ERROR);
        }
    }

    /** Sends a datagram answer at once; says why when the socket did not take it. */
    private static final class DatagramResponder implements PacketProcessor.Responder {
        private static final Optional<String> BUFFER_FULL = Optional.of("the socket's send buffer is full");
        DatagramChannel channel;
        InetSocketAddress client;

        @Override
        public InetSocketAddress local() {
            return PacketProcessor.Responder.localOf(channel);
        }

        @Override
        public Optional<String> respond(ByteBuffer out, int length) {
            int end = out.position();
            out.limit(end).position(end - length);
            try {
                return channel.send(out, client) == 0 ? BUFFER_FULL : Optional.empty();
            } catch (IOException e) {
                // e.g. the client's port is unreachable: that answer is lost, the loop goes on
                return Optional.of(String.valueOf(e.getMessage()));
            } finally {
                out.position(end); // where the log reads the answer back from
            }
        }

        /** The same socket and client, kept for an answer that comes later. */
        @Override
        public Answers later() {
            DatagramResponder kept = new DatagramResponder();
            kept.channel = channel;
            kept.client = client;
            return new Answers() {
                @Override
                public Optional<String> send(ByteBuffer out, int length) {
                    return kept.respond(out, length);
                }

                @Override
                public void done() {
                }
            };
        }
    }

    private void receiveDatagrams(DatagramChannel channel, ReadBudget budget) throws IOException {
        datagramResponder.channel = channel;
        int turn = budget.datagrams;
        for (int i = 0; i < turn; i++) {
            datagramIn.clear();
            // The address object receive() returns is the one we reply to: no copy, no lookup.
            InetSocketAddress client = (InetSocketAddress) channel.receive(datagramIn);
            if (client == null) {
                budget.datagrams = Math.max(1, i);
                return;
            }
            datagramIn.flip();
            datagramOut.clear();
            datagramResponder.client = client;
            try {
                processor.process(datagramIn, datagramOut, Transport.UDP, client, datagramResponder, forwarder);
            } catch (RuntimeException bug) {
                // past the processor's own guard (its logging, say): that datagram is lost, the loop goes on
                warnings.accept("chivato: dropped a datagram from " + LogFormat.address(client)
                        + " after an internal error: " + bug);
            }
        }
        budget.datagrams = Math.min(DATAGRAMS_PER_TURN, 2 * turn);
    }

    private void accept(ServerSocketChannel server, long now) throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            if (openConnections.incrementAndGet() > config.maxConnections()) {
                openConnections.decrementAndGet();
                if (!closeIdlest()) {
                    channel.close(); // full of busy clients: refuse this one
                    continue;
                }
                openConnections.incrementAndGet();
            }
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                TcpConnection connection = new TcpConnection(channel, key,
                        (InetSocketAddress) channel.getRemoteAddress(), processor, streamOut, tcpMemory, now,
                        accepted++, forwarder, c -> close(c, Metrics.Closed.CLIENT));
                key.attach(connection);
                connections.add(connection);
                if (processor.metrics() != null) {
                    processor.metrics().connectionOpened();
                }
            } catch (IOException | RuntimeException e) {
                // the client left while being set up: give its place back
                openConnections.decrementAndGet();
                closeQuietly(channel);
            }
        }
    }

    /** At the connection cap, makes room by closing this loop's longest-idle connection; false when it has none. */
    private boolean closeIdlest() {
        TcpConnection idlest = null;
        for (TcpConnection connection : connections) {
            if (connection.isIdle() && (idlest == null || IDLEST_FIRST.compare(connection, idlest) < 0)) {
                idlest = connection;
            }
        }
        if (idlest == null) {
            return false;
        }
        close(idlest, Metrics.Closed.CAP);
        return true;
    }

    /** Over the TCP memory budget: closes this loop's connections that hold the most until it is met. */
    private void closeLargest() {
        List<TcpConnection> bySize = new ArrayList<>(connections);
        bySize.sort(Comparator.comparingInt(TcpConnection::footprint).reversed());
        int closed = 0;
        long freed = 0;
        for (TcpConnection connection : bySize) {
            if (!tcpMemory.exceeded()) {
                break;
            }
            freed += connection.footprint();
            abort(connection, Metrics.Closed.MEMORY);
            closed++;
        }
        if (closed > 0) {
            warnings.accept("chivato: TCP buffers over their budget of " + tcpMemory.limit() + " octets: closed "
                    + closed + " connections holding " + freed + " octets");
        }
    }

    private void closeTimedOut(long now, long idleNanos, long ioNanos) {
        List<TcpConnection> expired = new ArrayList<>();
        for (TcpConnection connection : connections) {
            if (connection.timedOut(now, idleNanos, ioNanos)) {
                expired.add(connection);
            }
        }
        expired.forEach(c -> abort(c, Metrics.Closed.TIMEOUT));
    }

    /**
     * Closes with a reset (SO_LINGER 0): a client that would not take its answers, or holds too much, gets no more
     * of them, and the kernel drops what it still buffered for it instead of holding it until it reads.
     */
    private void abort(TcpConnection connection, Metrics.Closed why) {
        try {
            connection.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            // already gone: closing is all there is to do
        }
        close(connection, why);
    }

    private void close(TcpConnection connection, Metrics.Closed why) {
        connection.markClosed();
        if (connections.remove(connection)) {
            openConnections.decrementAndGet();
            connection.release();
            if (processor.metrics() != null) {
                processor.metrics().connectionClosed(why);
            }
        }
        connection.key.cancel();
        closeQuietly(connection.channel);
    }

    private static void closeQuietly(Closeable channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Stops reading, gives pending answers a moment to go out, and closes everything this loop owns. */
    void shutDown() {
        if (forwarder != null) {
            forwarder.close(); // every client still waiting gets SERVFAIL, sent below with the rest
        }
        listeners.forEach(EventLoop::closeQuietly);
        long deadline = System.nanoTime() + 1_000_000_000L;
        for (TcpConnection connection : new ArrayList<>(connections)) {
            try {
                while (connection.hasPendingOutput() && System.nanoTime() < deadline
                        && connection.flush(System.nanoTime())) {
                    Thread.onSpinWait();
                }
            } catch (IOException | RuntimeException e) {
                // the client is gone
            }
            close(connection, Metrics.Closed.SHUTDOWN);
        }
        closeQuietly(selector);
    }
}
