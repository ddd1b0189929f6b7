package dev.chivato.server.network;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.util.function.Consumer;

/**
 * Reading a UDP socket in batches: one {@code recvmmsg} takes every datagram already waiting. It needs the Foreign
 * Function API (JDK 22), so this, the JDK 17 class in the jar's base, has none: {@link #unavailable} says why and the
 * socket is read one datagram at a time ({@link UdpReader}). The jar's {@code META-INF/versions/22} holds the class
 * that makes the call (source in {@code src/main/java22}), which a JDK 22 or later loads in this one's place.
 */
final class BatchedDatagrams {
    private BatchedDatagrams() {
    }

    /** Why UDP is not read in batches in this JVM, or null when it is. */
    static String unavailable() {
        return "recvmmsg needs JDK 22 or later, this is JDK " + Runtime.version().feature();
    }

    /** A reader of {@code bound}'s address in batches; only when {@link #unavailable} is null. */
    static DatagramReader open(DatagramChannel bound, ExchangePath path, Service service,
            Consumer<Throwable> onFailure) throws IOException {
        throw new IOException(unavailable());
    }
}
