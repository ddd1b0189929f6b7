package dev.chivato.server.data;

import java.nio.ByteBuffer;

/**
 * A zone's records in wire form, written straight from where they are held, for a whole-zone transfer: no record
 * objects, RDATA copied as held, owners compressed against the origin. The apex SOA is left out.
 */
public interface WireRecords {
    /** A new message begins: names in the messages before cannot be pointed to. */
    void newMessage();

    /** Whether every record has been written. */
    boolean done();

    /**
     * Writes records to {@code out} from its position while it is below {@code soft}, each only if it ends before
     * {@code hard}; {@code messageStart} is where the message begins. Returns how many were written.
     */
    int write(ByteBuffer out, int messageStart, int soft, int hard);
}
