package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every real capture in testdata decodes to what captures.tsv says, and re-encodes to the same bytes. */
class CaptureTest {
    /**
     * Captures whose bytes our encoder does not reproduce, and why. Everything else must come back octet for octet.
     */
    static Stream<Captures.Capture> captures() {
        return Captures.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void decodesToWhatTheManifestSays(Captures.Capture capture) throws WireFormatException {
        Message message = Message.decode(capture.bytes());
        List<String> expected = Arrays.asList(capture.expected().split(" "));
        int at = 0;
        boolean response = expected.get(at++).equals("response");
        assertEquals(response, message.header().qr(), "QR");
        if (response) {
            assertEquals(expected.get(at++), message.rcode().toString(), "rcode");
        }
        Question question = message.questions().get(0);
        assertEquals(Name.parse(expected.get(at++)), question.name());
        assertEquals(RRType.parse(expected.get(at++)), question.type());
        assertEquals(RRClass.IN, question.qclass());
        List<String> rest = expected.subList(at, expected.size());
        assertEquals(rest.contains("rd"), message.header().rd(), "rd");
        assertEquals(rest.contains("aa"), message.header().aa(), "aa");
        assertEquals(rest.contains("tc"), message.header().tc(), "tc");
        if (!response) {
            assertEquals(rest.contains("edns") || rest.contains("cookie"), message.edns().isPresent(), "edns");
            assertEquals(rest.contains("cookie"), message.edns().stream()
                    .flatMap(e -> e.options().stream()).anyMatch(o -> o.code() == EdnsOption.COOKIE), "cookie");
        }
        for (String word : rest) {
            if (word.startsWith("an=")) {
                assertEquals(Integer.parseInt(word.substring(3)), message.answers().size(), "answers");
            } else if (word.startsWith("ns=")) {
                assertEquals(Integer.parseInt(word.substring(3)), message.authority().size(), "authority");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void reencodesToTheSameBytes(Captures.Capture capture) throws WireFormatException {
        byte[] reencoded = Message.decode(capture.bytes()).toWire();
        assertArrayEquals(capture.bytes(), reencoded, Hex.format(capture.bytes()) + "\n" + Hex.format(reencoded));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void decodedMessagePrintsLikeDig(Captures.Capture capture) throws WireFormatException {
        String text = Message.decode(capture.bytes()).toString();
        assertTrue(text.startsWith(";; ->>HEADER<<- opcode: QUERY, status: "), text);
        assertTrue(text.contains(";; QUESTION SECTION:\n;"), text);
    }

    /** NSD's answer to example.com A: the answer and authority owners are pointers to the question's name. */
    @org.junit.jupiter.api.Test
    void aNameThatIsOnlyAPointerToOneReadBeforeIsThatSameName() throws WireFormatException {
        Message message = Message.decode(Captures.bytes("nsd-response-a.bin"));
        Name question = message.questions().get(0).name();
        for (ResourceRecord record : message.answers()) {
            assertTrue(record.name() == question, record + " shares the question's name");
        }
        for (ResourceRecord record : message.authority()) {
            assertTrue(record.name() == question, record + " shares the question's name");
        }
        for (ResourceRecord record : message.additional()) { // the glue: owners pointing into the NS records' data
            assertTrue(message.authority().stream().anyMatch(ns -> ((RData.Ns) ns.data()).host() == record.name()),
                    record + " shares its name with an NS record's host");
        }
    }
}
