package dev.chivato.server;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.data.HostEntry;
import dev.chivato.server.data.HostsFile;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.transfer.Journal;
import dev.chivato.server.transfer.Serial;
import dev.chivato.server.transfer.TransferAccess;
import dev.chivato.server.transfer.ZoneDiff;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where the answers come from (hosts files and lines, zone files) and the last good version of each, so that a reload
 * replaces what reads well and keeps the rest: a file with an error, or a zone whose content changed while its serial
 * did not increase (RFC 1982), keeps its old version and is reported. Zones given as text (the embedded server's)
 * are served as given, and a reload keeps them.
 */
public final class DataSources {
    /** A new handler over the sources as they are now, and what the reload did. */
    record Loaded(QueryHandler handler, LogEntry.Reload report) {
    }

    private final List<Path> recordFiles;
    private final List<String> recordLines;
    private final List<String> zoneSpecs;
    private final long ttl;
    private final boolean snitch;
    private final Optional<QueryHandler.UnknownPolicy> unknown;
    /** The names an upstream answers when we hold nothing of our own for them. */
    private final Predicate<Name> forwards;
    private RecordStore hosts;
    /** Who may transfer the zones. */
    private TransferAccess transfers = TransferAccess.NOBODY;
    /** Serve the seed's records ({@link RecordStore#DEFAULT_LINES}) besides the rest. */
    private boolean seed;
    /** Each zone's differences between the versions loaded since start, for IXFR, by its {@code --zone} argument. */
    private final Map<String, Journal> journals = new LinkedHashMap<>();
    private Journal emptyJournal = Journal.empty(Journal.DEFAULT_VERSIONS, Journal.DEFAULT_OCTETS);
    /** The last good version of each zone, by its {@code --zone} argument. */
    private final Map<String, ZoneFile.Zone> zones = new LinkedHashMap<>();

    DataSources(List<Path> recordFiles, List<String> recordLines, List<String> zoneSpecs, long ttl, boolean snitch,
            Optional<QueryHandler.UnknownPolicy> unknown) {
        this(recordFiles, recordLines, zoneSpecs, ttl, snitch, unknown, name -> false);
    }

    public DataSources(List<Path> recordFiles, List<String> recordLines, List<String> zoneSpecs, long ttl,
            boolean snitch, Optional<QueryHandler.UnknownPolicy> unknown, Predicate<Name> forwards) {
        this.forwards = forwards;
        this.recordFiles = List.copyOf(recordFiles);
        this.recordLines = List.copyOf(recordLines);
        this.zoneSpecs = List.copyOf(zoneSpecs);
        this.ttl = ttl;
        this.snitch = snitch;
        this.unknown = unknown;
    }

    /**
     * Serves the seed's records too ({@code --seed}); without it they are served only when no source at all is given
     * (no records, no zone, nothing forwarded).
     */
    void serveSeed(boolean seed) {
        this.seed = seed;
    }

    /** Keeps at most {@code versions} differences per zone, {@code octets} in all, for IXFR. */
    void keepJournals(int versions, long octets) {
        emptyJournal = Journal.empty(versions, octets);
    }

    /** Lets the clients {@code access} allows transfer the zones, from the next load on. */
    public void allowTransfers(TransferAccess access) {
        transfers = access;
    }

    /**
     * Serves {@code zone}, read from text rather than a file, from the first load on: before the zone files, which
     * may not hold its origin again.
     */
    public void serveZone(ZoneFile.Zone zone) {
        zones.put("zone text " + zone.origin(), zone);
    }

    /** The first load: any error stops it (the server does not start). */
    public QueryHandler load() throws FileProblem {
        for (String spec : zoneSpecs) {
            zones.put(spec, readZone(spec));
        }
        checkOrigins(zones);
        hosts = readHosts();
        return handler();
    }

    /** A reload: each source that reads well replaces its old version; the others stay as they were. */
    synchronized Loaded reload() {
        long start = System.nanoTime();
        List<String> failures = new ArrayList<>();
        int read = 0;
        Map<String, ZoneFile.Zone> next = new LinkedHashMap<>(zones);
        for (String spec : zoneSpecs) {
            try {
                ZoneFile.Zone zone = readZone(spec);
                ZoneFile.Zone old = zones.get(spec);
                if (!zone.sameContentAs(old) && zone.origin().equals(old.origin())
                        && !Serial.increased(old.serial(), zone.serial())) {
                    failures.add(zoneFile(spec) + ": serial " + zone.serial() + " did not increase though the zone "
                            + "changed (it was " + old.serial() + "); the old version stays");
                    continue;
                }
                read++;
                if (zone.sameContentAs(old) && zone.files().equals(old.files())) {
                    continue; // unchanged: the version served (and any transfer of it) stays the one table
                }
                next.put(spec, zone.sharingPagesWith(old));
            } catch (FileProblem e) {
                failures.add(e.getMessage());
            }
        }
        try {
            checkOrigins(next);
            Map<String, ZoneFile.Zone> before = new LinkedHashMap<>(zones);
            zones.putAll(next);
            journal(before);
        } catch (FileProblem e) {
            failures.add(e.getMessage());
        }
        try {
            hosts = readHosts();
            read += recordFiles.size() + (recordLines.isEmpty() ? 0 : 1);
        } catch (FileProblem e) {
            failures.add(e.getMessage());
        }
        QueryHandler handler = handler();
        List<String> served = new ArrayList<>();
        long records = (long) hosts.addressRecords() + hosts.pointerRecords();
        for (ZoneFile.Zone zone : zones.values()) {
            served.add(zone.origin() + " " + zone.serial());
            records += zone.recordCount();
        }
        return new Loaded(handler, new LogEntry.Reload(System.currentTimeMillis(), served, records,
                (System.nanoTime() - start) / 1_000_000, failures, read));
    }

    /** The files a reload reads, for {@code --watch}: each zone's {@code $INCLUDE}d files as last read among them. */
    synchronized List<Path> files() {
        Set<Path> files = new LinkedHashSet<>(recordFiles);
        for (String spec : zoneSpecs) {
            files.add(Path.of(zoneFile(spec)));
            ZoneFile.Zone zone = zones.get(spec);
            if (zone != null) {
                files.addAll(zone.files());
            }
        }
        return List.copyOf(files);
    }

    /** Each zone served, by origin, with its serial. */
    /**
     * Adds to each zone's journal the difference from its version {@code before} to its current one, when the serial
     * went up; a zone whose origin changed, or whose difference is larger than the zone, starts an empty journal.
     */
    private void journal(Map<String, ZoneFile.Zone> before) {
        for (Map.Entry<String, ZoneFile.Zone> entry : zones.entrySet()) {
            ZoneFile.Zone old = before.get(entry.getKey());
            ZoneFile.Zone now = entry.getValue();
            Journal journal = journals.getOrDefault(entry.getKey(), emptyJournal);
            if (old == null || old == now || !Serial.increased(old.serial(), now.serial())) {
                continue;
            }
            journals.put(entry.getKey(), old.origin().equals(now.origin())
                    ? ZoneDiff.between(old, now).map(journal::with).orElseGet(journal::cleared) : journal.cleared());
        }
    }

    /** The SOA of each zone whose serial is now greater (RFC 1982) than in {@code before} (a zone new to it too). */
    synchronized List<ResourceRecord> soasChangedSince(Map<String, Long> before) {
        List<ResourceRecord> changed = new ArrayList<>();
        for (ZoneFile.Zone zone : zones.values()) {
            Long old = before.get(zone.origin().toString());
            if (old == null || Serial.increased(old, zone.serial())) {
                changed.add(zone.soa());
            }
        }
        return changed;
    }

    List<Path> recordFiles() {
        return recordFiles;
    }

    List<String> recordLines() {
        return recordLines;
    }

    List<String> zoneSpecs() {
        return zoneSpecs;
    }

    /** The version of the zone of {@code spec} served now, or null before the first load. */
    synchronized ZoneFile.Zone zone(String spec) {
        return zones.get(spec);
    }

    /** The zone versions served now, in the order given. */
    synchronized List<ZoneFile.Zone> zones() {
        return List.copyOf(zones.values());
    }

    synchronized Map<String, Long> serials() {
        Map<String, Long> serials = new LinkedHashMap<>();
        zones.values().forEach(zone -> serials.put(zone.origin().toString(), zone.serial()));
        return serials;
    }

    /** What is served, in one line for stderr at start. */
    String describe() {
        StringBuilder text = new StringBuilder();
        text.append(hosts.addressRecords()).append(" address records, ").append(hosts.pointerRecords())
                .append(" PTR records");
        for (ZoneFile.Zone zone : zones.values()) {
            text.append("; zone ").append(zone.origin()).append(" serial ").append(zone.serial()).append(", ")
                    .append(zone.recordCount()).append(" records");
        }
        return text.toString();
    }

    private QueryHandler handler() {
        List<ZoneFile.Zone> served = List.copyOf(zones.values());
        QueryHandler.UnknownPolicy policy = unknown.orElse(served.isEmpty() ? QueryHandler.UnknownPolicy.NXDOMAIN
                : QueryHandler.UnknownPolicy.REFUSE);
        Map<Name, Journal> byOrigin = new HashMap<>();
        zones.forEach((spec, zone) -> byOrigin.put(zone.origin(), journals.getOrDefault(spec, emptyJournal)));
        return new QueryHandler(hosts, served, policy, snitch, ttl, forwards, transfers, byOrigin);
    }


    private RecordStore readHosts() throws FileProblem {
        if (recordFiles.isEmpty() && recordLines.isEmpty()) {
            return seed ? RecordStore.defaults() : RecordStore.of(List.of());
        }
        Set<Name> apexes = new HashSet<>();
        zones.values().forEach(zone -> apexes.add(zone.origin()));
        RecordStore.Builder hosts = apexes.isEmpty() ? RecordStore.builder()
                : RecordStore.builder(name -> apexOf(name, apexes));
        if (seed) {
            RecordStore.seedEntries().forEach(hosts::add);
        }
        for (Path file : recordFiles) {
            HostsFile.read(file, hosts::add);
        }
        int index = 0;
        for (String line : recordLines) {
            index++;
            HostEntry entry = HostsFile.parseLine("--record", index, line).orElseThrow(() ->
                    new FileProblem("--record \"" + line + "\": empty"));
            hosts.add(entry);
        }
        return hosts.build();
    }

    /** The apex of the zone that holds {@code name}, or the root. */
    private static Name apexOf(Name name, Set<Name> apexes) {
        for (Name at = name; !at.isRoot(); at = at.parent()) {
            if (apexes.contains(at)) {
                return at;
            }
        }
        return Name.ROOT;
    }

    /** {@code [ORIGIN=]FILE}: an origin before the first {@code =}, when that part is a name and not a path. */
    private static ZoneFile.Zone readZone(String spec) throws FileProblem {
        int equals = originEnd(spec);
        Optional<Name> origin = Optional.empty();
        if (equals > 0) {
            try {
                origin = Optional.of(Name.parse(spec.substring(0, equals)));
            } catch (IllegalArgumentException e) {
                throw new FileProblem("--zone " + spec + ": \"" + spec.substring(0, equals)
                        + "\" is not a name: " + e.getMessage());
            }
        }
        return ZoneFile.read(Path.of(zoneFile(spec)), origin);
    }

    private static int originEnd(String spec) {
        int equals = spec.indexOf('=');
        return equals > 0 && spec.lastIndexOf('/', equals) < 0 ? equals : -1;
    }

    static String zoneFile(String spec) {
        return spec.substring(originEnd(spec) + 1);
    }

    /** Two zones with one origin are refused: each origin is served from one file. */
    private static void checkOrigins(Map<String, ZoneFile.Zone> zones) throws FileProblem {
        Set<Name> origins = new HashSet<>();
        for (Map.Entry<String, ZoneFile.Zone> zone : zones.entrySet()) {
            if (!origins.add(zone.getValue().origin())) {
                throw new FileProblem(zoneFile(zone.getKey()) + ": a second zone "
                        + zone.getValue().origin() + " (each origin is served from one file)");
            }
        }
    }
}
