package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Values that hold octets (EDNS options, TXT strings) are immutable whichever way they were made: the public
 * constructors copy what they are given, the accessors give copies, and what the decoder hands over without a
 * second copy is the value's own, not a view of the message it was read from.
 */
class OwnedOctetsTest {
    private static final byte[] COOKIE = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void anOptionCopiesWhatItIsGivenAndGivesCopies() {
        byte[] given = COOKIE.clone();
        EdnsOption option = new EdnsOption(EdnsOption.COOKIE, given);
        given[0] = 99;
        option.data()[1] = 99;
        assertArrayEquals(COOKIE, option.data());
    }

    @Test
    void optionsWithTheSameCodeAndOctetsAreEqual() {
        EdnsOption one = new EdnsOption(EdnsOption.COOKIE, COOKIE);
        EdnsOption other = new EdnsOption(EdnsOption.COOKIE, COOKIE.clone());
        assertEquals(one, other);
        assertEquals(one.hashCode(), other.hashCode());
    }

    @Test
    void aDecodedOptionIsNotAViewOfTheMessage() throws WireFormatException {
        Edns edns = new Edns(1232, 0, 0, false, 0, List.of(new EdnsOption(EdnsOption.COOKIE, COOKIE)));
        byte[] wire = Message.query(1, true, Question.of("example.com", RRType.A), Optional.of(edns)).toWire();
        EdnsOption decoded = Message.decode(wire).edns().orElseThrow().options().get(0);
        Arrays.fill(wire, (byte) 0x55);
        decoded.data()[0] = 99;
        assertEquals(new EdnsOption(EdnsOption.COOKIE, COOKIE), decoded);
    }

    @Test
    void aDecodedTxtIsNotAViewOfTheMessage() throws WireFormatException {
        RData.Txt txt = RData.Txt.of("v=spf1 -all", "second");
        Name owner = Name.parse("example.com");
        byte[] wire = new Message(Header.query(1, false).toResponse(true, Rcode.NOERROR),
                List.of(new Question(owner, RRType.TXT, RRClass.IN)), List.of(ResourceRecord.in(owner, 60, txt)),
                List.of(), List.of(), Optional.empty()).toWire();
        RData decoded = Message.decode(wire).answers().get(0).data();
        Arrays.fill(wire, (byte) 0x55);
        ((RData.Txt) decoded).strings().get(0)[0] = 'X';
        assertEquals(txt, decoded);
        assertEquals(txt.hashCode(), decoded.hashCode());
        assertEquals("\"v=spf1 -all\" \"second\"", decoded.toString());
    }
}
