package dev.chivato.server.network;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * The Linux socket calls that batched UDP needs ({@code socket}, {@code setsockopt}, {@code bind}, {@code recvmmsg},
 * {@code sendto}, {@code shutdown}, {@code close}), through the Foreign Function API, and the {@code sockaddr}s they
 * take. Each call that can fail is given its thread's own place for {@code errno} ({@link #errnoPlace}).
 */
final class NativeSockets {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /** The larger of {@code struct sockaddr_in} (16 octets) and {@code struct sockaddr_in6} (28). */
    static final int SOCKADDR_SIZE = 28;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    /** recvmmsg: wait for the first datagram only, then take those already there. */
    static final int MSG_WAITFORONE = 0x10000;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final int SO_REUSEPORT = 15;
    private static final int SHUT_RDWR = 2;
    private static final ValueLayout.OfShort NETWORK_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED
            .withOrder(ByteOrder.BIG_ENDIAN);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = failing("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT = failing("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            ADDRESS, JAVA_INT);
    private static final MethodHandle BIND = failing("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVMMSG = failing("recvmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
            JAVA_INT, ADDRESS);
    private static final MethodHandle SENDTO = failing("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_INT);
    private static final MethodHandle SHUTDOWN = LINKER.downcallHandle(find("shutdown"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(find("close"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(find("strerror"),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private NativeSockets() {
    }

    private static MemorySegment find(String function) {
        return LINKER.defaultLookup().find(function).orElseThrow(() -> new UnsatisfiedLinkError(function));
    }

    /** A call whose errno is captured into the place given as its first argument. */
    private static MethodHandle failing(String function, MemoryLayout result, MemoryLayout... arguments) {
        return LINKER.downcallHandle(find(function), FunctionDescriptor.of(result, arguments),
                Linker.Option.captureCallState("errno"));
    }

    /** A place for one thread's calls to leave errno in. */
    static MemorySegment errnoPlace(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment place) {
        return (int) ERRNO.get(place, 0L);
    }

    /** What {@code strerror} says of {@code errno}, as the JDK's exceptions say it. */
    static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable impossible) {
            return "errno " + errno;
        }
    }

    /**
     * A blocking UDP socket with {@code SO_REUSEPORT} bound to {@code local}, beside the other sockets of the
     * group there; its receive buffer asked for {@code receiveBuffer} octets.
     */
    static int bindShared(InetSocketAddress local, int receiveBuffer) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = errnoPlace(arena);
            boolean six = local.getAddress() instanceof Inet6Address;
            int fd = (int) SOCKET.invokeExact(errno, six ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("cannot open a UDP socket: " + describe(errno(errno)));
            }
            MemorySegment one = arena.allocateFrom(JAVA_INT, 1);
            MemorySegment size = arena.allocateFrom(JAVA_INT, receiveBuffer);
            MemorySegment address = arena.allocate(SOCKADDR_SIZE);
            int length = write(local, address);
            if ((int) SETSOCKOPT.invokeExact(errno, fd, SOL_SOCKET, SO_REUSEPORT, one, 4) != 0
                    || (int) SETSOCKOPT.invokeExact(errno, fd, SOL_SOCKET, SO_RCVBUF, size, 4) != 0
                    || (int) BIND.invokeExact(errno, fd, address, length) != 0) {
                String why = describe(errno(errno));
                close(fd);
                throw new IOException("cannot bind a UDP socket to " + local + ": " + why);
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** recvmmsg: the number of datagrams taken, or -1 (errno in {@code errno}). */
    static int recvmmsg(MemorySegment errno, int fd, MemorySegment messages, int count, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(errno, fd, messages, count, flags, MemorySegment.NULL);
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** sendto: the octets sent, or -1 (errno in {@code errno}). */
    static long sendto(MemorySegment errno, int fd, MemorySegment data, MemorySegment address, int addressLength) {
        try {
            return (long) SENDTO.invokeExact(errno, fd, data, data.byteSize(), 0, address, addressLength);
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Wakes whoever waits in a receive on {@code fd} (it returns at once, and so do those after it). */
    static void shutdown(int fd) {
        try {
            int ignored = (int) SHUTDOWN.invokeExact(fd, SHUT_RDWR); // "not connected", and still it wakes them
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Writes {@code address} as a {@code sockaddr_in} or {@code sockaddr_in6} into {@code into}; returns its size. */
    static int write(InetSocketAddress address, MemorySegment into) {
        into.fill((byte) 0);
        InetAddress ip = address.getAddress();
        byte[] octets = ip.getAddress();
        into.set(NETWORK_SHORT, 2, (short) address.getPort());
        if (ip instanceof Inet4Address) {
            into.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
            MemorySegment.copy(octets, 0, into, ValueLayout.JAVA_BYTE, 4, 4);
            return 16;
        }
        into.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET6);
        MemorySegment.copy(octets, 0, into, ValueLayout.JAVA_BYTE, 8, 16);
        into.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
        return SOCKADDR_SIZE;
    }

    /** The address in {@code from}, a {@code sockaddr_in} or {@code sockaddr_in6} as the kernel wrote it. */
    static InetSocketAddress read(MemorySegment from) {
        int port = from.get(NETWORK_SHORT, 2) & 0xffff;
        try {
            if (from.get(ValueLayout.JAVA_SHORT, 0) == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(from.asSlice(4, 4)
                        .toArray(ValueLayout.JAVA_BYTE)), port);
            }
            byte[] octets = from.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
            int scope = from.get(ValueLayout.JAVA_INT, 24);
            // without a scope a v4-mapped address becomes the IPv4 one, as the JDK's channels give it
            return new InetSocketAddress(scope == 0 ? InetAddress.getByAddress(octets)
                    : Inet6Address.getByAddress(null, octets, scope), port);
        } catch (UnknownHostException impossible) { // four or sixteen octets are an address
            throw new AssertionError(impossible);
        }
    }

    /** The size of the address in {@code from} ({@link #read}'s). */
    static int length(MemorySegment from) {
        return from.get(ValueLayout.JAVA_SHORT, 0) == AF_INET ? 16 : SOCKADDR_SIZE;
    }
}
