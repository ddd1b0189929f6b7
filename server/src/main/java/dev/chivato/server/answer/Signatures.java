package dev.chivato.server.answer;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNSSEC records an answer carries for a client that set DO (RFC 4035 section 3.1): the RRSIGs of an RRset, and
 * the NSEC records (RFC 4035 section 3.1.3) or NSEC3 records (RFC 5155 section 7.2) that prove a name or a type does
 * not exist, each with its own RRSIGs. A zone's signatures are kept as the signer wrote them, in the RRSIG RRset of
 * each name; an RRset's are those whose type covered is its type, served with the RRset's TTL (RFC 4034 section 3).
 * A zone with an NSEC3PARAM record at its apex proves with NSEC3, any other signed zone with NSEC.
 */
final class Signatures {
    private final Snapshot data;

    Signatures(Snapshot data) {
        this.data = data;
    }

    /**
     * The RRSIG records at {@code node} covering {@code type}, owned by {@code owner} (a wildcard's match), each with
     * the TTL the signer gave it (a node's RRSIGs are kept in RRsets of one TTL each).
     */
    static List<ResourceRecord> covering(Snapshot.Node node, Name owner, RRType type) {
        List<ResourceRecord> records = new ArrayList<>(1);
        for (Snapshot.RRset signatures : node.rrsets()) {
            if (signatures.type().equals(RRType.RRSIG)) {
                for (RData rrsig : signatures.data()) {
                    if (typeCovered(rrsig) == type.value()) {
                        records.add(ResourceRecord.in(owner, signatures.ttl(), rrsig));
                    }
                }
            }
        }
        return records;
    }

    /** An RRSIG's first field: the type it covers. */
    static int typeCovered(RData rrsig) {
        return ((RData.Described) rrsig).u16(0);
    }

    /** The records of {@code rrset} owned by {@code owner}, then, for DO, their RRSIGs. */
    static List<ResourceRecord> signed(Snapshot.Node node, Snapshot.RRset rrset, Name owner, boolean dnssec) {
        List<ResourceRecord> records = rrset.records(owner);
        if (!dnssec || rrset.type().equals(RRType.RRSIG)) {
            return records;
        }
        List<ResourceRecord> withSignatures = new ArrayList<>(records);
        withSignatures.addAll(covering(node, owner, rrset.type()));
        return withSignatures;
    }

    /** Every RRSIG record at the node, each at its TTL (a query for RRSIG). */
    static List<ResourceRecord> allSignatures(Snapshot.Node node, Name owner) {
        List<ResourceRecord> records = new ArrayList<>();
        for (Snapshot.RRset signatures : node.rrsets()) {
            if (signatures.type().equals(RRType.RRSIG)) {
                records.addAll(signatures.records(owner));
            }
        }
        return records;
    }

    /** The NSEC record at {@code name} with its RRSIGs, when the name has one. */
    List<ResourceRecord> nsecAt(Name name) {
        return recordAt(name, RRType.NSEC);
    }

    private List<ResourceRecord> recordAt(Name name, RRType type) {
        if (name == null) {
            return List.of();
        }
        return data.node(name).flatMap(node -> node.get(type).map(rrset -> signed(node, rrset, rrset.owner(),
                true))).orElse(List.of());
    }

    /** NXDOMAIN's proof: the name is not there, nor is the wildcard at its closest encloser {@code encloser}. */
    List<ResourceRecord> nameError(Snapshot.Zone zone, Name name, Name encloser) {
        Name wildcard = encloser.child(WILDCARD);
        if (zone.nsec3() != null) { // RFC 5155 section 7.2.2
            return union(closestEncloserProof(zone, name, encloser), nsec3Covering(zone, wildcard));
        }
        return union(nsecCovering(zone, name), nsecCovering(zone, wildcard)); // RFC 4035 section 3.1.3.2
    }

    /** NODATA's proof for a name that exists ({@code node}, perhaps an empty non-terminal) without the type asked. */
    List<ResourceRecord> noData(Snapshot.Zone zone, Name name, Snapshot.Node node) {
        if (zone.nsec3() != null) { // RFC 5155 sections 7.2.3 and 7.2.4: the name's own, or (opt-out) its encloser's
            Name matching = zone.nsec3().matching(name);
            return matching != null ? recordAt(matching, RRType.NSEC3) : closestProvableEncloserProof(zone, name);
        }
        return node.rrsets().isEmpty() ? nsecCovering(zone, name) : nsecAt(name); // RFC 4035 section 3.1.3.1
    }

