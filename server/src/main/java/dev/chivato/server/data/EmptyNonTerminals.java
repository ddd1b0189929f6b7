package dev.chivato.server.data;

import dev.chivato.protocol.Name;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * The names between each owner and its zone's apex that hold no records of their own (RFC 8020: NODATA there, not
 * NXDOMAIN), added to a table being built as nodes without RRsets. Each is found by walking up an owner's wire form
 * in place (a parent is the name past its first label): no name object is made for an ancestor already there.
 */
final class EmptyNonTerminals {
    private EmptyNonTerminals() {
    }

    /** Every ancestor of every name of {@code table}, up to and with {@code ceiling} (a zone's apex). */
    static void add(NodeTableBuilder table, Name ceiling) {
        byte[] top = ceiling.wire();
        addAncestors(table, id -> top);
    }

    /** The same, with each name's ceiling given by {@code ceiling} (hosts records under several zones, or none). */
    static void add(NodeTableBuilder table, UnaryOperator<Name> ceiling) {
        addAncestors(table, id -> ceiling.apply(table.nameOf(id)).wire());
    }

    private static void addAncestors(NodeTableBuilder table, IntFunction<byte[]> ceiling) {
        int given = table.owners;
        for (int id = 0; id < given; id++) {
            byte[] top = ceiling.apply(id);
            int at = table.ownerAt[id];
            int length = table.nameLength(id);
            for (int skip = 0; length - skip > 1 && !isRegion(table, top, at + skip, length - skip); ) {
                skip += 1 + (table.names.octets[at + skip] & 0xff);
                int hash = NodeTable.spread(Name.hashCodeOf(table.names.octets, at + skip, length - skip));
                if (table.findRegion(at + skip, length - skip, hash) >= 0) {
                    break; // already there, and so are its ancestors
                }
                table.internRegion(at + skip, length - skip, hash);
            }
        }
    }

    private static boolean isRegion(NodeTableBuilder table, byte[] wire, int from, int length) {
        return wire.length == length && Name.regionEqualsIgnoreCase(wire, 0, table.names.octets, from, length);
    }
}
