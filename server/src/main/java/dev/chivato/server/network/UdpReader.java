package dev.chivato.server.network;

import dev.chivato.server.core.Transport;
import dev.chivato.server.log.LogFormat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.function.Consumer;

/**
 * A thread that blocks in {@code receive} on one UDP socket and answers each datagram in turn on a path beside its
 * loop's ({@link ExchangePath#beside}): no selector wake-up per datagram, as NSD's and the echo's reads. What waits
 * (forwarded, delayed) goes to the loop, kept. Closing the socket ends the thread. A JDK 22 or later reads in
 * batches instead ({@link BatchedDatagrams}).
 */
final class UdpReader implements DatagramReader {
    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final ExchangePath path;
    private final Service service;
    private final ByteBuffer in = ByteBuffer.allocateDirect(0xffff);
    private final DatagramDestination destination = new DatagramDestination();

    private final Consumer<Throwable> onFailure;

    UdpReader(DatagramChannel channel, ExchangePath path, Service service, Consumer<Throwable> onFailure)
            throws IOException {
        channel.configureBlocking(true);
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.path = path;
        this.service = service;
        this.onFailure = onFailure;
    }

    @Override
    public void close() throws IOException {
        channel.close(); // its receive returns: the thread ends
    }

    @Override
    public void run() {
        try {
            read();
        } catch (Throwable failure) { // an Error: this socket cannot be served any more, nor the server
            onFailure.accept(failure);
        }
    }

    private void read() {
        while (channel.isOpen() && readOne()) {
            // each datagram in a method of its own, compiled as one after a few thousand (see EventLoop.turn)
        }
    }

    /** Receives and answers one datagram; false when the socket is closed (the server stops). */
    private boolean readOne() {
        in.clear();
        InetSocketAddress client;
        try {
            client = (InetSocketAddress) channel.receive(in);
        } catch (ClosedChannelException closed) {
            return false;
        } catch (IOException e) {
            service.warn("chivato: cannot receive on " + LogFormat.address(local) + ": " + e.getMessage());
            return true;
        }
        in.flip();
        destination.set(channel, local, client);
        path.receive(in, Transport.UDP, client, destination);
        return true;
    }
}
