import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The floor a batched UDP server could reach from Java, the "echo-mmsg" row of compare.sh: {@link Echo}'s work (the
 * query sent back with QR set, nothing else), but up to 64 datagrams taken with one {@code recvmmsg} and sent back
 * with one {@code sendmmsg}, called through the Foreign Function and Memory API (final in JDK 22). It measures
 * whether such a path would be worth building into chivato; it is not part of the server. Linux on x86-64 only.
 * Run as a single source file on JDK 22 or later:
 * {@code java --enable-native-access=ALL-UNNAMED benchmarks/load/EchoMmsg.java PORT [MODE]}, MODE one of
 * {@code batched} (the default), {@code recv} (taken with one {@code recvmmsg}, each sent back with its own
 * {@code sendto}, as chivato's batched reader does) and {@code single} (one datagram a call, {@code recvmmsg} of one
 * and {@code sendto}: the JDK channel's own work left out, nothing batched).
 */
public final class EchoMmsg {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    /** recvmmsg: block for the first datagram only, then take what is already there. */
    private static final int MSG_WAITFORONE = 0x10000;
    private static final int BATCH = 64;
    private static final int SLOT = 4096;
    /** struct sockaddr_in, struct iovec, struct msghdr and struct mmsghdr on x86-64 Linux. */
    private static final int SOCKADDR_IN = 16;
    private static final int IOVEC = 16;
    private static final int MMSGHDR = 64;
    private static final long MSG_NAME = 0;
    private static final long MSG_NAMELEN = 8;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_LEN = 56;

    public static void main(String[] args) throws Throwable {
        int port = Integer.parseInt(args[0]);
        String mode = args.length > 1 ? args[1] : "batched";
        int batch = mode.equals("single") ? 1 : BATCH;
        boolean sendEach = !mode.equals("batched");
        Linker linker = Linker.nativeLinker();
        MethodHandle socket = function(linker, "socket", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT);
        MethodHandle bind = function(linker, "bind", ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
        MethodHandle recvmmsg = function(linker, "recvmmsg", ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
        MethodHandle sendmmsg = function(linker, "sendmmsg", ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        MethodHandle sendto = linker.downcallHandle(linker.defaultLookup().find("sendto").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

        Arena arena = Arena.global();
        int fd = (int) socket.invokeExact(AF_INET, SOCK_DGRAM, 0);
        MemorySegment address = arena.allocate(SOCKADDR_IN);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
        address.set(ValueLayout.JAVA_BYTE, 2, (byte) (port >>> 8)); // the port in network order
        address.set(ValueLayout.JAVA_BYTE, 3, (byte) port);
        address.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 4, 0x7f000001);
        if (fd < 0 || (int) bind.invokeExact(fd, address, SOCKADDR_IN) != 0) {
            throw new IllegalStateException("cannot bind 127.0.0.1:" + port);
        }

        MemorySegment messages = arena.allocate((long) MMSGHDR * BATCH, 8);
        MemorySegment iovecs = arena.allocate((long) IOVEC * BATCH, 8);
        MemorySegment names = arena.allocate((long) SOCKADDR_IN * BATCH, 8);
        MemorySegment buffers = arena.allocate((long) SLOT * BATCH, 8);
        for (int i = 0; i < BATCH; i++) {
            MemorySegment message = messages.asSlice((long) MMSGHDR * i, MMSGHDR);
            MemorySegment iovec = iovecs.asSlice((long) IOVEC * i, IOVEC);
            iovec.set(ValueLayout.ADDRESS, 0, buffers.asSlice((long) SLOT * i, SLOT));
            message.set(ValueLayout.ADDRESS, MSG_NAME, names.asSlice((long) SOCKADDR_IN * i, SOCKADDR_IN));
            message.set(ValueLayout.ADDRESS, MSG_IOV, iovec);
            message.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1);
        }
        System.out.println("listening udp 127.0.0.1:" + port);
        while (true) {
            for (int i = 0; i < BATCH; i++) { // what the last send set: each slot's whole room and name size
                messages.set(ValueLayout.JAVA_INT, (long) MMSGHDR * i + MSG_NAMELEN, SOCKADDR_IN);
                iovecs.set(ValueLayout.JAVA_LONG, (long) IOVEC * i + 8, SLOT);
            }
            int received = (int) recvmmsg.invokeExact(fd, messages, batch, MSG_WAITFORONE, MemorySegment.NULL);
            if (received <= 0) {
                continue;
            }
            for (int i = 0; i < received; i++) {
                int length = messages.get(ValueLayout.JAVA_INT, (long) MMSGHDR * i + MSG_LEN);
                long flags = (long) SLOT * i + 2;
                if (length >= 3) {
                    buffers.set(ValueLayout.JAVA_BYTE, flags, (byte) (buffers.get(ValueLayout.JAVA_BYTE, flags) | 0x80));
                }
                iovecs.set(ValueLayout.JAVA_LONG, (long) IOVEC * i + 8, length); // send back what came
                if (sendEach) {
                    long sent = (long) sendto.invokeExact(fd, buffers.asSlice((long) SLOT * i, length), (long) length,
                            0, names.asSlice((long) SOCKADDR_IN * i, SOCKADDR_IN), SOCKADDR_IN);
                }
            }
            if (!sendEach) {
                int sent = (int) sendmmsg.invokeExact(fd, messages, received, 0);
            }
        }
    }

    private static MethodHandle function(Linker linker, String name, ValueLayout... arguments) {
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, arguments));
    }
}
