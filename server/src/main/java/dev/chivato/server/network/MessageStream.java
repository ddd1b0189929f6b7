package dev.chivato.server.network;

import java.nio.ByteBuffer;

/**
 * Many messages for one query (a zone transfer), produced only as the client takes them: the connection asks for the
 * next message when what it has queued runs low, so a slow reader holds at most a few messages, never the stream.
 * Used only from the event loop that owns the connection.
 */
public interface MessageStream {
    /**
     * Writes the next message into {@code out} from its position.
     *
     * @return its length, or -1 when the stream has ended
     */
    int next(ByteBuffer out);

    /** The stream is over: every message was queued ({@code failure} null), or why it stopped. Called once. */
    void finished(String failure);
}
