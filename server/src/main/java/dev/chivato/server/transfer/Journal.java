package dev.chivato.server.transfer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The differences between the successive versions of one zone loaded since start (not kept across restarts), for
 * IXFR: at most {@code maxVersions} of them and {@code maxOctets} in all, the oldest dropped first. Immutable: a
 * reload makes a new journal, and a transfer goes on with the one it started with.
 */
public record Journal(List<ZoneDiff> diffs, long octets, int maxVersions, long maxOctets) {
    public static final int DEFAULT_VERSIONS = 20;
    public static final long DEFAULT_OCTETS = 16L << 20;

    public Journal {
        diffs = List.copyOf(diffs);
    }

    public static Journal empty(int maxVersions, long maxOctets) {
        return new Journal(List.of(), 0, maxVersions, maxOctets);
    }

    /** This journal with {@code diff} after its last, trimmed to its bounds (a diff beyond them alone: none kept). */
    public Journal with(ZoneDiff diff) {
        List<ZoneDiff> kept = new ArrayList<>(diffs);
        kept.add(diff);
        long total = octets + diff.octets();
        while (!kept.isEmpty() && (kept.size() > maxVersions || total > maxOctets)) {
            total -= kept.remove(0).octets();
        }
        return new Journal(kept, total, maxVersions, maxOctets);
    }

    /** A journal that no longer reaches back (the zone's origin changed, or a change could not be journaled). */
    public Journal cleared() {
        return empty(maxVersions, maxOctets);
    }

    /**
     * The difference from {@code serial} to the latest version, the journal's steps condensed into one; empty when
     * the journal does not reach back to {@code serial} (then a full transfer).
     */
    public Optional<List<ZoneDiff>> from(long serial) {
        for (int i = 0; i < diffs.size(); i++) {
            if (diffs.get(i).fromSerial() == serial) {
                List<ZoneDiff> steps = diffs.subList(i, diffs.size());
                return Optional.of(steps.size() == 1 ? steps : List.of(ZoneDiff.condensed(steps)));
            }
        }
        return Optional.empty();
    }
}
