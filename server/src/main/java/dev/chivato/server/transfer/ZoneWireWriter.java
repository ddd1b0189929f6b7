package dev.chivato.server.transfer;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RRType;
import dev.chivato.server.data.WireCursor;
import java.nio.ByteBuffer;

/**
 * A zone's records written into transfer messages straight from where they are held ({@link WireCursor}): each as
 * held (RDATA copied, its names uncompressed, which is always allowed), its owner compressed against the zone's
 * origin and the owner before it in the same message. No record object is made. The apex SOA is passed over: a
 * transfer brackets the zone with it.
 */
final class ZoneWireWriter {
    private final WireCursor cursor;
    private final byte[] origin;
    /** Where, in the message being written, the origin's wire form and the current owner's start (-1: not yet). */
    private int originAt = -1;
    private int ownerAt = -1;
    private int ownerSerial = -1;

    ZoneWireWriter(WireCursor cursor, byte[] origin) {
        this.cursor = cursor;
        this.origin = origin;
    }

    /** A new message begins: names in the messages before cannot be pointed to. */
    void newMessage() {
        originAt = -1;
        ownerAt = -1;
    }

    /** Whether every record has been written. */
    boolean done() {
        while (cursor.atRecord() && isApexSoa()) {
            cursor.take();
        }
        return !cursor.atRecord();
    }

    /**
     * Writes records to {@code out} from its position while it is below {@code soft}, each only if it ends before
     * {@code hard}; {@code messageStart} is where the message begins. Returns how many were written.
     */
    int write(ByteBuffer out, int messageStart, int soft, int hard) {
        int written = 0;
        while (out.position() < soft && !done()) {
            int length = cursor.rdataLength();
            if (out.position() + cursor.ownerLength() + 10 + length > hard) {
                break; // past the most a message takes: the next message goes on from here
            }
            writeOwner(out, messageStart);
            out.putShort((short) cursor.type()).putShort((short) 1).putInt(cursor.ttl())
                    .put(cursor.octets(), cursor.rdataOffset(), 2 + length);
            cursor.take();
            written++;
        }
        return written;
    }

    private boolean isApexSoa() {
        return cursor.type() == RRType.SOA.value() && cursor.ownerLength() == origin.length
                && Name.regionEqualsIgnoreCase(cursor.octets(), cursor.ownerOffset(), origin, 0, origin.length);
    }

    /** The owner: a pointer to where it was written in this message, or its labels before the origin's. */
    private void writeOwner(ByteBuffer out, int messageStart) {
        if (cursor.ownerSerial() != ownerSerial) {
            ownerSerial = cursor.ownerSerial();
            ownerAt = -1;
        }
        if (ownerAt >= 0) {
            out.putShort((short) (0xc000 | ownerAt));
            return;
        }
        byte[] octets = cursor.octets();
        int owner = cursor.ownerOffset();
        int ownerLength = cursor.ownerLength();
        int start = out.position() - messageStart;
        int prefix = ownerLength - origin.length;
        boolean underOrigin = prefix >= 0
                && Name.regionEqualsIgnoreCase(octets, owner + prefix, origin, 0, origin.length);
        if (underOrigin && originAt >= 0) {
            out.put(octets, owner, prefix).putShort((short) (0xc000 | originAt));
        } else {
            out.put(octets, owner, ownerLength);
            if (underOrigin && start + prefix < 0x4000) {
                originAt = start + prefix;
            }
        }
        if (start < 0x4000) {
            ownerAt = start; // pointers reach only the first 16 KiB of a message
        }
    }
}
