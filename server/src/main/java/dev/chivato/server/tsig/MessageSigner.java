package dev.chivato.server.tsig;

import dev.chivato.protocol.Message;
import java.nio.ByteBuffer;

/** Adds a TSIG record to each message of a response as it is written (RFC 8945 section 5.3). */
public interface MessageSigner {
    /**
     * Signs the {@code length} octets of message at {@code start} in {@code out} (position at their end): appends
     * the TSIG record, counts it in ARCOUNT, and returns the new length.
     */
    int sign(ByteBuffer out, int start, int length);

    /** Makes the wire form of messages we send first (NOTIFY): signed when a key is configured. */
    interface Factory {
        /** No key: messages go unsigned. */
        Factory UNSIGNED = Message::toWire;

        byte[] sign(Message message);
    }
}
