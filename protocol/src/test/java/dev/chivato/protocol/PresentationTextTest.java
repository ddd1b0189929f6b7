package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PresentationTextTest {
    @Test
    void numbersAreWrittenInDecimalFromZeroToTheLargestUnsigned32BitValue() {
        PresentationText text = new PresentationText(1);
        text.number(0).character(' ').number(9).character(' ').number(10).character(' ').number(4294967295L);
        assertEquals("0 9 10 4294967295", text.toString());
    }

    @Test
    void aNegativeNumberKeepsItsSign() {
        assertEquals("-42", new PresentationText(1).number(-42).toString());
    }

    @Test
    void soaCountersAreWrittenWhole() {
        RData soa = new RData.Soa(Name.parse("ns1.example.com"), Name.parse("hostmaster.example.com"), 4294967295L,
                0, 10, 1209600, 300);
        assertEquals("ns1.example.com. hostmaster.example.com. 4294967295 0 10 1209600 300", soa.toString());
    }

    @Test
    void anOwnerShorterThanSixteenCharactersIsFollowedByTwoTabsAndALongerOneByOne() {
        assertEquals("abcdefghijklmn.\t\t60\tIN\tA\t10.0.0.1",
                ResourceRecord.in(Name.parse("abcdefghijklmn"), 60, new RData.A(0x0a000001)).toString());
        assertEquals("abcdefghijklmno.\t60\tIN\tA\t10.0.0.1",
                ResourceRecord.in(Name.parse("abcdefghijklmno"), 60, new RData.A(0x0a000001)).toString());
    }

    @net.jqwik.api.Property
    void aNameAfterOtherTextIsItsLabelsEscapedOctetByOctetAsDigEscapesThem(
            @net.jqwik.api.ForAll("names") Name name, @net.jqwik.api.ForAll("prefixes") String before) {
        assertEquals(before + escapedOctetByOctet(name), new PresentationText(1).text(before).name(name).toString());
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Name> names() {
        return MessageArbitraries.names();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> prefixes() {
        return net.jqwik.api.Arbitraries.strings().ascii().ofMaxLength(40);
    }

    /** The plain reading of RFC 1035 section 5.1 as dig applies it: one octet at a time, each label then its dot. */
    private static String escapedOctetByOctet(Name name) {
        byte[] wire = name.wire();
        if (wire.length == 1) {
            return ".";
        }
        StringBuilder text = new StringBuilder();
        for (int at = 0; wire[at] != 0; at += 1 + wire[at]) {
            for (int i = at + 1; i <= at + wire[at]; i++) {
                int octet = wire[i] & 0xff;
                if (octet <= 0x20 || octet >= 0x7f) {
                    text.append(String.format("\\%03d", octet));
                } else if (".\\\"();@$".indexOf(octet) >= 0) {
                    text.append('\\').append((char) octet);
                } else {
                    text.append((char) octet);
                }
            }
            text.append('.');
        }
        return text.toString();
    }

    @Test
    void aNameOfEveryOctetEscapedFitsTheTextItGrowsTo() {
        StringBuilder label = new StringBuilder();
        for (int i = 0; i < 63; i++) {
            label.append("\\000");
        }
        String escaped = label + "." + label + "." + label + "." + label.substring(0, 4 * 61) + ".";
        Name name = Name.parse(escaped);
        assertEquals(255, name.wireLength());
        assertEquals(escaped, name.toString());
    }

    @Test
    void aMessageLongerThanItsFirstGuessIsWrittenWhole() {
        List<ResourceRecord> answers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            answers.add(ResourceRecord.in(Name.parse("a-rather-long-host-name-" + i + ".example.com"), 60,
                    new RData.Txt(List.of("x".repeat(200).getBytes(java.nio.charset.StandardCharsets.US_ASCII)))));
        }
        Message message = new Message(Header.query(1, true).toResponse(true, Rcode.NOERROR),
                List.of(new Question(Name.parse("example.com"), RRType.TXT, RRClass.IN)), answers, List.of(),
                List.of(), Optional.empty());
        String text = message.toString();
        assertTrue(text.endsWith("a-rather-long-host-name-49.example.com.\t60\tIN\tTXT\t\"" + "x".repeat(200) + "\"\n"),
                text.substring(text.length() - 300));
    }
}
