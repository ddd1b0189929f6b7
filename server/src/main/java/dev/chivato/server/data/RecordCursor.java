package dev.chivato.server.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Walks a zone's names one at a time, decoding only the node in hand, so that a transfer of a large zone holds one
 * node's records at a time, never the zone's. The table is immutable: a reload builds a new one, and a cursor goes
 * on over the version it started on.
 */
public final class RecordCursor {
    private final NodeTable table;
    private int at;

    RecordCursor(NodeTable table) {
        this.table = table;
    }

    /** The next name's RRsets (none for an empty non-terminal), or null after the last name. */
    public List<Snapshot.RRset> next() {
        if (table.isEnd(at)) {
            return null;
        }
        List<Snapshot.RRset> rrsets = new ArrayList<>(2);
        at = table.decodeAt(at, rrsets);
        return rrsets;
    }
}
