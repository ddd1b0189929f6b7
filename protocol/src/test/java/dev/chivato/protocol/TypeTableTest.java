package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The type table: every row's RDATA prints, parses back, decodes and encodes as one. */
class TypeTableTest {
    @Provide
    Arbitrary<RData> described() {
        return DescribedArbitraries.described();
    }

    @Provide
    Arbitrary<RData> anyRData() {
        return MessageArbitraries.rdataIn();
    }

    /** Splits one printed line as a zone file's tokenizer does: blanks, and double quotes around strings. */
    static List<TextFields.Token> tokens(String text) {
        List<TextFields.Token> tokens = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (c == ' ') {
                i++;
            } else if (c == '"') {
                int start = ++i;
                while (text.charAt(i) != '"') {
                    i += text.charAt(i) == '\\' ? 2 : 1;
                }
                tokens.add(new TextFields.Token(text.substring(start, i++), true));
            } else {
                int start = i;
                while (i < text.length() && text.charAt(i) != ' ' && text.charAt(i) != '"') {
                    i += text.charAt(i) == '\\' ? 2 : 1;
                }
                tokens.add(new TextFields.Token(text.substring(start, i), false));
            }
        }
        return tokens;
    }

    static RData parse(RRType type, String text) {
        return TypeTable.parse(type, new TextFields(type.toString(), tokens(text), t -> Name.parse(t.text())));
    }

    @Property(tries = 3000)
    void everyRDataPrintsToTextThatParsesBackToTheSameOctets(@ForAll("anyRData") RData data) {
        if (data instanceof RData.Unknown) {
            return; // printed as RFC 3597's \#, which the zone parser reads, not the table
        }
        String text = data.toString();
        RData back = parse(data.type(), text);
        assertEquals(data, back, data.type() + " " + text);
    }

    @Property(tries = 2000)
    void describedRDataDecodesFromItsOwnOctetsAndEncodesToThem(@ForAll("described") RData data)
            throws WireFormatException {
        byte[] wire = ((RData.Described) data).data();
        assertEquals(data, RData.decode(data.type(), ByteBuffer.wrap(wire)));
        ByteBuffer out = ByteBuffer.allocate(70_000);
        RData.encode(data, out);
        assertArrayEquals(wire, java.util.Arrays.copyOf(out.array(), out.position()));
    }

    /** The typed records (the engine's) and their rows agree: one presentation form per type. */
    @Property(tries = 2000)
    void aTypedRecordPrintsAsItsRowPrintsIt(@ForAll("anyRData") RData data) {
        if (data instanceof RData.Unknown || data instanceof RData.Described) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(70_000);
        RData.encode(data, out);
        byte[] wire = java.util.Arrays.copyOf(out.array(), out.position());
        assertEquals(data.toString(), TypeTable.descriptor(data.type().value()).print(wire));
    }

    @Provide
    Arbitrary<List<TextFields.Token>> anyTokens() {
        Arbitrary<String> text = net.jqwik.api.Arbitraries.oneOf(
                net.jqwik.api.Arbitraries.strings().withChars("0123456789abcdefABCDEF-.:/!=,\\\"+ NSEWm").ofMaxLength(20),
                net.jqwik.api.Arbitraries.of("0", "1", "255", "65535", "4294967295", "-", ".", "A", "alpn=h2",
                        "port=", "key65535=x", "1:10.0.0.0/8", "2:::/0", "20261231000000", "N", "W", "10m", "AQID"));
        return net.jqwik.api.Combinators.combine(text, net.jqwik.api.Arbitraries.of(true, false))
                .as(TextFields.Token::new).list().ofMaxSize(12);
    }

    /** The parser of every row, fed any tokens, either reads RDATA or says why: never another exception, never a hang. */
    @Property(tries = 3000)
    void anyTokensGiveRDataOrOneClearRefusalForEveryType(@ForAll("anyTokens") List<TextFields.Token> tokens) {
        for (TypeDescriptor row : TypeTable.rows()) {
            RRType type = RRType.of(row.number());
            try {
                RData data = TypeTable.parse(type, new TextFields(type.toString(), tokens, t -> Name.parse(t.text())));
                assertEquals(type, data.type());
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), type.toString());
            }
        }
    }

    @Test
    void everyTypeTheIssueNamesHasARowAndAMnemonic() {
        for (String mnemonic : ("A NS CNAME SOA PTR HINFO MINFO MX TXT RP AFSDB RT AAAA LOC SRV NAPTR KX CERT DNAME APL"
                + " DS SSHFP IPSECKEY RRSIG NSEC DNSKEY DHCID NSEC3 NSEC3PARAM TLSA SMIMEA CDS CDNSKEY OPENPGPKEY CSYNC"
                + " ZONEMD SVCB HTTPS SPF NID L32 L64 LP EUI48 EUI64 URI CAA").split(" ")) {
            RRType type = RRType.parse(mnemonic);
            assertEquals(mnemonic, type.toString());
            assertTrue(TypeTable.descriptor(type.value()) != null, mnemonic);
        }
    }

    @Test
    void aLocationPrintsAsDigPrintsIt() {
        assertEquals("52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
                parse(RRType.of(29), "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m").toString());
        assertEquals("42 21 54.000 N 71 6 18.000 W -24.00m 30m 10000m 10m",
                parse(RRType.of(29), "42 21 54 N 71 06 18 W -24m 30m").toString(), "the defaults filled in");
    }

    @Test
    void serviceParametersPrintInTheOrderOfTheirKeys() {
        assertEquals("1 . mandatory=alpn alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.1 ech=AEP+DQA= ipv6hint=2001:db8::1",
                parse(RRType.SVCB, "1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.1 ech=AEP+DQA= ipv6hint=2001:db8::1"
                        + " mandatory=alpn").toString());
    }

    @Test
    void aTypeWithARowParsesUnderItsMnemonicWhereItOnceWasRefused() {
        RData tlsa = parse(RRType.parse("TLSA"), "3 1 1 0123456789ABCDEF");
        assertEquals("3 1 1 0123456789ABCDEF", tlsa.toString());
        assertTrue(tlsa instanceof RData.Described);
    }

    @Test
    void aMalformedFieldIsRefusedWithTheTypeAndTheFieldNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse(RRType.parse("SSHFP"), "4 2 12345"));
        assertEquals("SSHFP fingerprint is not hex (an even number of digits 0-9, A-F)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse(RRType.parse("DS"), "60485 5"));
        assertEquals("DS needs its digest type", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse(RRType.parse("EUI48"), "00-00-5e-00-53"));
        assertTrue(e.getMessage().startsWith("EUI48 address \"00-00-5e-00-53\" is not 6 hex pairs"), e.getMessage());
    }

    @Test
    void rrsigNamesAreLowerCasedInCanonicalFormAndNsecNamesAreNot() {
        RData rrsig = parse(RRType.RRSIG, "A 8 2 3600 20261231000000 20261201000000 12345 Example.COM. AQID");
        byte[] wire = ((RData.Described) rrsig).data();
        byte[] canonical = TypeTable.canonical(RRType.RRSIG, wire);
        assertEquals("A 8 2 3600 20261231000000 20261201000000 12345 example.com. AQID",
                new RData.Described(RRType.RRSIG, canonical).toString());
        RData nsec = parse(RRType.NSEC, "Host.Example. A MX");
        byte[] nsecWire = ((RData.Described) nsec).data();
        assertArrayEquals(nsecWire, TypeTable.canonical(RRType.NSEC, nsecWire), "RFC 6840 section 5.1");
    }

    /** RP's names may come compressed (RFC 3597 section 4) and are expanded; an NSEC's may not. */
    @Test
    void aPointerIsFollowedWhereTheTypeAllowsItAndRefusedWhereItDoesNot() throws WireFormatException {
        String header = "000084000000000100000000";
        String ownerWire = "076578616d706c6500";
        byte[] rp = HexFormat.of().parseHex(header + ownerWire + "0011" + "0001" + "00000e10" + "0007"
                + "036d6278c00c" + "00");
        Message decoded = Message.decode(ByteBuffer.wrap(rp));
        assertEquals("mbx.example. .", decoded.answers().get(0).data().toString());
        byte[] nsec = HexFormat.of().parseHex(header + ownerWire + "002f" + "0001" + "00000e10" + "0009"
                + "036e7874c00c" + "000140");
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> Message.decode(ByteBuffer.wrap(nsec)));
        assertTrue(e.reason().contains("compression pointer"), e.reason());
    }

    @Test
    void anExplanationNamesEveryFieldOfADescribedRecord() {
        RData tlsa = parse(RRType.parse("TLSA"), "3 1 1 0123456789ABCDEF");
        Message message = new Message(Header.fromWire(1, 0x8400), List.of(),
                List.of(ResourceRecord.in(Name.parse("_443._tcp.example."), 300, tlsa)), List.of(), List.of(),
                Optional.empty());
        List<String> meanings = Explainer.explain(message.toWire()).annotations().stream()
                .map(Explainer.Annotation::meaning).toList();
        assertTrue(meanings.containsAll(List.of("TLSA usage: 3", "TLSA selector: 1", "TLSA matching type: 1",
                "TLSA certificate data: 0123456789ABCDEF")), meanings.toString());
    }
}
