package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The one pass over a query agrees with the decoder on every field it records, and never reads outside a message. */
class QueryViewTest {
    @Provide
    Arbitrary<Message> messages() {
        return MessageArbitraries.messages();
    }

    /** RFC 7873 section 5.2.2: a COOKIE option is a client cookie (8 octets), or one and a server cookie (16 to 40). */
    @org.junit.jupiter.api.Test
    void aCookieOptionOfAnyOtherLengthIsRefusedWhereTheOptionStarts() throws WireFormatException {
        for (int length = 0; length <= 44; length++) {
            boolean wellFormed = length == 8 || length >= 16 && length <= 40;
            Edns edns = new Edns(1232, 0, 0, false, 0, List.of(new EdnsOption(EdnsOption.COOKIE, new byte[length])));
            byte[] wire = Message.query(1, true, Question.of("example.com.", RRType.A), Optional.of(edns)).toWire();
            if (wellFormed) {
                assertEquals(length, QueryView.of(wire).cookieLength());
            } else {
                WireFormatException e = org.junit.jupiter.api.Assertions.assertThrows(WireFormatException.class,
                        () -> QueryView.of(wire));
                assertEquals(wire.length - 4 - length, e.offset(), "at the option's code");
                assertTrue(e.reason().startsWith("COOKIE option of " + length + " octets"), e.reason());
            }
        }
    }

    @Property(tries = 2000)
    void aDecodedMessagesViewAgreesWithTheDecoder(@ForAll("messages") Message message) throws WireFormatException {
        net.jqwik.api.Assume.that(message.edns().stream().flatMap(e -> e.options().stream())
                .filter(o -> o.code() == EdnsOption.COOKIE).findFirst()
                .map(o -> o.length() == 8 || o.length() >= 16 && o.length() <= 40).orElse(true));
        byte[] wire = message.toWire();
        Message decoded = Message.decode(wire);
        QueryView view = QueryView.of(wire);
        assertEquals(wire.length, view.length());
        assertEquals(decoded.header().id(), view.id());
        assertEquals(decoded.header().flagsWord(), view.flags());
        assertEquals(decoded.questions().size(), view.questionCount());
        assertEquals(decoded.answers().size(), view.answerCount());
        assertEquals(decoded.authority().size(), view.authorityCount());
        if (!decoded.questions().isEmpty()) {
            Question question = decoded.questions().get(0);
            assertTrue(question.name().equalsExactly(view.name(wire)), "the name as written, case included");
            assertEquals(question.name().hashCode(), view.nameHash(), "the hash a Name has");
            assertEquals(question.type().value(), view.qtype());
            assertEquals(question.qclass().value(), view.qclass());
        } else {
            assertEquals(QueryView.ABSENT, view.qtype());
        }
        assertEquals(decoded.edns().isPresent(), view.hasEdns());
        decoded.edns().ifPresent(edns -> {
            assertEquals(edns.udpPayloadSize(), view.udpPayloadSize());
            assertEquals(edns.version(), view.ednsVersion());
            assertEquals(edns.extendedRcode(), view.extendedRcode());
            assertEquals(edns.dnssecOk(), view.dnssecOk());
            assertEquals(edns.wireLength() - 11, view.optionsLength());
            Optional<EdnsOption> cookie = edns.options().stream().filter(o -> o.code() == EdnsOption.COOKIE)
                    .findFirst();
            assertEquals(cookie.isPresent(), view.cookieOffset() != QueryView.ABSENT);
            cookie.ifPresent(c -> assertEquals(c.data().length, view.cookieLength()));
        });
        boolean signed = !decoded.additional().isEmpty()
                && decoded.additional().get(decoded.additional().size() - 1).type().equals(RRType.TSIG);
        assertEquals(signed, view.signed());
    }

    @Provide
    Arbitrary<byte[]> damaged() {
        return Mutations.of(MessageArbitraries.messages().map(Message::toWire));
    }

    /**
     * Damaged and arbitrary octets: the view is made or refused with {@link WireFormatException}, never another
     * exception; whatever the decoder accepts has a view; every offset of a view lies inside the message.
     */
    @Property(tries = 5000)
    void damagedMessagesHaveAViewWheneverTheyDecode(@ForAll("damaged") byte[] wire) {
        check(wire);
    }

