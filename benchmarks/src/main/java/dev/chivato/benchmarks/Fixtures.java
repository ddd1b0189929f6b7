package dev.chivato.benchmarks;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The messages the benchmarks work on: real captures from testdata, and responses built the same way each run. */
final class Fixtures {
    private Fixtures() {
    }

    /** A capture from the testdata module (see testdata/MANIFEST.md for how each was made). */
    static byte[] capture(String file) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/captures/" + file)) {
            if (in == null) {
                throw new IllegalStateException("no capture " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The answer to example.com A: two A records, owner names compressed to the question. */
    static Message aResponse() {
        Name owner = Name.parse("example.com");
        return new Message(Header.query(4242, true).toResponse(true, Rcode.NOERROR),
                List.of(new Question(owner, RRType.A, RRClass.IN)),
                List.of(ResourceRecord.in(owner, 300, RData.A.parse("1.2.3.4")),
                        ResourceRecord.in(owner, 300, RData.A.parse("1.2.3.5"))),
                List.of(), List.of(), Optional.empty());
    }

    /**
     * A hundred records under one zone, as a transfer or a big ANY answer holds them: A, AAAA, MX, CNAME and TXT in
     * turn, each on its own host name.
     */
    static Message hundredRecords() {
        Name zone = Name.parse("example.com");
        List<ResourceRecord> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Name host = Name.parse("host" + i + ".example.com");
            RData data = switch (i % 5) {
                case 0 -> new RData.A(0x0a000000 + i);
                case 1 -> RData.AAAA.parse("2001:db8::" + Integer.toHexString(i));
                case 2 -> new RData.Mx(10, Name.parse("mail" + i + ".example.com"));
                case 3 -> new RData.Cname(Name.parse("www.example.com"));
                default -> RData.Txt.of("v=spf1 -all", "record " + i);
            };
            answers.add(ResourceRecord.in(host, 300, data));
        }
        return new Message(Header.query(4242, true).toResponse(true, Rcode.NOERROR),
                List.of(new Question(zone, RRType.ANY, RRClass.IN)), answers, List.of(), List.of(), Optional.empty());
    }

    /**
     * A large answer leaning on compression: example.com ANY with 4 NS, a SOA and 10 MX, authority NS again, and
     * an address for each host in the additional section; 34 records whose names share suffixes.
     */
    static Message largeResponse() {
        Name zone = Name.parse("example.com");
        List<ResourceRecord> answers = new ArrayList<>();
        List<ResourceRecord> authority = new ArrayList<>();
        List<ResourceRecord> additional = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Name host = Name.parse("ns" + i + ".example.com");
            answers.add(ResourceRecord.in(zone, 3600, new RData.Ns(host)));
            authority.add(ResourceRecord.in(zone, 3600, new RData.Ns(host)));
            additional.add(ResourceRecord.in(host, 3600, new RData.A(0xc0000200 + i)));
        }
        answers.add(ResourceRecord.in(zone, 3600, new RData.Soa(Name.parse("ns1.example.com"),
                Name.parse("hostmaster.example.com"), 2026112501, 7200, 3600, 1209600, 300)));
        for (int i = 1; i <= 10; i++) {
            Name host = Name.parse("mail" + i + ".example.com");
            answers.add(ResourceRecord.in(zone, 3600, new RData.Mx(10 * i, host)));
            additional.add(ResourceRecord.in(host, 3600, new RData.A(0xc0000210 + i)));
        }
        return new Message(Header.query(4242, true).toResponse(true, Rcode.NOERROR),
                List.of(new Question(zone, RRType.ANY, RRClass.IN)), answers, authority, additional,
                Optional.empty());
    }
}
