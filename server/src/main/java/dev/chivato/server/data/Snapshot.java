package dev.chivato.server.data;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import java.util.ArrayList;
import java.util.HashMap;
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
        public List<ResourceRecord> records(Name asOwner) {
            List<ResourceRecord> records = new ArrayList<>(data.size());
            for (RData rdata : data) {
                records.add(ResourceRecord.in(asOwner, ttl, rdata));
            }
            return records;
        }
    }

    /** A name we hold: its RRsets in the order they were given; none for an empty non-terminal. */
    public static final class Node {
        private final List<RRset> rrsets;

        Node(List<RRset> rrsets) {
            this.rrsets = List.copyOf(rrsets);
        }

        public Optional<RRset> get(RRType type) {
            for (RRset rrset : rrsets) {
                if (rrset.type().equals(type)) {
                    return Optional.of(rrset);
                }
            }
            return Optional.empty();
        }

        public List<RRset> rrsets() {
            return rrsets;
        }

        /** This node's RRsets and then {@code other}'s; an RRset of a type both have is one, this one's TTL kept. */
        Node with(Node other) {
            List<RRset> merged = new ArrayList<>(rrsets);
            for (RRset more : other.rrsets) {
                int same = -1;
                for (int i = 0; i < merged.size() && same < 0; i++) {
                    same = merged.get(i).type().equals(more.type()) ? i : -1;
                }
                if (same < 0) {
                    merged.add(more);
                } else {
                    RRset first = merged.get(same);
                    List<RData> data = new ArrayList<>(first.data());
                    more.data().stream().filter(d -> !data.contains(d)).forEach(data::add);
                    merged.set(same, new RRset(first.owner(), first.type(), first.ttl(), data, first.source()));
                }
            }
            return new Node(merged);
        }
    }

    /**
     * A zone we are authoritative for: its apex and SOA RRset, whether it is signed (a DNSKEY RRset at its apex), the
     * owners of its NSEC records in the canonical order (RFC 4034 section 6.1), empty when it has none, and its NSEC3
     * chain, null when it has none (no NSEC3PARAM at the apex).
     */
    /**
     * A zone: its apex, SOA, whether it is signed, its NSEC owners in canonical order and NSEC3 chain, and whether a
     * name below the apex holds NS ({@code delegates}: only then can a lookup meet a zone cut).
     */
    public record Zone(Name apex, RRset soa, boolean signed, List<Name> nsecChain, Nsec3Chain nsec3,
            boolean delegates) {
        public Zone {
            nsecChain = List.copyOf(nsecChain);
        }

        /** The SOA record for a negative answer: its TTL is the lesser of its own and MINIMUM (RFC 2308 section 3). */
        public ResourceRecord negativeSoa() {
            RData.Soa data = (RData.Soa) soa.data().get(0);
            return ResourceRecord.in(apex, Math.min(soa.ttl(), data.minimum()), data);
        }
    }

    private final NodeTable hosts;
    private final long hostsTtl;
    private final Map<Name, NodeTable> zoneNodes;
    /** The zones by their apex's hash (a name's, without regard to case), to find a name's zone by its suffixes. */
    private final Map<Integer, List<Zone>> zonesByHash = new HashMap<>();

    private Snapshot(NodeTable hosts, long hostsTtl, Map<Name, Zone> zones, Map<Name, NodeTable> zoneNodes) {
        this.hosts = hosts;
        this.hostsTtl = hostsTtl;
        this.zoneNodes = zoneNodes;
        for (Zone zone : zones.values()) {
            zonesByHash.computeIfAbsent(zone.apex().hashCode(), h -> new ArrayList<>(1)).add(zone);
        }
    }

    /**
     * The hosts records (served with {@code hostsTtl}) and the zones, in one model. Each source keeps its own table,
     * shared, not copied: a reload that changes one zone builds only that zone's table again.
     */
    public static Snapshot of(RecordStore hosts, long hostsTtl, List<ZoneFile.Zone> zoneFiles) {
        Map<Name, Zone> zones = new HashMap<>();
        Map<Name, NodeTable> zoneNodes = new HashMap<>();
        for (ZoneFile.Zone zone : zoneFiles) {
            Node apex = zone.nodes().get(zone.origin(), -1).orElseThrow();
            RRset soa = apex.get(RRType.SOA).orElseThrow();
            boolean signed = apex.get(RRType.DNSKEY).isPresent();
            List<Name> nsec = new ArrayList<>();
            List<Name> nsec3 = new ArrayList<>();
            if (signed) {
                owners(zone, nsec, nsec3);
            }
            Optional<RRset> parameters = apex.get(RRType.NSEC3PARAM);
            boolean delegates = zone.nodes().nsOwners() > (apex.get(RRType.NS).isPresent() ? 1 : 0);
            zones.put(zone.origin(), new Zone(zone.origin(), soa, signed, nsec, signed && parameters.isPresent()
                    ? Nsec3Chain.of(parameters.get().data().get(0), nsec3) : null, delegates));
            zoneNodes.put(zone.origin(), zone.nodes());
        }
        return new Snapshot(hosts.table(), hostsTtl, zones, zoneNodes);
    }

    /** The owners of the zone's NSEC records, in the canonical order, and of its NSEC3 records. */
    private static void owners(ZoneFile.Zone zone, List<Name> nsec, List<Name> nsec3) {
        nsec.addAll(zone.nodes().ownersOf(RRType.NSEC));
        nsec3.addAll(zone.nodes().ownersOf(RRType.NSEC3));
        nsec.sort(Name::canonicalCompare);
    }

    /**
     * The node of a name: from its zone's data and from the hosts records, together when both hold it (the hosts
     * records first, an RRset of one type in both made one).
     */
    public Optional<Node> node(Name name) {
        Optional<Node> fromHosts = hosts.get(name, hostsTtl);
        Optional<Zone> zone = zoneOf(name);
        if (zone.isEmpty()) {
            return fromHosts;
        }
        Optional<Node> fromZone = zoneNodes.get(zone.get().apex()).get(name, -1);
        if (fromHosts.isEmpty() || fromZone.isEmpty()) {
            return fromHosts.isPresent() ? fromHosts : fromZone;
        }
        return Optional.of(fromHosts.get().with(fromZone.get()));
    }

    /**
     * The zone whose apex is the closest to {@code name} at or above it, if any: each suffix of the name's octets is
     * hashed and looked up in turn, longest first, without making a name of it.
     */
    public Optional<Zone> zoneOf(Name name) {
        if (zonesByHash.isEmpty()) {
            return Optional.empty();
        }
        byte[] wire = name.wire();
        for (int at = 0; at < wire.length; at += 1 + (wire[at] & 0xff)) {
            int hash = at == 0 ? name.hashCode() : Name.hashCodeOf(wire, at, wire.length - at); // the first is kept
            List<Zone> candidates = zonesByHash.get(hash);
            if (candidates != null) {
                for (Zone zone : candidates) {
                    if (zone.apex().equalsWire(wire, at, wire.length - at)) {
                        return Optional.of(zone);
                    }
                }
            }
            if (wire[at] == 0) {
                break;
            }
        }
        return Optional.empty();
    }
}
