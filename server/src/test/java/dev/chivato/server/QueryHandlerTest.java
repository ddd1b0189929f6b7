package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.tsig.TransactionSignature;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The handler's decisions, one per test, with no sockets. */
class QueryHandlerTest {
    private final QueryHandler handler =
            new QueryHandler(TestServer.seedAndBig(), QueryHandler.UnknownPolicy.NXDOMAIN, false, 300);

    private static Message query(String name, RRType type) {
        return Message.query(42, true, Question.of(name, type), Optional.empty());
    }

    private Message answer(Message query) {
        return handler.handle(query, Transport.UDP).response().orElseThrow();
    }

    @Test
    void knownNameGetsItsAddressesWithAa() {
        Message response = answer(query("example.com", RRType.A));
        assertEquals(Rcode.NOERROR, response.rcode());
        assertTrue(response.header().aa());
        assertTrue(response.header().qr());
        assertEquals(42, response.header().id());
        assertEquals(List.of(RData.A.parse("1.2.3.4"), RData.A.parse("1.2.3.5")),
                response.answers().stream().map(r -> r.data()).toList());
        assertEquals(300, response.answers().get(0).ttl());
    }

    @Test
    void reverseNameGetsEveryNameOfTheAddress() {
        Message response = answer(query("5.3.2.1.in-addr.arpa", RRType.PTR));
        assertEquals(List.of(new RData.Ptr(Name.parse("example.com")), new RData.Ptr(Name.parse("example.my"))),
                response.answers().stream().map(r -> r.data()).toList());
        assertEquals(AnswerSource.SYNTHESIZED_PTR, handler.handle(query("5.3.2.1.in-addr.arpa", RRType.PTR),
                Transport.UDP).source());
    }

    @Test
    void ipv6AddressesAreServedAndReversedUnderIp6Arpa() {
        assertEquals(RData.AAAA.parse("2001:db8::1"), answer(query("six.example.com", RRType.AAAA)).answers().get(0)
                .data());
        String reverse = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
        assertEquals(new RData.Ptr(Name.parse("six.example.com")),
                answer(query(reverse, RRType.PTR)).answers().get(0).data());
    }

    @Test
    void unknownNameIsNxdomain() {
        Message response = answer(query("nowhere.com", RRType.A));
        assertEquals(Rcode.NXDOMAIN, response.rcode());
        assertTrue(response.answers().isEmpty());
    }

