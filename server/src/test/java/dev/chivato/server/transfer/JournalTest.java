package dev.chivato.server.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.ZoneFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JournalTest {
    private static final Name ORIGIN = Name.parse("example.test");

    private static ZoneFile.Zone zone(long serial, String body) throws Exception {
        return ZoneFile.parse("test.zone", "$ORIGIN example.test.\n$TTL 60\n@ SOA ns host " + serial
                + " 1 1 1 1\n@ NS ns\nns A 192.0.2.1\n" + body, Optional.of(ORIGIN), Path.of("."));
    }

    private static ZoneDiff diff(long from, long to) {
        ResourceRecord fromSoa = ResourceRecord.in(ORIGIN, 60, new RData.Soa(Name.parse("ns.example.test"),
                Name.parse("host.example.test"), from, 1, 1, 1, 1));
        ResourceRecord toSoa = ResourceRecord.in(ORIGIN, 60, new RData.Soa(Name.parse("ns.example.test"),
                Name.parse("host.example.test"), to, 1, 1, 1, 1));
        return new ZoneDiff(fromSoa, toSoa, List.of(), List.of());
    }

    @Test
    void aDifferenceHoldsWhatWasDeletedAndWhatWasAdded() throws Exception {
        ZoneDiff diff = ZoneDiff.between(zone(1, "www A 192.0.2.80\nold A 192.0.2.9\n"),
                zone(2, "www A 192.0.2.81\nnew A 192.0.2.10\n")).orElseThrow();
        assertEquals(List.of("old.example.test.\t60\tIN\tA\t192.0.2.9", "www.example.test.\t60\tIN\tA\t192.0.2.80"),
                diff.deleted().stream().map(Object::toString).sorted().toList());
        assertEquals(List.of("new.example.test.\t60\tIN\tA\t192.0.2.10", "www.example.test.\t60\tIN\tA\t192.0.2.81"),
                diff.added().stream().map(Object::toString).sorted().toList());
        assertEquals(1, diff.fromSerial());
        assertEquals(2, diff.toSerial());
    }

    @Test
    void aDifferenceLargerThanTheZoneIsNotKept() throws Exception {
        assertTrue(ZoneDiff.between(zone(1, "a A 192.0.2.1\nb A 192.0.2.2\n"),
                zone(2, "c A 192.0.2.3\nd A 192.0.2.4\n")).isPresent(),
                "four changes in a zone of five records are kept");
        assertEquals(Optional.empty(), ZoneDiff.between(zone(1, "a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n"
                + "d A 192.0.2.4\n"), zone(2, "e A 192.0.2.5\nf A 192.0.2.6\ng A 192.0.2.7\nh A 192.0.2.8\n")),
                "8 changes in a zone of 7 records: a whole transfer is smaller");
    }

    @Test
    void condensedDifferencesLeaveOutWhatCameAndWentOnTheWay() throws Exception {
        ZoneFile.Zone one = zone(1, "www A 192.0.2.80\n");
        ZoneFile.Zone two = zone(2, "www A 192.0.2.81\ntemp A 192.0.2.99\n");
        ZoneFile.Zone three = zone(3, "www A 192.0.2.82\n");
        ZoneDiff condensed = ZoneDiff.condensed(List.of(ZoneDiff.between(one, two).orElseThrow(),
                ZoneDiff.between(two, three).orElseThrow()));
        assertEquals(List.of("www.example.test.\t60\tIN\tA\t192.0.2.80"),
                condensed.deleted().stream().map(Object::toString).toList());
        assertEquals(List.of("www.example.test.\t60\tIN\tA\t192.0.2.82"),
                condensed.added().stream().map(Object::toString).toList());
        assertEquals(ZoneDiff.between(one, three).orElseThrow().deleted(), condensed.deleted());
        assertEquals(1, condensed.fromSerial());
        assertEquals(3, condensed.toSerial());
    }

    @Test
    void theJournalKeepsItsNewestVersionsWithinItsBounds() {
        Journal journal = Journal.empty(2, 1 << 20);
        for (long serial = 1; serial <= 4; serial++) {
            journal = journal.with(diff(serial, serial + 1));
        }
        assertEquals(2, journal.diffs().size());
        assertEquals(Optional.empty(), journal.from(2), "version 2's difference was dropped");
        List<ZoneDiff> fromThree = journal.from(3).orElseThrow();
        assertEquals(1, fromThree.size(), "condensed");
        assertEquals(3, fromThree.get(0).fromSerial());
        assertEquals(5, fromThree.get(0).toSerial());
        Journal tiny = Journal.empty(10, 100).with(diff(1, 2));
        assertTrue(tiny.diffs().isEmpty(), "a difference beyond the octets allowed is not kept");
    }
}