    /** A wildcard's answer to {@code name} (closest encloser {@code encloser}): the name itself is not there. */
    List<ResourceRecord> wildcardAnswer(Snapshot.Zone zone, Name name, Name encloser) {
        if (zone.nsec3() != null) { // RFC 5155 section 7.2.6: the next closer name is covered
            return nsec3Covering(zone, nextCloser(name, encloser));
        }
        return nsecCovering(zone, name); // RFC 4035 section 3.1.3.3
    }

    /** A wildcard that holds no record of the type: the name is not there, and the wildcard has no such type. */
    List<ResourceRecord> wildcardNoData(Snapshot.Zone zone, Name name, Name encloser) {
        Name wildcard = encloser.child(WILDCARD);
        if (zone.nsec3() != null) { // RFC 5155 section 7.2.5
            return union(closestEncloserProof(zone, name, encloser), recordAt(zone.nsec3().matching(wildcard),
                    RRType.NSEC3));
        }
        return union(nsecCovering(zone, name), nsecAt(wildcard)); // RFC 4035 section 3.1.3.4
    }

    /** A delegation without DS, at {@code cut}: its NSEC or NSEC3, or (opt-out) its closest provable encloser's. */
    List<ResourceRecord> noDs(Snapshot.Zone zone, Name cut) {
        if (zone.nsec3() != null) { // RFC 5155 section 7.2.7
            Name matching = zone.nsec3().matching(cut);
            return matching != null ? recordAt(matching, RRType.NSEC3) : closestProvableEncloserProof(zone, cut);
        }
        return nsecAt(cut);
    }

    /** RFC 5155 section 7.2.1: the NSEC3 matching the closest encloser, and the one covering the next closer name. */
    private List<ResourceRecord> closestEncloserProof(Snapshot.Zone zone, Name name, Name encloser) {
        return union(recordAt(zone.nsec3().matching(encloser), RRType.NSEC3),
                nsec3Covering(zone, nextCloser(name, encloser)));
    }

    /** The same from the closest ancestor of {@code name} that has an NSEC3 record (opt-out leaves some out). */
    private List<ResourceRecord> closestProvableEncloserProof(Snapshot.Zone zone, Name name) {
        Name encloser = name;
        while (!encloser.equals(zone.apex()) && zone.nsec3().matching(encloser) == null) {
            encloser = encloser.parent();
        }
        return encloser.equals(name) ? recordAt(zone.nsec3().matching(name), RRType.NSEC3)
                : closestEncloserProof(zone, name, encloser);
    }

    private List<ResourceRecord> nsec3Covering(Snapshot.Zone zone, Name name) {
        return recordAt(zone.nsec3().covering(name), RRType.NSEC3);
    }

    /** The name one label longer than {@code encloser} on the way to {@code name} (RFC 5155 section 1.3). */
    static Name nextCloser(Name name, Name encloser) {
        Name next = name;
        while (next.labelCount() > encloser.labelCount() + 1) {
            next = next.parent();
        }
        return next;
    }

    static List<ResourceRecord> union(List<ResourceRecord> first, List<ResourceRecord> second) {
        List<ResourceRecord> both = new ArrayList<>(first);
        second.stream().filter(record -> !first.contains(record)).forEach(both::add);
        return both;
    }

    private static final byte[] WILDCARD = {'*'};

    /**
     * The NSEC record that covers {@code name} in {@code zone} (the one whose owner is the last at or before it in
     * the canonical order, RFC 4034 section 6.1), with its RRSIGs; none when the zone has no NSEC chain.
     */
    List<ResourceRecord> nsecCovering(Snapshot.Zone zone, Name name) {
        List<Name> chain = zone.nsecChain();
        if (chain.isEmpty()) {
            return List.of();
        }
        int low = 0;
        int high = chain.size() - 1;
        int floor = chain.size() - 1; // before the apex (cannot be, in the zone): the last wraps round to it
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (Name.canonicalCompare(chain.get(middle), name) <= 0) {
                floor = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return nsecAt(chain.get(floor));
    }
}
