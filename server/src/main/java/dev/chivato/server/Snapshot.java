package dev.chivato.server;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable version of everything the server answers from: every name with its RRsets (any type, a TTL each),
 * the empty non-terminals above them, and the zones (apex and SOA). Zones and hosts records feed the same model;
 * hosts records outside every zone are answered as the hosts list always was (no SOA, NODATA for their parents).
 */
public final class Snapshot {
    /** The records of one owner and type. */
    public record RRset(Name owner, RRType type, long ttl, List<RData> data, AnswerSource source) {
        public RRset {
            data = List.copyOf(data);
        }

        /** The records, with {@code owner} as their owner (the name as the client wrote it, or a wildcard's match). */
        List<ResourceRecord> records(Name asOwner) {
            List<ResourceRecord> records = new ArrayList<>(data.size());
            for (RData rdata : data) {
                records.add(ResourceRecord.in(asOwner, ttl, rdata));
            }
            return records;
        }
    }

    /** A name we hold: its RRsets in the order they were given; none for an empty non-terminal. */
    static final class Node {
        private final List<RRset> rrsets;

        Node(List<RRset> rrsets) {
            this.rrsets = List.copyOf(rrsets);
        }

        Optional<RRset> get(RRType type) {
            for (RRset rrset : rrsets) {
                if (rrset.type().equals(type)) {
                    return Optional.of(rrset);
                }
            }
            return Optional.empty();
        }

        List<RRset> rrsets() {
            return rrsets;
        }
    }

    /** A zone we are authoritative for: its apex and SOA RRset. */
    record Zone(Name apex, RRset soa) {
        /** The SOA record for a negative answer: its TTL is the lesser of its own and MINIMUM (RFC 2308 section 3). */
        ResourceRecord negativeSoa() {
            RData.Soa data = (RData.Soa) soa.data().get(0);
            return ResourceRecord.in(apex, Math.min(soa.ttl(), data.minimum()), data);
        }
    }

    private static final Node EMPTY = new Node(List.of());

    private final Map<Name, Node> nodes;
    private final Map<Name, Zone> zones;

    private Snapshot(Map<Name, Node> nodes, Map<Name, Zone> zones) {
        this.nodes = nodes;
        this.zones = zones;
    }

    /** The hosts records (served with {@code hostsTtl}) and the zones, in one model. */
    static Snapshot of(RecordStore hosts, long hostsTtl, List<ZoneFile.Zone> zoneFiles) {
        Map<Name, Map<RRType, RRsetBuilder>> owners = new HashMap<>();
        for (Map.Entry<Name, RecordStore.Node> node : hosts.nodes()) {
            RecordStore.Node records = node.getValue();
            add(owners, node.getKey(), RRType.A, hostsTtl, records.addresses4(), AnswerSource.RECORDS);
            add(owners, node.getKey(), RRType.AAAA, hostsTtl, records.addresses6(), AnswerSource.RECORDS);
            add(owners, node.getKey(), RRType.PTR, hostsTtl, records.pointers(), AnswerSource.SYNTHESIZED_PTR);
        }
        Map<Name, Zone> zones = new HashMap<>();
        for (ZoneFile.Zone zone : zoneFiles) {
            for (ResourceRecord record : zone.records()) {
                builder(owners, record.name(), record.type(), record.ttl(), AnswerSource.ZONE).data.add(record.data());
            }
        }
        Map<Name, Node> nodes = new HashMap<>(owners.size() * 2);
        owners.forEach((name, types) -> {
            List<RRset> rrsets = new ArrayList<>(types.size());
            types.values().forEach(builder -> rrsets.add(builder.build()));
            nodes.put(name, new Node(rrsets));
        });
        for (ZoneFile.Zone zone : zoneFiles) {
            zones.put(zone.origin(), new Zone(zone.origin(), nodes.get(zone.origin()).get(RRType.SOA).orElseThrow()));
        }
        Snapshot snapshot = new Snapshot(nodes, zones);
        snapshot.addEmptyNonTerminals();
        return snapshot;
    }

    private static void add(Map<Name, Map<RRType, RRsetBuilder>> owners, Name owner, RRType type, long ttl,
            List<RData> data, AnswerSource source) {
        if (!data.isEmpty()) {
            builder(owners, owner, type, ttl, source).data.addAll(data);
        }
    }

    /** The RRset being built for an owner and type; its types kept in the order they came. */
    private static RRsetBuilder builder(Map<Name, Map<RRType, RRsetBuilder>> owners, Name owner, RRType type,
            long ttl, AnswerSource source) {
        return owners.computeIfAbsent(owner, n -> new LinkedHashMap<>())
                .computeIfAbsent(type, t -> new RRsetBuilder(owner, t, ttl, source));
    }

    /**
     * Every ancestor of a name we hold exists too, with no data (RFC 8020: NODATA, not NXDOMAIN): up to the apex for
     * a name in a zone (above it, the zone is not ours to speak for), up to the root for hosts records.
     */
    private void addEmptyNonTerminals() {
        for (Name owner : List.copyOf(nodes.keySet())) {
            Name apex = zoneOf(owner).map(Zone::apex).orElse(Name.ROOT);
            for (Name up = owner; !up.equals(apex); ) {
                up = up.parent();
                if (nodes.putIfAbsent(up, EMPTY) != null) {
                    break; // already there, and so are its ancestors
                }
            }
        }
    }

    /** An RRset while the snapshot is built: the first record's TTL stands for the set (RFC 2181 section 5.2). */
    private static final class RRsetBuilder {
        final Name owner;
        final RRType type;
        final long ttl;
        final AnswerSource source;
        final List<RData> data = new ArrayList<>(1);

        RRsetBuilder(Name owner, RRType type, long ttl, AnswerSource source) {
            this.owner = owner;
            this.type = type;
            this.ttl = ttl;
            this.source = source;
        }

        RRset build() {
            return new RRset(owner, type, ttl, data, source);
        }
    }

    Optional<Node> node(Name name) {
        return Optional.ofNullable(nodes.get(name));
    }

    /** The zone whose apex is the closest to {@code name} at or above it, if any. */
    Optional<Zone> zoneOf(Name name) {
        for (Name at = name; ; at = at.parent()) {
            Zone zone = zones.get(at);
            if (zone != null) {
                return Optional.of(zone);
            }
            if (at.isRoot()) {
                return Optional.empty();
            }
        }
    }
}
