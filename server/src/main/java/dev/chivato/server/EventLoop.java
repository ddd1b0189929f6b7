package dev.chivato.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One thread and the selector it alone owns (as in the JDK's own HTTP server): its UDP sockets, its TCP listening
 * sockets and the connections they accepted. Buffers are this loop's and reused for every message.
 */
final class EventLoop implements Runnable {
    /** Datagrams handled per wake-up of one socket before the others get a turn. */
    private static final int DATAGRAMS_PER_TURN = 64;
    private static final long SWEEP_INTERVAL_MILLIS = 250;

    private final Selector selector;
    private final PacketProcessor processor;
    private final ServerConfig config;
    private final AtomicInteger openConnections;
    private final ByteBuffer datagramIn = ByteBuffer.allocateDirect(0xffff);
    private final ByteBuffer datagramOut = ByteBuffer.allocateDirect(0xffff);
    private final ByteBuffer streamOut = ByteBuffer.allocate(2 + 0xffff);
    private final Set<TcpConnection> connections = new HashSet<>();
    private final List<SelectableChannel> listeners = new ArrayList<>();
    private volatile boolean running = true;

    EventLoop(PacketProcessor processor, ServerConfig config, AtomicInteger openConnections) throws IOException {
        this.selector = Selector.open();
        this.processor = processor;
        this.config = config;
        this.openConnections = openConnections;
    }

    void add(DatagramChannel channel) throws IOException {
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ);
        listeners.add(channel);
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
            while (running) {
                selector.select(SWEEP_INTERVAL_MILLIS);
                long now = System.nanoTime();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext() && running) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    handle(key, now);
                }
                if (now - nextSweep >= 0) {
                    closeTimedOut(now, idleNanos, ioNanos);
                    nextSweep = now + SWEEP_INTERVAL_MILLIS * 1_000_000;
                }
            }
        } catch (ClosedSelectorException | IOException e) {
            System.err.println("chivato: event loop stopped: " + e);
        } finally {
            shutDown();
        }
    }

    private void handle(SelectionKey key, long now) {
        if (!key.isValid()) {
            return;
        }
        SelectableChannel channel = key.channel();
        try {
            if (channel instanceof DatagramChannel datagrams) {
                receiveDatagrams(datagrams);
            } else if (channel instanceof ServerSocketChannel server) {
                accept(server, now);
            } else {
                TcpConnection connection = (TcpConnection) key.attachment();
                boolean open = true;
                if (key.isWritable()) {
                    open = connection.flush(now);
                }
                if (open && key.isValid() && key.isReadable()) {
                    open = connection.onReadable(processor, streamOut, now);
                }
                if (!open) {
                    close(connection);
                }
            }
        } catch (IOException e) {
            // A client reset or vanished: only that connection (or that one datagram) is lost.
            if (key.attachment() instanceof TcpConnection connection) {
                close(connection);
            }
        }
    }

    private void receiveDatagrams(DatagramChannel channel) throws IOException {
        for (int i = 0; i < DATAGRAMS_PER_TURN; i++) {
            datagramIn.clear();
            // The address object receive() returns is the one we reply to: no copy, no lookup.
            InetSocketAddress client = (InetSocketAddress) channel.receive(datagramIn);
            if (client == null) {
                return;
            }
            datagramIn.flip();
            datagramOut.clear();
            int length = processor.process(datagramIn, datagramOut, Transport.UDP, client);
            if (length != PacketProcessor.DROP) {
                datagramOut.flip();
                try {
                    channel.send(datagramOut, client);
                } catch (IOException e) {
                    // e.g. the client's port is unreachable: that answer is lost, the loop goes on
                }
            }
        }
    }

    private void accept(ServerSocketChannel server, long now) throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            if (openConnections.incrementAndGet() > config.maxConnections()) {
                openConnections.decrementAndGet();
                channel.close();
                continue;
            }
            channel.configureBlocking(false);
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            TcpConnection connection = new TcpConnection(channel, key,
                    (InetSocketAddress) channel.getRemoteAddress(), now);
            key.attach(connection);
            connections.add(connection);
        }
    }

    private void closeTimedOut(long now, long idleNanos, long ioNanos) {
        List<TcpConnection> expired = new ArrayList<>();
        for (TcpConnection connection : connections) {
            if (connection.timedOut(now, idleNanos, ioNanos)) {
                expired.add(connection);
            }
        }
        expired.forEach(this::close);
    }

    private void close(TcpConnection connection) {
        if (connections.remove(connection)) {
            openConnections.decrementAndGet();
        }
        connection.key.cancel();
        try {
            connection.channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Stops reading, gives pending answers a moment to go out, and closes everything this loop owns. */
    void shutDown() {
        for (SelectableChannel listener : listeners) {
            try {
                listener.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        long deadline = System.nanoTime() + 1_000_000_000L;
        for (TcpConnection connection : new ArrayList<>(connections)) {
            try {
                while (connection.hasPendingOutput() && System.nanoTime() < deadline
                        && connection.flush(System.nanoTime())) {
                    Thread.onSpinWait();
                }
            } catch (IOException e) {
                // the client is gone
            }
            close(connection);
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
