package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ExplainerTest {
    private static String golden(String name) throws IOException {
        try (InputStream in = ExplainerTest.class.getResourceAsStream("/golden/" + name + ".explained.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A compressed NSD answer, a dig query with a cookie, and a truncated answer, each against its golden text. */
    @ParameterizedTest
    @ValueSource(strings = {"nsd-response-mx", "dig-query-a", "nsd-response-truncated"})
    void captureIsExplainedAsTheGoldenFileSays(String capture) throws IOException {
        String explained = Explainer.render(Explainer.explain(Captures.bytes(capture + ".bin")));
        assertEquals(golden(capture), explained);
    }

    @Provide
    Arbitrary<Message> messages() {
        return MessageArbitraries.messages();
    }

    /** The annotated ranges tile the message: every byte covered once, in order, nothing past the end. */
    @Property(tries = 1000)
    void annotationsTileTheMessageExactly(@ForAll("messages") Message message) {
        byte[] wire = message.toWire();
        List<Explainer.Annotation> annotations = Explainer.explain(wire).annotations().stream()
                .sorted(Comparator.comparingInt(Explainer.Annotation::offset)).toList();
        int next = 0;
        for (Explainer.Annotation annotation : annotations) {
            assertEquals(next, annotation.offset(), "gap or overlap before " + annotation);
            assertTrue(annotation.length() > 0, annotation.toString());
            next += annotation.length();
        }
        assertEquals(wire.length, next);
    }

    @Test
    void malformedMessageIsExplainedUpToTheFault() {
        byte[] wire = Hex.parse("1234 0100 0001 0000 0000 0000 c00c 0001 0001");
        Explainer.Explanation explanation = Explainer.explain(wire);
        String text = Explainer.render(explanation);
        assertTrue(explanation.decoded().isEmpty());
        assertTrue(text.contains("QDCOUNT 1: question"), text);
        assertTrue(text.contains("!! offset 12: compression pointer to 12 does not point backwards"), text);
        assertTrue(text.contains("   12  c0 0c 00 01 00 01        not read"), text);
    }

    @Test
    void hexTextIsReadAsHexAndBinaryAsIs() {
        assertEquals(List.of((byte) 0x12, (byte) 0xab), toList(Explainer.readInput("12 ab\n".getBytes())));
        byte[] binary = {0x12, 0x34, 0x01};
        assertEquals(toList(binary), toList(Explainer.readInput(binary)));
    }

    private static List<Byte> toList(byte[] bytes) {
        Byte[] boxed = new Byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            boxed[i] = bytes[i];
        }
        return List.of(boxed);
    }
}
