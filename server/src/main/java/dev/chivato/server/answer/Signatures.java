package dev.chivato.server.answer;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DNSSEC records an answer carries for a client that set DO (RFC 4035 section 3.1): the RRSIGs of an RRset, and
 * the NSEC records that prove a name or a type does not exist (section 3.1.3), each with its own RRSIGs. A zone's
 * signatures are kept as the signer wrote them, in the RRSIG RRset of each name; an RRset's are those whose type
 * covered is its type, served with the RRset's TTL (RFC 4034 section 3).
 */
final class Signatures {
    private final Snapshot data;

    Signatures(Snapshot data) {
        this.data = data;
    }

    /** The RRSIG records at {@code node} covering {@code type}, owned by {@code owner} (a wildcard's match). */
    static List<ResourceRecord> covering(Snapshot.Node node, Name owner, RRType type) {
        Optional<Snapshot.RRset> signatures = node.get(RRType.RRSIG);
        if (signatures.isEmpty()) {
            return List.of();
        }
        long ttl = node.get(type).map(Snapshot.RRset::ttl).orElse(signatures.get().ttl());
        List<ResourceRecord> records = new ArrayList<>(1);
        for (RData rrsig : signatures.get().data()) {
            if (typeCovered(rrsig) == type.value()) {
                records.add(ResourceRecord.in(owner, ttl, rrsig));
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

    /** The RRSIG RRset's records, each with the TTL of the RRset it covers (a query for RRSIG, or ANY). */
    static List<ResourceRecord> allSignatures(Snapshot.Node node, Name owner) {
        Optional<Snapshot.RRset> signatures = node.get(RRType.RRSIG);
        if (signatures.isEmpty()) {
            return List.of();
        }
        List<ResourceRecord> records = new ArrayList<>();
        for (RData rrsig : signatures.get().data()) {
            long ttl = node.get(RRType.of(typeCovered(rrsig))).map(Snapshot.RRset::ttl)
                    .orElse(signatures.get().ttl());
            records.add(ResourceRecord.in(owner, ttl, rrsig));
        }
        return records;
    }

    /** The NSEC record at {@code name} with its RRSIGs, when the name has one. */
    List<ResourceRecord> nsecAt(Name name) {
        return data.node(name).flatMap(node -> node.get(RRType.NSEC).map(nsec -> signed(node, nsec, nsec.owner(),
                true))).orElse(List.of());
    }

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
