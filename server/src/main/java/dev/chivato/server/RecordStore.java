package dev.chivato.server;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the server answers from: the A and AAAA records of the hosts entries, and the PTR records synthesized from
 * them (in-addr.arpa and ip6.arpa), so that every address maps back to all of its names. Read-only once built.
 */
public final class RecordStore {
    /** The records the server has for one name; a name with none is an empty non-terminal (it exists, no data). */
    public record Node(List<RData> addresses4, List<RData> addresses6, List<RData> pointers) {
        static final Node EMPTY = new Node(List.of(), List.of(), List.of());

        /** The RDATA of one type (ANY: all of them), in the order the records were given. */
        public List<RData> ofType(RRType type) {
            if (type.equals(RRType.A)) {
                return addresses4;
            }
            if (type.equals(RRType.AAAA)) {
                return addresses6;
            }
            if (type.equals(RRType.PTR)) {
                return pointers;
            }
            if (type.equals(RRType.ANY)) {
                List<RData> all = new ArrayList<>(addresses4);
                all.addAll(addresses6);
                all.addAll(pointers);
                return all;
            }
            return List.of();
        }
    }

    /** The seed's list, served when no records are given. */
    public static final List<String> DEFAULT_LINES = List.of(
            "1.2.3.4 example.com",
            "1.2.3.5 example.com example.my");

    private final Map<Name, Node> nodes;
    private final int addressRecords;
    private final int pointerRecords;

    private RecordStore(Map<Name, Node> nodes, int addressRecords, int pointerRecords) {
        this.nodes = nodes;
        this.addressRecords = addressRecords;
        this.pointerRecords = pointerRecords;
    }

    public static RecordStore of(List<HostEntry> entries) {
        Map<Name, Set<RData>> a = new HashMap<>();
        Map<Name, Set<RData>> aaaa = new HashMap<>();
        Map<Name, Set<RData>> ptr = new HashMap<>();
        for (HostEntry entry : entries) {
            Map<Name, Set<RData>> byName = entry.address() instanceof RData.A ? a : aaaa;
            Name reverse = reverseName(entry.address());
            for (Name name : entry.names()) {
                byName.computeIfAbsent(name, n -> new LinkedHashSet<>()).add(entry.address());
                ptr.computeIfAbsent(reverse, n -> new LinkedHashSet<>()).add(new RData.Ptr(name));
            }
        }
        Set<Name> owners = new LinkedHashSet<>(a.keySet());
        owners.addAll(aaaa.keySet());
        owners.addAll(ptr.keySet());
        Map<Name, Node> nodes = new HashMap<>(owners.size() * 2);
        int addressRecords = 0;
        int pointerRecords = 0;
        for (Name owner : owners) {
            List<RData> fours = List.copyOf(a.getOrDefault(owner, Set.of()));
            List<RData> sixes = List.copyOf(aaaa.getOrDefault(owner, Set.of()));
            List<RData> pointers = List.copyOf(ptr.getOrDefault(owner, Set.of()));
            addressRecords += fours.size() + sixes.size();
            pointerRecords += pointers.size();
            nodes.put(owner, new Node(fours, sixes, pointers));
            // Every ancestor exists too (RFC 8020): a query for it gets NODATA, not NXDOMAIN.
            for (Name up = owner; !up.isRoot(); ) {
                up = up.parent();
                if (nodes.putIfAbsent(up, Node.EMPTY) != null) {
                    break; // already there, and so are its ancestors
                }
            }
        }
        return new RecordStore(nodes, addressRecords, pointerRecords);
    }

    /** The PTR owner name for an address: {@code 4.3.2.1.in-addr.arpa.} or the 32 nibbles under ip6.arpa. */
    public static Name reverseName(RData address) {
        StringBuilder text = new StringBuilder(73);
        if (address instanceof RData.A a) {
            int bits = a.address();
            for (int shift = 0; shift < 32; shift += 8) {
                text.append(bits >>> shift & 0xff).append('.');
            }
            text.append("in-addr.arpa.");
        } else {
            byte[] octets = ((RData.AAAA) address).octets();
            for (int i = 15; i >= 0; i--) {
                text.append(Character.forDigit(octets[i] & 0xf, 16)).append('.')
                        .append(Character.forDigit(octets[i] >>> 4 & 0xf, 16)).append('.');
            }
            text.append("ip6.arpa.");
        }
        return Name.parse(text.toString());
    }

    /** Every name with its records, ancestors (empty nodes) included. */
    java.util.Set<Map.Entry<Name, Node>> nodes() {
        return nodes.entrySet();
    }

    int nodeCount() {
        return nodes.size();
    }

    public Optional<Node> lookup(Name name) {
        return Optional.ofNullable(nodes.get(name));
    }

    public int addressRecords() {
        return addressRecords;
    }

    public int pointerRecords() {
        return pointerRecords;
    }

    /** The seed's default records. */
    public static RecordStore defaults() {
        List<HostEntry> entries = new ArrayList<>();
        int line = 0;
        for (String text : DEFAULT_LINES) {
            try {
                HostsFile.parseLine("(default)", ++line, text).ifPresent(entries::add);
            } catch (HostsFile.RecordsException e) {
                throw new IllegalStateException(e);
            }
        }
        return of(Collections.unmodifiableList(entries));
    }
}
