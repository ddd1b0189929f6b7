package dev.chivato.server.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An upstream's answer kept as it was written (no decode and encode) or through the codec, and what clients get. */
class UpstreamAnswerTest {
    /** The question as we sent it: 0x20 letters. */
    private static final Question ASKED = new Question(Name.parse("wWw.ExAmple.NET"), RRType.A, RRClass.IN);
    private static final long NOW = 5_000_000_000L;

    private static Message response(Rcode rcode, boolean truncated, List<ResourceRecord> answers,
            List<ResourceRecord> additional, Optional<Edns> edns) {
        Header header = new Header(4242, true, Opcode.QUERY, true, truncated, true, true, false, true, false,
                rcode);
        return new Message(header, List.of(ASKED), answers, List.of(), additional, edns);
    }

    private static ResourceRecord a(String owner, long ttl, String address) {
        return ResourceRecord.in(Name.parse(owner), ttl, RData.A.parse(address));
    }

    private static UpstreamAnswer asWritten(byte[] wire) throws Exception {
        return UpstreamAnswer.asWritten(ByteBuffer.wrap(wire), QueryView.of(wire), ASKED, NOW, 86_400);
    }

    @Test
    void aPositiveAnswerIsKeptAsWrittenWithItsOptCutAndOurHeaderAndSmallLetters() throws Exception {
        Message response = response(Rcode.NOERROR, false, List.of(a("wWw.ExAmple.NET", 300, "192.0.2.1"),
                a("wWw.ExAmple.NET", 60, "192.0.2.2")), List.of(a("ns.example.net", 300, "192.0.2.53")),
                Optional.of(Edns.of(1232, true)));
        byte[] wire = response.toWire();
        UpstreamAnswer answer = asWritten(wire);
        assertNotNull(answer);
        byte[] kept = new byte[answer.length()];
        answer.copyTo(ByteBuffer.wrap(kept));
        int questionEnd = QueryView.of(wire).questionEnd();
        assertArrayEquals(Arrays.copyOfRange(wire, questionEnd, kept.length),
                Arrays.copyOfRange(kept, questionEnd, kept.length), "the records as the upstream wrote them");
        Message decoded = answer.decoded().orElseThrow();
        Message throughTheCodec = UpstreamAnswer.of(response, ASKED, NOW, 86_400).decoded().orElseThrow();
        assertEquals(throughTheCodec.header(), decoded.header(), "ID 0, QR and RA, nothing else");
        assertEquals("www.example.net.", decoded.questions().get(0).name().toString());
        assertEquals(throughTheCodec.answers(), decoded.answers());
        assertEquals(throughTheCodec.additional(), decoded.additional(), "the OPT record is not kept");
        assertEquals(60, answer.keepSeconds(), "kept for the smallest TTL");
        assertEquals(UpstreamAnswer.of(response, ASKED, NOW, 86_400).rateClass(), answer.rateClass());
    }

    @Test
    void aTtlWithTheTopBitSetIsKeptAsZero() throws Exception {
        byte[] wire = response(Rcode.NOERROR, false, List.of(a("wWw.ExAmple.NET", 0x80000000L, "192.0.2.1")),
                List.of(), Optional.empty()).toWire();
        UpstreamAnswer answer = asWritten(wire);
        assertEquals(0, answer.decoded().orElseThrow().answers().get(0).ttl());
        assertEquals(0, answer.keepSeconds());
    }

    @Test
    void negativeTruncatedAndOptBeforeOtherRecordsGoThroughTheCodec() throws Exception {
        assertNull(asWritten(response(Rcode.NXDOMAIN, false, List.of(), List.of(), Optional.empty()).toWire()));
        assertNull(asWritten(response(Rcode.NOERROR, false, List.of(), List.of(), Optional.empty()).toWire()),
                "NODATA");
        assertNull(asWritten(response(Rcode.NOERROR, true, List.of(a("www.example.net", 60, "192.0.2.1")),
                List.of(), Optional.empty()).toWire()), "truncated");
        byte[] optFirst = response(Rcode.NOERROR, false, List.of(a("www.example.net", 60, "192.0.2.1")),
                List.of(a("ns.example.net", 60, "192.0.2.53")), Optional.of(Edns.of(1232, false))).toWire();
        byte[] moved = moveOptFirst(optFirst);
        assertNull(asWritten(moved), "an OPT record that is not the last cannot be cut from the end");
    }

    /** The message (one answer, one glue record, then OPT) with its OPT record moved before the glue. */
    private static byte[] moveOptFirst(byte[] wire) throws Exception {
        int opt = QueryView.of(wire).optOffset();
        int additionalStart = UpstreamAnswer.ttlOffsets(wire)[0] + 4 + 2 + 4; // past the answer's TTL and address
        byte[] moved = wire.clone();
        System.arraycopy(wire, opt, moved, additionalStart, wire.length - opt);
        System.arraycopy(wire, additionalStart, moved, additionalStart + wire.length - opt, opt - additionalStart);
        QueryView.of(moved); // still a well-framed message
        return moved;
    }

    @Test
    void anAnswerWhoseRdataDoesNotReadIsPassedOnWholeAndServfailWhenItMustBeCut() throws Exception {
        byte[] wire = response(Rcode.NOERROR, false, List.of(a("wWw.ExAmple.NET", 60, "192.0.2.1")), List.of(),
                Optional.empty()).toWire();
        int rdLengthAt = wire.length - 4 - 2;
        wire[rdLengthAt + 1] = 3; // an A record of three octets: its last octet cut off below, so the frame holds
        byte[] bad = Arrays.copyOf(wire, wire.length - 1);
        UpstreamAnswer answer = asWritten(bad);
        assertNotNull(answer, "the frame holds: passed on as it came");
        assertEquals(Optional.empty(), answer.decoded());
        byte[] query = Message.query(7, true, new Question(Name.parse("www.example.net"), RRType.A, RRClass.IN),
                Optional.empty()).toWire();
        ByteBuffer out = ByteBuffer.allocate(512);
        int length = ClientReply.write(ByteBuffer.wrap(query), QueryView.of(query), answer, out, 20, NOW);
        assertEquals(Rcode.SERVFAIL, Message.decode(Arrays.copyOf(out.array(), length)).rcode());
    }
}
