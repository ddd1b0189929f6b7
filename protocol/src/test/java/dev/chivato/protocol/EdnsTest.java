package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EdnsTest {
    private static Message query(Optional<Edns> edns) {
        return Message.query(1, true, Question.of("example.com", RRType.A), edns);
    }

    @Test
    void badversSplitsBetweenHeaderAndOpt() throws WireFormatException {
        Message response = query(Optional.of(Edns.of(1232, false))).withRcode(Rcode.BADVERS);
        assertEquals(Rcode.NOERROR, response.header().rcode());
        assertEquals(1, response.edns().orElseThrow().extendedRcode());
        Message decoded = Message.decode(response.toWire());
        assertEquals(Rcode.BADVERS, decoded.rcode());
        assertEquals("BADVERS", decoded.rcode().toString());
    }

    @Test
    void extendedRcodeNeedsEdns() {
        assertThrows(IllegalArgumentException.class, () -> query(Optional.empty()).withRcode(Rcode.BADVERS));
    }

    @Test
    void headerRcodeAloneIsTheRcodeWithoutEdns() {
        assertEquals(Rcode.NXDOMAIN, query(Optional.empty()).withRcode(Rcode.NXDOMAIN).rcode());
    }

    @Test
    void optRecordCarriesSizeVersionAndDoFlag() {
        Edns edns = new Edns(4096, 0, 1, true, 0, List.of(new EdnsOption(EdnsOption.COOKIE, new byte[8])));
        ResourceRecord opt = edns.toRecord();
        assertEquals(Name.ROOT, opt.name());
        assertEquals(4096, opt.rrClass().value());
        assertEquals(0x00018000L, opt.ttl());
        assertEquals(edns, Edns.fromRecord(opt));
    }

    @Test
    void optRecordsAreNotAllowedInSections() {
        ResourceRecord opt = Edns.of(1232, false).toRecord();
        assertThrows(IllegalArgumentException.class, () -> new Message(Header.query(1, false), List.of(), List.of(),
                List.of(), List.of(opt), Optional.empty()));
    }

    @Test
    void aDecodedQueryHasTheOptionsItWasSentWith() throws WireFormatException {
        List<EdnsOption> options = List.of(new EdnsOption(EdnsOption.COOKIE, Hex.parse("d26be93553e49557")),
                new EdnsOption(EdnsOption.NSID, new byte[0]), new EdnsOption(EdnsOption.PADDING, new byte[3]));
        Edns sent = new Edns(1232, 0, 0, true, 0, options);
        Edns decoded = Message.decode(query(Optional.of(sent)).toWire()).edns().orElseThrow();
        assertEquals(options, decoded.options());
        assertEquals(sent, decoded);
        assertEquals(sent.hashCode(), decoded.hashCode());
        assertEquals(sent.wireLength(), decoded.wireLength());
    }

    @Test
    void optionsTooLongForAnOptRecordAreRefused() {
        List<EdnsOption> options = List.of(new EdnsOption(EdnsOption.PADDING, new byte[40_000]),
                new EdnsOption(EdnsOption.PADDING, new byte[40_000]));
        assertThrows(IllegalArgumentException.class, () -> new Edns(1232, 0, 0, false, 0, options));
    }
}
