package dev.chivato.server.data;

import static dev.chivato.server.data.NodeTable.nameLength;
import static dev.chivato.server.data.NodeTable.u16;
import static dev.chivato.server.data.NodeTable.u32;


/**
 * The records of one table in wire form, one at a time, as they are held: the owner's octets (case as first written),
 * type, TTL, and the RDATA with its length (names uncompressed). Nothing is decoded and no object is made; a whole
 * zone is walked without holding more than the table it walks. The table is immutable: a cursor goes on over the
 * version it started on, whatever reloads happen meanwhile.
 *
 * <p>A record stays in hand until {@link #take taken}: a transfer that finds its message full leaves it for the next.
 */
public final class WireCursor {
    private final byte[][] pages;
    private byte[] page;
    private int pageIndex;
    /** The offset of the record in hand's RDLENGTH, or of the next node when no RRset is left at this owner. */
    private int p;
    private int owner = -1;
    private int ownerLength;
    /** Counts the owners walked: a writer compares it to know when the owner changed. */
    private int ownerSerial;
    private int rrsetsLeft;
    private int recordsLeft;
    private int type;
    private int ttl;

    WireCursor(NodeTable table) {
        this.pages = table.pages();
        this.page = pages.length > 0 ? pages[0] : new byte[0];
    }

    /** Brings the next record in hand, past empty non-terminals and the ends of pages; false after the last. */
    public boolean atRecord() {
        while (recordsLeft == 0) {
            if (p >= page.length) { // a node ended the page: the next node opens the next one
                if (pageIndex + 1 >= pages.length) {
                    return false;
                }
                page = pages[++pageIndex];
                p = 0;
            } else if (rrsetsLeft == 0) {
                owner = p;
                ownerLength = nameLength(page, p);
                ownerSerial++;
                rrsetsLeft = u32(page, p + ownerLength);
                p += ownerLength + 4;
            } else {
                type = u16(page, p);
                ttl = u32(page, p + 2);
                recordsLeft = u32(page, p + 7);
                rrsetsLeft--;
                p += 11;
            }
        }
        return true;
    }

    /** Done with the record in hand: the next {@link #atRecord} moves on. */
    public void take() {
        p += 2 + rdataLength();
        recordsLeft--;
    }

    /** The array the record in hand is in: its owner and RDATA are read from it at the offsets below. */
    public byte[] octets() {
        return page;
    }

    public int ownerOffset() {
        return owner;
    }

    public int ownerLength() {
        return ownerLength;
    }

    /** A number that changes when the owner does. */
    public int ownerSerial() {
        return ownerSerial;
    }

    public int type() {
        return type;
    }

    public int ttl() {
        return ttl;
    }

    /** Where the record's RDLENGTH is, the RDATA after it. */
    public int rdataOffset() {
        return p;
    }

    public int rdataLength() {
        return u16(page, p);
    }
}
