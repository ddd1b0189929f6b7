package dev.chivato.server.transfer;

import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.RecordCursor;
import dev.chivato.server.data.Snapshot;
import dev.chivato.server.data.ZoneFile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What changed between two versions of a zone, as IXFR sends it (RFC 1995): the old SOA, the records deleted, the
 * new SOA, the records added. A changed TTL is a deletion and an addition. Found name by name, one name's records
 * in hand at a time: the new version walked, each name looked up in the old, then the old walked for names gone.
 */
public record ZoneDiff(ResourceRecord fromSoa, ResourceRecord toSoa, List<ResourceRecord> deleted,
                       List<ResourceRecord> added) {
    public ZoneDiff {
        deleted = List.copyOf(deleted);
        added = List.copyOf(added);
    }

    public long fromSerial() {
        return ZoneTransfer.serialOf(fromSoa);
    }

    public long toSerial() {
        return ZoneTransfer.serialOf(toSoa);
    }

    /** Records it holds, the two SOAs included. */
    public int records() {
        return deleted.size() + added.size() + 2;
    }

    /** About the memory it holds. */
    public long octets() {
        long octets = 256;
        for (List<ResourceRecord> side : List.of(deleted, added)) {
            for (ResourceRecord record : side) {
                octets += 64 + record.name().wireLength() + record.data().toString().length();
            }
        }
        return octets;
    }

    /**
     * The successive differences {@code diffs} as one (RFC 1995 section 5 lets a server condense them): what the
     * first version had and the last does not is deleted, what the last has and the first did not is added; a record
     * added and deleted again on the way appears in neither.
     */
    public static ZoneDiff condensed(List<ZoneDiff> diffs) {
        java.util.LinkedHashSet<ResourceRecord> deleted = new java.util.LinkedHashSet<>();
        java.util.LinkedHashSet<ResourceRecord> added = new java.util.LinkedHashSet<>();
        for (ZoneDiff diff : diffs) {
            for (ResourceRecord record : diff.deleted()) {
                if (!added.remove(record)) {
                    deleted.add(record);
                }
            }
            for (ResourceRecord record : diff.added()) {
                if (!deleted.remove(record)) {
                    added.add(record);
                }
            }
        }
        return new ZoneDiff(diffs.get(0).fromSoa(), diffs.get(diffs.size() - 1).toSoa(), List.copyOf(deleted),
                List.copyOf(added));
    }

    /**
     * The difference from {@code old} to {@code next}, or empty when it holds more records than {@code next} does
     * (then a full transfer is cheaper, and is what a client behind it gets).
     */
    public static Optional<ZoneDiff> between(ZoneFile.Zone old, ZoneFile.Zone next) {
        List<ResourceRecord> deleted = new ArrayList<>();
        List<ResourceRecord> added = new ArrayList<>();
        long limit = next.recordCount();
        RecordCursor walk = next.cursor();
        for (List<Snapshot.RRset> rrsets; (rrsets = walk.next()) != null; ) {
            if (rrsets.isEmpty()) {
                continue; // an empty non-terminal: nothing of its own
            }
            Set<ResourceRecord> now = recordsOf(rrsets, next);
            Set<ResourceRecord> before = new HashSet<>(withoutApexSoa(old.recordsAt(rrsets.get(0).owner()), old));
            now.stream().filter(r -> !before.contains(r)).forEach(added::add);
            before.stream().filter(r -> !now.contains(r)).forEach(deleted::add);
            if (added.size() + deleted.size() > limit) {
                return Optional.empty();
            }
        }
        walk = old.cursor();
        for (List<Snapshot.RRset> rrsets; (rrsets = walk.next()) != null; ) {
            if (!rrsets.isEmpty() && next.recordsAt(rrsets.get(0).owner()).isEmpty()) {
                deleted.addAll(recordsOf(rrsets, old));
                if (added.size() + deleted.size() > limit) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(new ZoneDiff(old.soa(), next.soa(), deleted, added));
    }

    private static Set<ResourceRecord> recordsOf(List<Snapshot.RRset> rrsets, ZoneFile.Zone zone) {
        Set<ResourceRecord> records = new HashSet<>();
        for (Snapshot.RRset rrset : rrsets) {
            records.addAll(withoutApexSoa(rrset.records(rrset.owner()), zone));
        }
        return records;
    }

    /** The SOA brackets each side of a difference; it is not one of its records. */
    private static List<ResourceRecord> withoutApexSoa(List<ResourceRecord> records, ZoneFile.Zone zone) {
        return records.stream().filter(r -> !(r.type().equals(RRType.SOA) && r.name().equals(zone.origin())))
                .toList();
    }
}
