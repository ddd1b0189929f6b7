package dev.chivato.server.forward;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Where the answers to one query go when they come later than the query's own turn: a forwarded query's answer, or
 * (for a zone transfer) many messages. Used only from the event loop that received the query.
 */
public interface Answers {
    /**
     * Sends or queues the {@code length} octets of message that end at {@code out}'s position; the two octets before
     * them are free (TCP writes its length there).
     *
     * @return empty when they went out (or were queued), else why they did not
     */
    Optional<String> send(ByteBuffer out, int length);

    /** No more answers will come for this query. */
    void done();
}
