package dev.chivato.server;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the server answers from: the A and AAAA records of the hosts entries, and the PTR records synthesized from
 * them (in-addr.arpa and ip6.arpa), so that every address maps back to all of its names. Read-only once built.
 */
public final class RecordStore {
    /** The records the server has for one name. */
    public record Node(List<RData> addresses4, List<RData> addresses6, List<RData> pointers) {
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

    /** The records of one owner while the store is built; duplicates are left out, order kept. */
    private static final class Builder {
        final List<RData> addresses4 = new ArrayList<>(1);
        final List<RData> addresses6 = new ArrayList<>(1);
        final List<RData> pointers = new ArrayList<>(1);
        /** What this owner already has, once it has more than a few (a name may have thousands of addresses). */
        private Set<RData> seen;

        void addOnce(List<RData> list, RData data) {
            if (seen == null && list.size() < 8) {
                if (!list.contains(data)) {
                    list.add(data);
                }
                return;
            }
            if (seen == null) {
                seen = new HashSet<>(addresses4);
                seen.addAll(addresses6);
                seen.addAll(pointers);
            }
            if (seen.add(data)) {
                list.add(data);
            }
        }

        Node build() {
            return new Node(List.copyOf(addresses4), List.copyOf(addresses6), List.copyOf(pointers));
        }
    }

    public static RecordStore of(List<HostEntry> entries) {
        // One map for every owner, forward and reverse, so each name is hashed once per entry.
        Map<Name, Builder> owners = new LinkedHashMap<>(entries.size() * 4);
        for (HostEntry entry : entries) {
            boolean v4 = entry.address() instanceof RData.A;
            Builder reverse = owners.computeIfAbsent(reverseName(entry.address()), n -> new Builder());
            for (Name name : entry.names()) {
                Builder forward = owners.computeIfAbsent(name, n -> new Builder());
                forward.addOnce(v4 ? forward.addresses4 : forward.addresses6, entry.address());
                reverse.addOnce(reverse.pointers, new RData.Ptr(name));
            }
        }
        Map<Name, Node> nodes = new HashMap<>(owners.size() * 2);
        int addressRecords = 0;
        int pointerRecords = 0;
        for (Map.Entry<Name, Builder> owner : owners.entrySet()) {
            Node node = owner.getValue().build();
            addressRecords += node.addresses4().size() + node.addresses6().size();
            pointerRecords += node.pointers().size();
            nodes.put(owner.getKey(), node);
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

    /** Every name with its records (their ancestors are the snapshot's to add). */
    Set<Map.Entry<Name, Node>> nodes() {
        return nodes.entrySet();
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
