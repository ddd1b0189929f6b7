package dev.chivato.server.network;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The sender of a datagram that a {@link RecvmmsgReader} took, answered with {@code sendto} on its socket, to the
 * address as the kernel wrote it. The reader reuses one for every datagram (set before each); a request that waits
 * keeps a copy with the address copied, answered from the loop's thread while the socket is open.
 */
final class NativeDestination implements Destination {
    private static final Optional<String> BUFFER_FULL = Optional.of("the socket's send buffer is full");
    private final RecvmmsgReader socket;
    private final InetSocketAddress local;
    private final MemorySegment errno;
    private MemorySegment name;
    private InetSocketAddress client;
    /** Where an answer in a heap buffer is copied to be sent; made when first needed. */
    private MemorySegment scratch;
    /** The buffer the last answer was in, and all of it as a segment: the completion reuses one buffer. */
    private ByteBuffer lastOut;
    private MemorySegment whole;

    NativeDestination(RecvmmsgReader socket, InetSocketAddress local) {
        this.socket = socket;
        this.local = local;
        this.errno = NativeSockets.errnoPlace(Arena.ofAuto());
    }

    /** The datagram now being answered: from {@code client}, whose address the kernel wrote in {@code name}. */
    void set(MemorySegment name, InetSocketAddress client) {
        this.name = name;
        this.client = client;
    }

    @Override
    public Optional<String> send(ByteBuffer out, int length) {
        if (!socket.open()) {
            return Optional.of("the socket is closed");
        }
        int end = out.position();
        MemorySegment data = answer(out, end - length, length);
        long sent = NativeSockets.sendto(errno, socket.fd(), data, name, NativeSockets.length(name));
        if (sent >= 0) {
            return Optional.empty();
        }
        int error = NativeSockets.errno(errno);
        return error == NativeSockets.EAGAIN ? BUFFER_FULL : Optional.of(NativeSockets.describe(error));
    }

    /** The {@code length} octets of {@code out} from {@code start}, in native memory (copied there from a heap's). */
    private MemorySegment answer(ByteBuffer out, int start, int length) {
        if (out != lastOut) {
            lastOut = out;
            whole = MemorySegment.ofBuffer(out.duplicate().clear());
        }
        MemorySegment octets = whole.asSlice(start, length);
        if (out.isDirect()) {
            return octets;
        }
        if (scratch == null) {
            scratch = Arena.ofAuto().allocate(0xffff + 2);
        }
        MemorySegment.copy(octets, 0, scratch, 0, length);
        return scratch.asSlice(0, length);
    }

    @Override
    public InetSocketAddress local() {
        return local;
    }

    @Override
    public Destination keep() {
        NativeDestination kept = new NativeDestination(socket, local);
        MemorySegment copy = Arena.ofAuto().allocate(NativeSockets.SOCKADDR_SIZE);
        MemorySegment.copy(name, 0, copy, 0, NativeSockets.SOCKADDR_SIZE);
        kept.set(copy, client);
        return kept;
    }

    @Override
    public void release() {
        // a datagram socket owes nothing
    }
}
