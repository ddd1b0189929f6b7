package dev.chivato.server.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chivato.protocol.MessageArbitraries;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.ResourceRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A zone printed in master format (each record as dig prints it) reads back as the same zone. */
class ZoneFilePropertiesTest {
    private static final Name ORIGIN = Name.parse("zone.example");

    @Provide
    Arbitrary<List<ResourceRecord>> zones() {
        Arbitrary<Name> owners = MessageArbitraries.names().filter(n -> n.wireLength() < 120)
                .map(n -> n.isRoot() ? ORIGIN : Name.parse(n + ORIGIN.toString()));
        // Every type but SOA (one, at the apex, added below) and CNAME (which may stand beside nothing else).
        Arbitrary<RData> data = MessageArbitraries.rdataIn()
                .filter(d -> !(d instanceof RData.Soa) && !(d instanceof RData.Cname));
        Arbitrary<ResourceRecord> records = Combinators.combine(owners, Arbitraries.longs().between(0, Ttl.MAX), data)
                .as(ResourceRecord::in);
        Arbitrary<RData.Soa> soas = Combinators.combine(MessageArbitraries.names(), MessageArbitraries.names(),
                Arbitraries.longs().between(0, 0xffffffffL), Arbitraries.longs().between(0, Ttl.MAX))
                .as((mname, rname, serial, timer) -> new RData.Soa(mname, rname, serial, timer, timer, timer, timer));
        return Combinators.combine(soas, records.list().ofMaxSize(30)).as((soa, rest) -> {
            List<ResourceRecord> zone = new ArrayList<>();
            zone.add(ResourceRecord.in(ORIGIN, 3600, soa));
            zone.addAll(rest);
            return zone;
        });
    }

    @Property(tries = 500)
    void aPrintedZoneReadsBackTheSame(@ForAll("zones") List<ResourceRecord> zone) throws Exception {
        StringBuilder text = new StringBuilder("; printed by the test\n");
        zone.forEach(record -> text.append(record).append('\n'));
        ZoneFile.Zone parsed = ZoneFile.parse("generated", text.toString(), Optional.empty(), Path.of("."));
        assertEquals(ORIGIN, parsed.origin());
        // Each record once; an RRset's records take its first TTL (RFC 2181 section 5.2); grouped by name and type.
        Map<List<Object>, Long> rrsetTtls = new HashMap<>();
        Set<ResourceRecord> expected = new LinkedHashSet<>();
        for (ResourceRecord record : zone) {
            long ttl = rrsetTtls.computeIfAbsent(List.of(record.name(), record.type()), key -> record.ttl());
            expected.add(ResourceRecord.in(record.name(), ttl, record.data()));
        }
        List<ResourceRecord> records = parsed.records();
        assertEquals(expected, new HashSet<>(records), text.toString());
        assertEquals(expected.size(), records.size(), text.toString());
    }
}