    @Property(tries = 5000)
    void arbitraryOctetsHaveAViewWheneverTheyDecode(@ForAll("anyBytes") byte[] wire) {
        check(wire);
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    private static void check(byte[] wire) {
        QueryView view;
        try {
            view = QueryView.of(wire);
        } catch (WireFormatException refused) {
            try {
                Message decoded = Message.decode(wire);
                boolean tsigOutside = decoded.answers().stream().anyMatch(r -> r.type().equals(RRType.TSIG))
                        || decoded.authority().stream().anyMatch(r -> r.type().equals(RRType.TSIG));
                boolean badCookie = refused.reason().startsWith("COOKIE option of "); // the decoder keeps any option
                assertTrue(tsigOutside || badCookie, "the decoder took what the view refused: " + refused.getMessage());
            } catch (WireFormatException alsoRefused) {
                // both refuse
            }
            return;
        }
        for (int offset : List.of(view.optOffset(), view.optionsOffset(), view.cookieOffset(), view.tsigOffset())) {
            assertTrue(offset == QueryView.ABSENT || offset >= 12 && offset <= wire.length, "offset " + offset);
        }
        assertTrue(view.questionEnd() <= wire.length);
        assertTrue(view.cookieOffset() == QueryView.ABSENT || view.cookieOffset() + view.cookieLength() <= wire.length);
    }

    /**
     * A view read again and again (as an event loop reuses its one view) holds what a new view of the same message
     * holds, whatever it read before, a message it refused included; and its copy keeps that after the next read.
     */
    @Property(tries = 1000)
    void aReusedViewHoldsWhatANewViewOfTheSameMessageHolds(@ForAll("damaged") byte[] before,
            @ForAll("messages") Message message) throws WireFormatException {
        QueryView reused = new QueryView();
        try {
            reused.read(ByteBuffer.wrap(before));
        } catch (WireFormatException refused) {
            // what it held is not to be used; the next read must not depend on it
        }
        byte[] wire = message.toWire();
        reused.read(ByteBuffer.wrap(wire));
        QueryView copy = reused.copy();
        assertEquals(fieldsOf(QueryView.of(wire)), fieldsOf(reused));
        try {
            reused.read(ByteBuffer.wrap(before));
        } catch (WireFormatException refused) {
            // as above
        }
        assertEquals(fieldsOf(QueryView.of(wire)), fieldsOf(copy));
    }

    /**
     * The view does not depend on where the octets live: a direct buffer (copied into the view's scratch array, which
     * a larger message before may have grown), a read-only heap buffer (copied too) and a slice of a heap array at an
     * offset (read in place) give what a plain array gives, failures at the same offset included.
     */
    @Property(tries = 1000)
    void aDirectAReadOnlyAndAnOffsetBufferGiveTheViewAnArrayGives(@ForAll("damaged") byte[] larger,
            @ForAll("damaged") byte[] wire) {
        Object expected = outcome(new QueryView(), ByteBuffer.wrap(wire));
        QueryView reused = new QueryView();
        outcome(reused, ByteBuffer.allocateDirect(larger.length).put(larger).flip());
        assertEquals(expected, outcome(reused, ByteBuffer.allocateDirect(wire.length).put(wire).flip()), "direct");
        assertEquals(expected, outcome(reused, ByteBuffer.wrap(wire).asReadOnlyBuffer()), "read-only");
        byte[] padded = new byte[wire.length + 9];
        System.arraycopy(wire, 0, padded, 4, wire.length);
        ByteBuffer slice = ByteBuffer.wrap(padded, 4, wire.length).slice();
        assertEquals(expected, outcome(reused, slice), "a slice at array offset 4");
    }

    private static Object outcome(QueryView view, ByteBuffer wire) {
        try {
            view.read(wire);
            return fieldsOf(view);
        } catch (WireFormatException refused) {
            return refused.offset() + ": " + refused.getMessage();
        }
    }

    private static List<Object> fieldsOf(QueryView v) {
        return List.of(v.length(), v.id(), v.flags(), v.questionCount(), v.answerCount(), v.authorityCount(),
                v.additionalCount(), v.nameLength(), v.nameHash(), v.qtype(), v.qclass(), v.optOffset(),
                v.udpPayloadSize(), v.ednsVersion(), v.extendedRcode(), v.dnssecOk(), v.optionsOffset(),
                v.optionsLength(), v.cookieOffset(), v.cookieLength(), v.tsigOffset());
    }

    @Test
    void theViewIsOfThePartFromPositionToLimit() throws WireFormatException {
        byte[] query = Message.query(0x1234, true, new Question(Name.parse("Example.COM"), RRType.A, RRClass.IN),
                Optional.of(Edns.of(1232, true))).toWire();
        ByteBuffer framed = ByteBuffer.allocate(query.length + 7);
        framed.position(5).put(query).position(5).limit(5 + query.length);
        QueryView view = QueryView.of(framed);
        assertEquals(0x1234, view.id());
        assertEquals(Name.parse("example.com").hashCode(), view.nameHash());
        assertTrue(view.nameEquals(framed, Name.parse("Example.COM").wire()));
        assertFalse(view.nameEquals(framed, Name.parse("example.com").wire()), "exact octets, case included");
        assertEquals(1232, view.udpPayloadSize());
        assertTrue(view.dnssecOk() && view.rd() && !view.qr());
        assertEquals(5, framed.position(), "nothing moved");
    }

    @Test
    void aPointerInTheFirstQuestionIsRefused() {
        byte[] wire = HexFormat.of().parseHex("000100000001000000000000" + "03666f6fc00c" + "00010001");
        WireFormatException e = assertThrows(WireFormatException.class, () -> QueryView.of(wire));
        assertEquals(16, e.offset());
        assertThrows(WireFormatException.class, () -> Message.decode(wire), "the decoder refuses it too");
    }

    @Test
    void aTsigRecordInTheAnswerSectionIsRefused() {
        // one question (root, A, IN), one answer: root TSIG with no RDATA
        byte[] wire = HexFormat.of().parseHex("000100000001000100000000" + "0000010001" + "0000fa00ff000000000000");
        WireFormatException e = assertThrows(WireFormatException.class, () -> QueryView.of(wire));
        assertTrue(e.reason().contains("TSIG record outside the additional section"), e.reason());
    }

    @Test
    void anEdnsOptionRunningPastItsRecordIsRefused() {
        // root, A, IN; OPT with RDLENGTH 4 holding an option that claims 1 octet of data
        byte[] wire = HexFormat.of().parseHex("000100000001000000000001" + "0000010001"
                + "00002904d0000000000004" + "000a0001");
        assertThrows(WireFormatException.class, () -> QueryView.of(wire));
    }
}