    @Test
    void unknownNameIsRefusedWhenAskedTo() {
        QueryHandler refusing =
                new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.REFUSE, false, 300);
        Message response = refusing.handle(query("nowhere.com", RRType.A), Transport.UDP).response().orElseThrow();
        assertEquals(Rcode.REFUSED, response.rcode());
        assertFalse(response.header().aa());
    }

    @Test
    void knownNameWithoutTheTypeIsNodata() {
        Message response = answer(query("example.com", RRType.AAAA));
        assertEquals(Rcode.NOERROR, response.rcode());
        assertTrue(response.answers().isEmpty());
        assertTrue(response.header().aa());
    }

    @Test
    void ancestorOfAKnownNameExistsWithoutData() {
        assertEquals(Rcode.NOERROR, answer(query("com", RRType.A)).rcode());
        assertEquals(Rcode.NOERROR, answer(query("3.2.1.in-addr.arpa", RRType.PTR)).rcode());
    }

    @Test
    void namesMatchIgnoringCaseAndTheQuestionIsEchoedAsWritten() {
        Message response = answer(query("EXAMPLE.my", RRType.A));
        assertEquals(1, response.answers().size());
        assertTrue(response.answers().get(0).name().equalsExactly(Name.parse("EXAMPLE.my")));
        assertTrue(response.questions().get(0).name().equalsExactly(Name.parse("EXAMPLE.my")));
    }

    @Test
    void anyGetsEveryRecordOfTheName() {
        assertEquals(2, answer(query("example.com", RRType.ANY)).answers().size());
    }

    @Test
    void responseIsDropped() {
        Message response = query("example.com", RRType.A);
        Message responseToUs = response.withHeader(response.header().toResponse(false, Rcode.NOERROR));
        assertTrue(handler.handle(responseToUs, Transport.UDP).response().isEmpty());
    }

    @Test
    void otherOpcodeIsNotimpWithoutQuestion() {
        Message query = query("example.com", RRType.A);
        Header notify = new Header(7, false, Opcode.NOTIFY, false, false, false, false, false, false, false,
                Rcode.NOERROR);
        Message response = answer(query.withHeader(notify));
        assertEquals(Rcode.NOTIMP, response.rcode());
        assertTrue(response.questions().isEmpty());
        assertEquals(Opcode.NOTIFY, response.header().opcode());
    }

    @Test
    void noQuestionIsFormerr() {
        Message empty = new Message(Header.query(1, true), List.of(), List.of(), List.of(), List.of(),
                Optional.empty());
        assertEquals(Rcode.FORMERR, answer(empty).rcode());
    }

    @Test
    void twoQuestionsAreFormerr() {
        Message two = new Message(Header.query(1, true), List.of(Question.of("example.com", RRType.A),
                Question.of("example.my", RRType.A)), List.of(), List.of(), List.of(), Optional.empty());
        assertEquals(Rcode.FORMERR, answer(two).rcode());
    }

    @Test
    void ednsQueryGetsOurOptWithDoCopied() {
        Message query = Message.query(1, true, Question.of("example.com", RRType.A),
                Optional.of(Edns.of(4096, true)));
        Edns edns = answer(query).edns().orElseThrow();
        assertEquals(1232, edns.udpPayloadSize());
        assertTrue(edns.dnssecOk());
        assertEquals(0, edns.version());
        assertTrue(edns.options().isEmpty(), "unknown options are not echoed");
    }

    @Test
    void ednsVersionOneIsBadvers() {
        Edns v1 = new Edns(1232, 0, 1, false, 0, List.of());
        Message response = answer(Message.query(1, true, Question.of("example.com", RRType.A), Optional.of(v1)));
        assertEquals(Rcode.BADVERS, response.rcode());
        assertEquals(0, response.edns().orElseThrow().version());
        assertTrue(response.answers().isEmpty());
    }

    @Test
    void zoneTransferOverUdpIsNotimpAndOverTcpRefused() {
        Message axfr = query("example.com", RRType.AXFR);
        assertEquals(Rcode.NOTIMP, handler.handle(axfr, Transport.UDP).response().orElseThrow().rcode());
        assertEquals(Rcode.REFUSED, handler.handle(axfr, Transport.TCP).response().orElseThrow().rcode());
    }

    @Test
    void optAsQuestionTypeIsFormerr() {
        assertEquals(Rcode.FORMERR, answer(query("example.com", RRType.OPT)).rcode());
    }

    @Test
    void chaosClassIsRefusedAndAnyClassAnswered() {
        Message chaos = Message.query(1, false, new Question(Name.parse("example.com"), RRType.A, RRClass.CH),
                Optional.empty());
        assertEquals(Rcode.REFUSED, answer(chaos).rcode());
        Message any = Message.query(1, false, new Question(Name.parse("example.com"), RRType.A, RRClass.ANY),
                Optional.empty());
        assertEquals(2, answer(any).answers().size());
    }

    @Test
    void snitchAnswersNxdomainToEverything() {
        QueryHandler snitch = new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.NXDOMAIN, true, 300);
        Message response = snitch.handle(query("example.com", RRType.A), Transport.UDP).response().orElseThrow();
        assertEquals(Rcode.NXDOMAIN, response.rcode());
    }

    @Test
    void recursionIsNeverAvailableAndRdIsCopied() {
        Message response = answer(query("example.com", RRType.A));
        assertFalse(response.header().ra());
        assertTrue(response.header().rd());
    }

    /** A query signed with a key this server cannot know: algorithm hmac-sha256., a 32-octet MAC. */
    private static Message signed(Message query) {
        java.nio.ByteBuffer rdata = java.nio.ByteBuffer.allocate(13 + 16 + 32)
                .put(Name.parse("hmac-sha256").wire()).putShort((short) 0).putInt(1_700_000_000).putShort((short) 300)
                .putShort((short) 32).put(new byte[32]).putShort((short) query.header().id()).putShort((short) 0)
                .putShort((short) 0);
        dev.chivato.protocol.ResourceRecord tsig = new dev.chivato.protocol.ResourceRecord(Name.parse("nokey"),
                RRClass.ANY, 0, new RData.Unknown(RRType.TSIG, rdata.array()));
        return new Message(query.header(), query.questions(), List.of(), List.of(), List.of(tsig), query.edns());
    }

    @Test
    void aSignedQueryWithAnUnknownKeyGetsNotauthWithBadkeyAndNoMac() {
        Message response = answer(signed(query("example.com", RRType.A)));
        assertEquals(Rcode.NOTAUTH, response.rcode());
        assertEquals(List.of(Question.of("example.com", RRType.A)), response.questions(), "the question kept");
        assertTrue(response.answers().isEmpty());
        dev.chivato.protocol.ResourceRecord tsig = response.additional().get(0);
        assertEquals(RRType.TSIG, tsig.type());
        assertEquals(Name.parse("nokey"), tsig.name());
        java.nio.ByteBuffer rdata = java.nio.ByteBuffer.wrap(((RData.Unknown) tsig.data()).data());
        rdata.position(Name.parse("hmac-sha256").wireLength());
        assertEquals(1_700_000_000L, (rdata.getShort() & 0xffffL) << 32 | rdata.getInt() & 0xffffffffL);
        assertEquals(300, rdata.getShort());
        assertEquals(0, rdata.getShort(), "MAC size 0: an error about the key is never signed");
        assertEquals(42, rdata.getShort(), "original id");
        assertEquals(TransactionSignature.BADKEY, rdata.getShort());
        assertEquals(0, rdata.getShort(), "no other data");
        assertFalse(rdata.hasRemaining());
    }

    @Test
    void aSignedQueryWithEdnsKeepsItsOptRecord() {
        Message response = answer(signed(Message.query(42, true, Question.of("example.com", RRType.A),
                Optional.of(Edns.of(1232, false)))));
        assertEquals(Rcode.NOTAUTH, response.rcode());
        assertTrue(response.edns().isPresent());
    }

    @Test
    void aTsigRecordThatDoesNotParseIsFormerr() {
        dev.chivato.protocol.ResourceRecord broken = new dev.chivato.protocol.ResourceRecord(Name.parse("nokey"),
                RRClass.ANY, 0, new RData.Unknown(RRType.TSIG, new byte[] {3, 'a'}));
        Message query = query("example.com", RRType.A);
        Message response = answer(new Message(query.header(), query.questions(), List.of(), List.of(),
                List.of(broken), Optional.empty()));
        assertEquals(Rcode.FORMERR, response.rcode());
    }
}
