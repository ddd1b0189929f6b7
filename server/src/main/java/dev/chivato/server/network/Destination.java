package dev.chivato.server.network;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Where one request's answer goes: the sender of a datagram, over the socket it came on, or a TCP connection's queue.
 * Only the {@link Completion} sends through it, and only on the thread of the loop that owns it.
 */
public interface Destination {
    /**
     * Sends or queues the {@code length} octets of answer that end at {@code out}'s position; the two octets before
     * them are free (TCP writes its length there).
     *
     * @return empty when they went out (or were queued), else why they did not
     */
    Optional<String> send(ByteBuffer out, int length);

    /** The address and port the request came to (for dnstap and the capture), or null when not known. */
    default InetSocketAddress local() {
        return null;
    }

    /** Takes many messages for this request (a zone transfer); false when this transport cannot (a datagram). */
    default boolean stream(MessageStream messages) {
        return false;
    }

    /**
     * A destination that stays valid after this turn, for an answer that comes later (an upstream's): it is owed an
     * answer until {@link #release()}.
     */
    Destination keep();

    /** A kept destination got its answer (or will not): it is owed nothing more for this request. */
    void release();

    /**
     * Ends the connection this request came on without an answer (a test's {@link Injected.CloseTcp}), once this
     * turn is done; a datagram's sender has no connection, and nothing happens.
     */
    default void abandon() {
    }
}
