package dev.chivato.server.network;

import dev.chivato.server.core.Transport;
import dev.chivato.server.log.LogFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A thread that takes the datagrams of one UDP socket in batches, one {@code recvmmsg} for every datagram already
 * waiting (it blocks only for the first), and answers each in turn on a path beside its loop's, as
 * {@link UdpReader} does with one {@code receive} each. Each answer is sent by itself, before it is logged, as every
 * answer is ({@link NativeDestination}). {@link #close} wakes it and it ends, closing the socket.
 *
 * <p>The batch lives in native memory, laid out as Linux on a 64-bit machine lays out {@code struct mmsghdr}: a
 * {@code struct msghdr} (its name, the name's length, one {@code struct iovec}) followed by the length the kernel
 * received. Every datagram has room for the largest UDP payload, so none is cut.
 */
final class RecvmmsgReader implements DatagramReader {
    /** The most datagrams one call takes (NSD takes 100). */
    static final int BATCH = 32;
    private static final int SLOT = 0xffff;
    private static final long MMSGHDR = 64;
    private static final long MSG_NAME = 0;
    private static final long MSG_NAMELEN = 8;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_LEN = 56;
    private static final long IOVEC = 16;
    private static final long IOV_LEN = 8;
    private static final int NOT_STARTED = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;

    private final int fd;
    private final InetSocketAddress local;
    private final ExchangePath path;
    private final Service service;
    private final Consumer<Throwable> onFailure;
    private final MemorySegment messages;
    private final MemorySegment iovecs;
    private final MemorySegment[] names = new MemorySegment[BATCH];
    private final ByteBuffer[] datagrams = new ByteBuffer[BATCH];
    private final MemorySegment errno;
    private final NativeDestination destination;
    private final AtomicInteger state = new AtomicInteger(NOT_STARTED);
    private volatile boolean closing;
    /** How many slots the last call filled, whose lengths it changed. */
    private int filled = BATCH;
    /** The last sender seen and its address as the kernel wrote it: a client sends many in a row. */
    private final MemorySegment lastName = Arena.ofAuto().allocate(NativeSockets.SOCKADDR_SIZE);
    private InetSocketAddress lastClient;

    RecvmmsgReader(int fd, InetSocketAddress local, ExchangePath path, Service service,
            Consumer<Throwable> onFailure) {
        this.fd = fd;
        this.local = local;
        this.path = path;
        this.service = service;
        this.onFailure = onFailure;
        Arena arena = Arena.ofAuto(); // freed with this reader
        messages = arena.allocate(MMSGHDR * BATCH, 8);
        iovecs = arena.allocate(IOVEC * BATCH, 8);
        MemorySegment buffers = arena.allocate((long) SLOT * BATCH, 8);
        MemorySegment addresses = arena.allocate((long) NativeSockets.SOCKADDR_SIZE * BATCH, 8);
        for (int i = 0; i < BATCH; i++) {
            MemorySegment buffer = buffers.asSlice((long) SLOT * i, SLOT);
            names[i] = addresses.asSlice((long) NativeSockets.SOCKADDR_SIZE * i, NativeSockets.SOCKADDR_SIZE);
            datagrams[i] = buffer.asByteBuffer();
            iovecs.set(ValueLayout.ADDRESS, IOVEC * i, buffer);
            messages.set(ValueLayout.ADDRESS, MMSGHDR * i + MSG_NAME, names[i]);
            messages.set(ValueLayout.ADDRESS, MMSGHDR * i + MSG_IOV, iovecs.asSlice(IOVEC * i, IOVEC));
            messages.set(ValueLayout.JAVA_LONG, MMSGHDR * i + MSG_IOVLEN, 1);
        }
        errno = NativeSockets.errnoPlace(arena);
        destination = new NativeDestination(this, local);
    }

    int fd() {
        return fd;
    }

    /** False once the socket is closed: a kept answer is not sent on a descriptor that may be another's now. */
    boolean open() {
        return state.get() != CLOSED;
    }

    @Override
    public void close() {
        closing = true;
        if (state.compareAndSet(NOT_STARTED, CLOSED)) {
            NativeSockets.close(fd); // never read
        } else {
            NativeSockets.shutdown(fd); // the receive returns; the thread closes the socket as it ends
        }
    }

    @Override
    public void run() {
        if (!state.compareAndSet(NOT_STARTED, RUNNING)) {
            return;
        }
        try {
            while (!closing) {
                readBatch();
            }
        } catch (Throwable failure) { // an Error: this socket cannot be served any more, nor the server
            onFailure.accept(failure);
        } finally {
            state.set(CLOSED);
            NativeSockets.close(fd);
        }
    }

    /** Takes what waits (at least one datagram) and answers each in turn. */
    private void readBatch() {
        for (int i = 0; i < filled; i++) { // the room the last call used up: each name's and each buffer's
            messages.set(ValueLayout.JAVA_INT, MMSGHDR * i + MSG_NAMELEN, NativeSockets.SOCKADDR_SIZE);
            iovecs.set(ValueLayout.JAVA_LONG, IOVEC * i + IOV_LEN, SLOT);
        }
        int received = NativeSockets.recvmmsg(errno, fd, messages, BATCH, NativeSockets.MSG_WAITFORONE);
        if (closing) { // woken by close: what it returned (an empty "datagram") is not a client's
            return;
        }
        if (received <= 0) {
            int error = NativeSockets.errno(errno);
            if (received < 0 && error != NativeSockets.EINTR && error != NativeSockets.EAGAIN) {
                service.warn("chivato: cannot receive on " + LogFormat.address(local) + ": "
                        + NativeSockets.describe(error));
            }
            return;
        }
        filled = received;
        for (int i = 0; i < received; i++) {
            answer(i);
        }
    }

    private void answer(int slot) {
        ByteBuffer in = datagrams[slot];
        in.clear().limit(messages.get(ValueLayout.JAVA_INT, MMSGHDR * slot + MSG_LEN));
        MemorySegment name = names[slot];
        InetSocketAddress client = sender(name);
        destination.set(name, client);
        path.receive(in, Transport.UDP, client, destination);
    }

    /** The sender whose address is in {@code name}: the last one's, when it is the same. */
    private InetSocketAddress sender(MemorySegment name) {
        if (lastClient == null || name.mismatch(lastName) != -1) {
            MemorySegment.copy(name, 0, lastName, 0, NativeSockets.SOCKADDR_SIZE);
            lastClient = NativeSockets.read(name);
        }
        return lastClient;
    }
}
