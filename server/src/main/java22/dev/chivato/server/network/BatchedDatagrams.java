package dev.chivato.server.network;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.function.Consumer;

/**
 * Reading a UDP socket in batches: one {@code recvmmsg} takes every datagram already waiting, up to
 * {@link RecvmmsgReader#BATCH}, where one {@code receive} takes one. This is the JDK 22 class, which the jar keeps in
 * {@code META-INF/versions/22} and a JDK 22 or later loads in place of the base one (JDK 17, none). At saturation a
 * Java echo doing so took 10 % less CPU per datagram than one receiving them one by one through the JDK's channel
 * (benchmarks/README.md, "UDP in batches").
 *
 * <p>Used where the call is known: Linux on x86-64 or AArch64, the module allowed native access (the jar's manifest
 * allows it under {@code java -jar}), and not turned off with {@code -Dchivato.udp.batches=off}.
 */
final class BatchedDatagrams {
    private static final String UNAVAILABLE = why();

    private BatchedDatagrams() {
    }

    /** Why UDP is not read in batches in this JVM, or null when it is. */
    static String unavailable() {
        return UNAVAILABLE;
    }

    private static String why() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!"Linux".equals(os)) {
            return "recvmmsg is Linux's, this is " + os;
        }
        if (!"amd64".equals(arch) && !"aarch64".equals(arch)) {
            return "the batch's structures are laid out for x86-64 and AArch64, this is " + arch;
        }
        if (!BatchedDatagrams.class.getModule().isNativeAccessEnabled()) {
            return "native access is not enabled (java --enable-native-access=ALL-UNNAMED; java -jar chivato.jar"
                    + " has it from the jar)";
        }
        if ("off".equals(System.getProperty("chivato.udp.batches"))) {
            return "turned off with -Dchivato.udp.batches=off";
        }
        return null;
    }

    /**
     * A reader of {@code bound}'s address in batches: a socket of its own joins {@code bound}'s {@code SO_REUSEPORT}
     * group at that address, then {@code bound} is closed, its place in the group taken (this happens before the
     * server says it listens). Only when {@link #unavailable} is null.
     */
    static DatagramReader open(DatagramChannel bound, ExchangePath path, Service service,
            Consumer<Throwable> onFailure) throws IOException {
        InetSocketAddress local = (InetSocketAddress) bound.getLocalAddress();
        int fd = NativeSockets.bindShared(local, Server.UDP_RECEIVE_BUFFER);
        bound.close();
        return new RecvmmsgReader(fd, local, path, service, onFailure);
    }
}
