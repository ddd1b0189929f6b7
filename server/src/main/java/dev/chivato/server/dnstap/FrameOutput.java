package dev.chivato.server.dnstap;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where the dnstap writer puts its frames: a file, or a collector's Unix socket. Used by the writer thread only. */
interface FrameOutput {
    /**
     * Whether frames can be written now; a socket output connects here when it is time to try again, or at once
     * when this is the {@code lastChance} (the server is stopping with frames still to write).
     */
    boolean ready(long nowNanos, boolean lastChance);

    /** Writes all of {@code frames} or throws. */
    void write(ByteBuffer frames) throws IOException;

    /**
     * Told that a write failed. Returns true when the output will come back (a collector to reconnect to, and the
     * frames of the failed write are to be sent again then), false when it is finished (a file that failed).
     */
    boolean failed(IOException problem, long nowNanos);

    /** Ends the stream (STOP, and a collector's FINISH awaited within {@code limitNanos}) and closes. */
    void finish(long limitNanos);

    /** "file PATH" or "unix:PATH", for messages. */
    String describe();
}
