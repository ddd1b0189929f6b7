package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class NameTest {
    @Test
    void printsLikeDigWithTheTrailingDot() {
        assertEquals("example.com.", Name.parse("example.com").toString());
        assertEquals("example.com.", Name.parse("example.com.").toString());
        assertEquals(".", Name.ROOT.toString());
    }

    @Test
    void escapedDotStaysInsideTheLabel() {
        Name name = Name.parse("a\\.b.example.");
        assertArrayEquals("a.b".getBytes(), name.label(0));
        assertEquals("a\\.b.example.", name.toString());
    }

    @Test
    void decimalEscapeGivesTheOctet() {
        Name name = Name.parse("\\000\\255x.");
        assertArrayEquals(new byte[] {0, (byte) 255, 'x'}, name.label(0));
        assertEquals("\\000\\255x.", name.toString());
    }

    @Test
    void spaceAndSpecialCharactersAreEscapedOnOutput() {
        Name name = Name.fromLabels(java.util.List.of("a b".getBytes(), "(\";@$)".getBytes()));
        assertEquals("a\\032b.\\(\\\"\\;\\@\\$\\).", name.toString());
    }

    @Test
    void equalityIgnoresCaseButOutputKeepsIt() {
        Name upper = Name.parse("Example.COM");
        Name lower = Name.parse("example.com");
        assertEquals(lower, upper);
        assertEquals(lower.hashCode(), upper.hashCode());
        assertEquals("Example.COM.", upper.toString());
        assertFalse(upper.equalsExactly(lower));
    }

    @Test
    void differentNamesAreNotEqual() {
        assertNotEquals(Name.parse("example.com"), Name.parse("example.org"));
        assertNotEquals(Name.parse("a.example.com"), Name.parse("example.com"));
    }

    @Test
    void labelOf63OctetsIsAcceptedAnd64Refused() {
        assertEquals(65, Name.parse("a".repeat(63)).wireLength());
        assertThrows(IllegalArgumentException.class, () -> Name.parse("a".repeat(64)));
    }

    @Test
    void nameOf255OctetsIsAcceptedAnd256Refused() {
        String label63 = "a".repeat(63);
        String name255 = label63 + "." + label63 + "." + label63 + "." + "a".repeat(61);
        assertEquals(255, Name.parse(name255).wireLength());
        assertThrows(IllegalArgumentException.class, () -> Name.parse(name255 + "a"));
    }

    @Test
    void constructorRefusesAMalformedWireForm() {
        assertThrows(IllegalArgumentException.class, () -> new Name(new byte[] {3, 'a', 'b'}));
        assertThrows(IllegalArgumentException.class, () -> new Name(new byte[] {1, 'a', 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> new Name(new byte[] {(byte) 0xc0, 12}));
    }

    @Test
    void emptyLabelIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Name.parse("a..b"));
    }

    @Test
    void badEscapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Name.parse("a\\"));
        assertThrows(IllegalArgumentException.class, () -> Name.parse("a\\25"));
        assertThrows(IllegalArgumentException.class, () -> Name.parse("a\\256"));
    }

    @Test
    void parentDropsTheLeftmostLabel() {
        assertEquals(Name.parse("example.com"), Name.parse("www.example.com").parent());
        assertEquals(Name.ROOT, Name.parse("com").parent());
        assertThrows(IllegalStateException.class, Name.ROOT::parent);
    }

    @Test
    void subdomainFollowsLabelBoundaries() {
        Name zone = Name.parse("example.com");
        assertTrue(Name.parse("www.EXAMPLE.com").isSubdomainOf(zone));
        assertTrue(zone.isSubdomainOf(zone));
        assertTrue(zone.isSubdomainOf(Name.ROOT));
        assertFalse(Name.parse("badexample.com").isSubdomainOf(zone));
        assertFalse(Name.parse("com").isSubdomainOf(zone));
    }

    @Test
    void childAddsALabelOnTheLeft() {
        assertEquals(Name.parse("www.example.com"), Name.parse("example.com").child(new byte[] {'w', 'w', 'w'}));
    }

    @Test
    void aRelativeNameIsParsedUnderItsOrigin() {
        assertEquals("www.Example.COM.", Name.parse("www", Name.parse("Example.COM")).toString());
        assertEquals(Name.parse("a.b"), Name.parse("a.b", Name.ROOT));
        assertThrows(IllegalArgumentException.class, () -> Name.parse("a".repeat(63) + "." + "b".repeat(63),
                Name.parse("c".repeat(63) + "." + "d".repeat(63))), "257 octets");
    }

    @Test
    void wireAccessorReturnsACopy() {
        Name name = Name.parse("example.com");
        name.wire()[1] = 'X';
        assertEquals("example.com.", name.toString());
    }

    @Provide
    net.jqwik.api.Arbitrary<Name> names() {
        return MessageArbitraries.names();
    }

    @Property
    void presentationTextParsesBackToTheSameOctets(@ForAll("names") Name name) {
        assertTrue(Name.parse(name.toString()).equalsExactly(name));
    }

    @Test
    void nonAsciiCharactersAreTheirUtf8Octets() {
        Name name = Name.parse("café.example");
        assertArrayEquals(new byte[] {5, 'c', 'a', 'f', (byte) 0xc3, (byte) 0xa9, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                0}, name.wire());
        assertEquals("caf\\195\\169.example.", name.toString());
        assertEquals(name, Name.parse(name.toString()), "dig's escaped form is the same name");
        assertEquals(Name.parse("\u65e5\u672c.example").wire().length, 1 + 6 + 1 + 7 + 1);
    }

    @Test
    void aLabelOfSixtyFourOctetsOfUtf8IsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Name.parse("é".repeat(32) + ".example"));
    }

    /**
     * Plain ASCII text takes a quicker path than text with escapes: both must give the octets label by label, then
     * the origin's (a trailing dot is not looked at).
     */
    @Property
    void plainTextIsItsLabelsOctetsThenTheOrigins(
            @ForAll("plainLabels") java.util.List<String> labels, @ForAll boolean dotted, @ForAll boolean underOrigin) {
        Name origin = underOrigin ? Name.parse("Example.COM") : Name.ROOT;
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        for (String label : labels) {
            expected.write(label.length());
            expected.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        expected.writeBytes(origin.wire());
        String text = String.join(".", labels) + (dotted ? "." : "");
        if (expected.size() > Name.MAX_WIRE_LENGTH) {
            assertThrows(IllegalArgumentException.class, () -> Name.parse(text, origin));
        } else {
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected.toByteArray(), Name.parse(text, origin).wire());
        }
    }

    @Provide
    net.jqwik.api.Arbitrary<java.util.List<String>> plainLabels() {
        return net.jqwik.api.Arbitraries.strings().withChars("abcXYZ019-_*").ofMinLength(1).ofMaxLength(63)
                .list().ofMinSize(1).ofMaxSize(6);
    }

    @Test
    void aLeadingDotOrTwoTogetherIsAnEmptyLabelWhateverThePath() {
        assertThrows(IllegalArgumentException.class, () -> Name.parse(".a"));
        assertThrows(IllegalArgumentException.class, () -> Name.parse("a.."));
        assertThrows(IllegalArgumentException.class, () -> Name.parse("..", Name.parse("example")));
    }

    @Test
    void theWireFormHasExactlyTheNamesOctetsWhateverTheTextsEscapesAndCharacters() {
        assertEquals(4, Name.parse("a\\.").wireLength(), "one label of 'a' and a literal dot");
        assertEquals("a\\..", Name.parse("a\\.").toString());
        assertEquals(12, Name.parse("\u00e9.example").wireLength(), "é is two octets in UTF-8");
        assertEquals(4, Name.parse("\\065\\066.").wireLength(), "two escapes, two octets");
        assertEquals(Name.parse("www.example.com"), Name.parse("www", Name.parse("example.com.")));
        assertEquals(17, Name.parse("www.", Name.parse("example.com")).wireLength());
    }

    /** RFC 4034 section 6.1's own example, shuffled, sorts back into its order. */
    @org.junit.jupiter.api.Test
    void canonicalOrderIsRfc4034sExample() {
        List<String> ordered = List.of("example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
                "zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example.");
        List<Name> names = new java.util.ArrayList<>(ordered.stream().map(Name::parse).toList());
        java.util.Collections.reverse(names);
        java.util.Collections.shuffle(names, new java.util.Random(4034));
        names.sort(Name::canonicalCompare);
        assertEquals(ordered.stream().map(Name::parse).toList(), names);
        assertEquals(0, Name.canonicalCompare(Name.parse("A.Example."), Name.parse("a.example.")));
    }

    /**
     * Names of one to twelve labels (past the seven whose starts the comparison packs in a long) compare as RFC 4034
     * section 6.1 says, label by label from the right, written here the plain way.
     */
    @org.junit.jupiter.api.Test
    void canonicalOrderHoldsForNamesOfManyLabels() {
        java.util.Random random = new java.util.Random(61);
        for (int pair = 0; pair < 5_000; pair++) {
            Name a = randomName(random);
            Name b = random.nextInt(4) == 0 ? Name.parse("x." + a) : randomName(random);
            assertEquals(Integer.signum(plainCanonicalCompare(a, b)), Integer.signum(Name.canonicalCompare(a, b)),
                    a + " against " + b);
        }
    }

    private static Name randomName(java.util.Random random) {
        StringBuilder text = new StringBuilder();
        for (int label = 1 + random.nextInt(12); label > 0; label--) {
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                text.append("aBz".charAt(random.nextInt(3)));
            }
            text.append('.');
        }
        return Name.parse(text.toString());
    }

    private static int plainCanonicalCompare(Name a, Name b) {
        for (int i = a.labelCount() - 1, j = b.labelCount() - 1; i >= 0 && j >= 0; i--, j--) {
            int difference = java.util.Arrays.compareUnsigned(lower(a.label(i)), lower(b.label(j)));
            if (difference != 0) {
                return difference;
            }
        }
        return a.labelCount() - b.labelCount();
    }

    private static byte[] lower(byte[] label) {
        return new String(label, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT)
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
