package dev.chivato.server.network;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Optional;

/**
 * The sender of a datagram, answered over the socket it came on. The loop reuses one for every datagram of its turn
 * (set before each); a request that waits keeps a copy of its own.
 */
final class DatagramDestination implements Destination {
    private static final Optional<String> BUFFER_FULL = Optional.of("the socket's send buffer is full");
    private DatagramChannel channel;
    private InetSocketAddress client;
    private InetSocketAddress local;

    DatagramDestination() {
    }

    private DatagramDestination(DatagramChannel channel, InetSocketAddress client, InetSocketAddress local) {
        this.channel = channel;
        this.client = client;
        this.local = local;
    }

    /** The datagram now being answered: from {@code client}, to {@code channel} (bound to {@code local}). */
    void set(DatagramChannel channel, InetSocketAddress local, InetSocketAddress client) {
        this.channel = channel;
        this.local = local;
        this.client = client;
    }

    @Override
    public Optional<String> send(ByteBuffer out, int length) {
        int end = out.position();
        out.limit(end).position(end - length);
        try {
            return channel.send(out, client) == 0 ? BUFFER_FULL : Optional.empty();
        } catch (IOException e) {
            // e.g. the client's port is unreachable, or no buffer space (ENOBUFS): that answer is lost
            return Optional.of(String.valueOf(e.getMessage()));
        } finally {
            out.limit(out.capacity()).position(end); // where the log reads the answer back from
        }
    }

    @Override
    public InetSocketAddress local() {
        return local;
    }

    @Override
    public Destination keep() {
        return new DatagramDestination(channel, client, local);
    }

    @Override
    public void release() {
        // a datagram socket owes nothing
    }
}
