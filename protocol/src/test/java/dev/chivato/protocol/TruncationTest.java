package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TruncationTest {
    private static final Name BIG = Name.parse("big.example.com");

    private static List<ResourceRecord> aRecords(Name owner, int count) {
        List<ResourceRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(ResourceRecord.in(owner, 60, new RData.A(0x0a000000 + i)));
        }
        return records;
    }

    private static Message response(List<ResourceRecord> answers, List<ResourceRecord> additional,
            Optional<Edns> edns) {
        Header header = Header.query(7, true).toResponse(true, Rcode.NOERROR);
        return new Message(header, List.of(new Question(BIG, RRType.A, RRClass.IN)), answers, List.of(), additional,
                edns);
    }

    private static Message encodeAndDecode(Message message, int limit) throws WireFormatException {
        ByteBuffer out = ByteBuffer.allocate(limit);
        int length = message.encode(out, limit);
        assertTrue(length <= limit, length + " <= " + limit);
        assertEquals(length, out.position());
        return Message.decode(ByteBuffer.wrap(out.array(), 0, length));
    }

    @Test
    void answerThatFitsIsNotTruncated() throws WireFormatException {
        Message decoded = encodeAndDecode(response(aRecords(BIG, 3), List.of(), Optional.empty()), 512);
        assertFalse(decoded.header().tc());
        assertEquals(3, decoded.answers().size());
    }

    @Test
    void rrsetThatDoesNotFitIsDroppedWholeAndTcSet() throws WireFormatException {
        Message decoded = encodeAndDecode(response(aRecords(BIG, 100), List.of(), Optional.empty()), 512);
        assertTrue(decoded.header().tc());
        assertEquals(0, decoded.answers().size(), "a partial RRset is never sent");
    }

    @Test
    void earlierWholeRRsetsAreKeptWhenALaterOneDoesNotFit() throws WireFormatException {
        List<ResourceRecord> answers = new ArrayList<>(aRecords(Name.parse("small.example.com"), 2));
        answers.addAll(aRecords(BIG, 100));
        Message decoded = encodeAndDecode(response(answers, List.of(), Optional.empty()), 512);
        assertTrue(decoded.header().tc());
        assertEquals(aRecords(Name.parse("small.example.com"), 2), decoded.answers());
    }

    @Test
    void optRecordIsKeptWhenTheAnswerIsTruncated() throws WireFormatException {
        Optional<Edns> edns = Optional.of(Edns.of(1232, true));
        Message decoded = encodeAndDecode(response(aRecords(BIG, 100), List.of(), edns), 512);
        assertTrue(decoded.header().tc());
        assertEquals(edns, decoded.edns());
    }

    @Test
    void additionalRecordsThatDoNotFitAreLeftOutWithoutTc() throws WireFormatException {
        Message decoded = encodeAndDecode(
                response(aRecords(BIG, 2), aRecords(Name.parse("glue.example.com"), 100), Optional.empty()), 512);
        assertFalse(decoded.header().tc());
        assertEquals(2, decoded.answers().size());
        assertTrue(decoded.additional().isEmpty());
    }

    @Test
    void additionalRRsetsAfterOneThatDoesNotFitStillGoOut() throws WireFormatException {
        List<ResourceRecord> additional = new ArrayList<>(aRecords(Name.parse("glue.example.com"), 100));
        additional.addAll(aRecords(Name.parse("small.example.com"), 1));
        Message decoded = encodeAndDecode(response(aRecords(BIG, 2), additional, Optional.empty()), 512);
        assertFalse(decoded.header().tc());
        assertEquals(aRecords(Name.parse("small.example.com"), 1), decoded.additional());
    }

    @Test
    void compressionEntriesOfARolledBackRRsetAreForgotten() throws WireFormatException {
        // The dropped RRset wrote glue.example.com where the next RRset starts; had the encoder kept that suffix,
        // the next owner, the same name, would become a pointer to itself and the message would not decode.
        List<ResourceRecord> additional = new ArrayList<>(aRecords(Name.parse("glue.example.com"), 100));
        additional.add(ResourceRecord.in(Name.parse("glue.example.com"), 60, new RData.Txt(List.of(new byte[] {1}))));
        Message decoded = encodeAndDecode(response(aRecords(BIG, 2), additional, Optional.empty()), 512);
        assertEquals(1, decoded.additional().size());
        assertEquals(Name.parse("glue.example.com"), decoded.additional().get(0).name());
    }

    @Test
    void theSuffixLastFoundInARolledBackRRsetIsForgotten() throws WireFormatException {
        // The dropped NS RRset wrote zone.test and found it again for each later target; had the encoder kept that
        // as the last suffix found, the next owner under zone.test would point into what was rolled back.
        List<ResourceRecord> additional = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            additional.add(ResourceRecord.in(Name.parse("glue.example.com"), 60,
                    new RData.Ns(Name.parse("ns" + i + ".zone.test"))));
        }
        additional.add(ResourceRecord.in(Name.parse("host.zone.test"), 60, new RData.A(0x0a000001)));
        Message decoded = encodeAndDecode(response(aRecords(BIG, 2), additional, Optional.empty()), 512);
        assertEquals(List.of(additional.get(100)), decoded.additional());
    }

    @Test
    void theFirstNameWrittenInARolledBackRRsetIsForgotten() throws WireFormatException {
        // No question: the first name written is a dropped RRset's owner, whose suffixes the encoder adds only when
        // a later name looks for one. Kept past the rollback, example.com would point into what came after it.
        List<ResourceRecord> additional = new ArrayList<>(aRecords(Name.parse("first.example.com"), 200));
        additional.add(ResourceRecord.in(Name.parse("second.example.com"), 60, new RData.A(0x0a000001)));
        Header header = Header.query(7, true).toResponse(true, Rcode.NOERROR);
        Message message = new Message(header, List.of(), List.of(), List.of(), additional, Optional.empty());
        Message decoded = encodeAndDecode(message, 512);
        assertEquals(List.of(additional.get(200)), decoded.additional());
    }

    @Test
    void anRRsetLargerThanAnyMessageIsDroppedWholeWithWellFormedCounts() throws WireFormatException {
        Message decoded = encodeAndDecode(response(aRecords(BIG, 70_000), List.of(), Optional.empty()),
                Message.MAX_LENGTH);
        assertTrue(decoded.header().tc());
        assertEquals(0, decoded.answers().size());
    }

    @Test
    void fullAnswerGoesOutWithoutALimit() throws WireFormatException {
        Message message = response(aRecords(BIG, 100), List.of(), Optional.empty());
        Message decoded = Message.decode(message.toWire());
        assertEquals(100, decoded.answers().size());
        assertFalse(decoded.header().tc());
    }

    /** An RRSIG for BIG's A RRset, of {@code signatureOctets} octets of signature. */
    private static ResourceRecord rrsig(int signatureOctets) {
        String text = "A 13 3 60 20270101000000 20261201000000 12345 example.com. "
                + java.util.Base64.getEncoder().encodeToString(new byte[signatureOctets]);
        List<TextFields.Token> tokens = java.util.Arrays.stream(text.split(" "))
                .map(t -> new TextFields.Token(t, false)).toList();
        return ResourceRecord.in(BIG, 60, TypeTable.parse(RRType.RRSIG, new TextFields("RRSIG", tokens,
                t -> Name.parse(t.text()))));
    }

    /** RFC 4035 section 3.1.1: an RRset goes with its RRSIGs or not at all, and then TC says what was left out. */
    @Test
    void anRRsetWhoseSignatureDoesNotFitIsLeftOutWithItAndTcIsSet() throws WireFormatException {
        List<ResourceRecord> answers = new ArrayList<>(aRecords(BIG, 2));
        answers.add(rrsig(480));
        Message truncated = encodeAndDecode(response(answers, List.of(), Optional.empty()), 512);
        assertTrue(truncated.header().tc());
        assertTrue(truncated.answers().isEmpty(), "no RRset without its signature: " + truncated.answers());
        Message whole = encodeAndDecode(response(answers, List.of(), Optional.empty()), 1232);
        assertFalse(whole.header().tc());
        assertEquals(3, whole.answers().size());
    }

    /** In the additional section an address record and its RRSIG are left out together, without TC. */
    @Test
    void anAdditionalRRsetWhoseSignatureDoesNotFitIsLeftOutWithoutTc() throws WireFormatException {
        List<ResourceRecord> additional = new ArrayList<>(aRecords(BIG, 1));
        additional.add(rrsig(460));
        Message message = encodeAndDecode(response(aRecords(BIG, 1), additional, Optional.empty()), 512);
        assertFalse(message.header().tc());
        assertTrue(message.additional().isEmpty(), message.additional().toString());
    }
}
