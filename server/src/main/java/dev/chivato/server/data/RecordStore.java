package dev.chivato.server.data;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.server.core.FileProblem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What the server answers from: the A and AAAA records of the hosts entries, and the PTR records synthesized from
 * them (in-addr.arpa and ip6.arpa), so that every address maps back to all of its names. Read-only once built.
 */
public final class RecordStore {
    /** The seed's list, served when no source is given (or with {@code --seed}). */
    public static final List<String> DEFAULT_LINES = List.of(
            "1.2.3.4 example.com",
            "1.2.3.5 example.com example.my");

    private final NodeTable table;
    private final int addressRecords;
    private final int pointerRecords;

    private RecordStore(NodeTable table, int addressRecords, int pointerRecords) {
        this.table = table;
        this.addressRecords = addressRecords;
        this.pointerRecords = pointerRecords;
    }

    /** Takes hosts entries one at a time, so that a large hosts file is never held as objects. */
    public static final class Builder {
        private final NodeTableBuilder table = new NodeTableBuilder();
        /** The ceiling of each name's ancestors; null for the root, whatever the name. */
        private final UnaryOperator<Name> ceiling;
        private int addressRecords;
        private int pointerRecords;

        private Builder(UnaryOperator<Name> ceiling) {
            this.ceiling = ceiling;
        }

        /** The entry's A or AAAA records, and a PTR record for each of its names (a duplicate is left out). */
        public void add(HostEntry entry) {
            RRType type = entry.address() instanceof RData.A ? RRType.A : RRType.AAAA;
            Name reverse = reverseName(entry.address());
            for (Name name : entry.names()) {
                if (table.add(name, type, 0, entry.address(), AnswerSource.RECORDS)) {
                    addressRecords++;
                }
                if (table.add(reverse, RRType.PTR, 0, new RData.Ptr(name), AnswerSource.SYNTHESIZED_PTR)) {
                    pointerRecords++;
                }
            }
        }

        public RecordStore build() {
            if (ceiling == null) {
                table.addEmptyNonTerminals(Name.ROOT);
            } else {
                table.addEmptyNonTerminals(ceiling);
            }
            return new RecordStore(table.build(), addressRecords, pointerRecords);
        }
    }

    /**
     * A builder whose names have their ancestors, as empty non-terminals, up to the name {@code ceiling} gives for
     * each (the apex of the zone that holds it; the root outside every zone).
     */
    public static Builder builder(UnaryOperator<Name> ceiling) {
        return new Builder(ceiling);
    }

    /** A builder for records outside every zone: their names' ancestors up to the root. */
    public static Builder builder() {
        return new Builder(null);
    }

    /** The records of these entries, outside every zone. */
    public static RecordStore of(List<HostEntry> entries) {
        Builder builder = builder();
        entries.forEach(builder::add);
        return builder.build();
    }

    private static final byte[] IN_ADDR_ARPA = Name.parse("in-addr.arpa").wire();
    private static final byte[] IP6_ARPA = Name.parse("ip6.arpa").wire();

    /** The PTR owner name for an address: {@code 4.3.2.1.in-addr.arpa.} or the 32 nibbles under ip6.arpa. */
    public static Name reverseName(RData address) {
        byte[] wire = new byte[74]; // the longest: 32 nibbles, then ip6.arpa
        int at = 0;
        if (address instanceof RData.A a) {
            int bits = a.address();
            for (int shift = 0; shift < 32; shift += 8) {
                String octet = Integer.toString(bits >>> shift & 0xff);
                wire[at++] = (byte) octet.length();
                for (int i = 0; i < octet.length(); i++) {
                    wire[at++] = (byte) octet.charAt(i);
                }
            }
            System.arraycopy(IN_ADDR_ARPA, 0, wire, at, IN_ADDR_ARPA.length);
            return Name.fromWire(wire, 0, at + IN_ADDR_ARPA.length);
        }
        byte[] octets = ((RData.AAAA) address).octets();
        for (int i = 15; i >= 0; i--) {
            wire[at++] = 1;
            wire[at++] = (byte) Character.forDigit(octets[i] & 0xf, 16);
            wire[at++] = 1;
            wire[at++] = (byte) Character.forDigit(octets[i] >>> 4 & 0xf, 16);
        }
        System.arraycopy(IP6_ARPA, 0, wire, at, IP6_ARPA.length);
        return Name.fromWire(wire, 0, at + IP6_ARPA.length);
    }

    /** The records, and their names' ancestors, with TTL 0: the snapshot serves them with {@code --ttl}. */
    NodeTable table() {
        return table;
    }

    public int addressRecords() {
        return addressRecords;
    }

    public int pointerRecords() {
        return pointerRecords;
    }

    /** The seed's default records. */
    public static RecordStore defaults() {
        return of(seedEntries());
    }

    /** The seed's lines as entries. */
    public static List<HostEntry> seedEntries() {
        List<HostEntry> entries = new ArrayList<>();
        int line = 0;
        for (String text : DEFAULT_LINES) {
            try {
                HostsFile.parseLine("(seed)", ++line, text).ifPresent(entries::add);
            } catch (FileProblem e) {
                throw new IllegalStateException(e);
            }
        }
        return Collections.unmodifiableList(entries);
    }
}
