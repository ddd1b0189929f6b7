package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code explain} of one message holding a record of every type in the table, against a golden file a learner can
 * read beside it ({@code src/test/resources/explain/every-type.golden}). After a deliberate change, write the file
 * again with {@code mvn -pl protocol test -Dtest=ExplainEveryTypeTest -Dgolden.write=true} and read the difference.
 */
class ExplainEveryTypeTest {
    private static final Path DIR = Path.of("src/test/resources/explain");

    private static Message everyType() throws IOException {
        List<ResourceRecord> answers = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve("every-type.txt"), StandardCharsets.UTF_8)) {
            String[] typeAndData = line.split(" ", 2);
            RRType type = RRType.parse(typeAndData[0]);
            answers.add(ResourceRecord.in(Name.parse("example."), 3600, TypeTableTest.parse(type, typeAndData[1])));
        }
        return new Message(Header.fromWire(0x1234, 0x8400), List.of(), answers, List.of(), List.of(),
                Optional.empty());
    }

    @Test
    void everyFieldOfEveryTypeIsNamedAsTheGoldenFileSays() throws IOException {
        String explained = Explainer.render(Explainer.explain(everyType().toWire()));
        Path golden = DIR.resolve("every-type.golden");
        if (Boolean.getBoolean("golden.write")) {
            Files.writeString(golden, explained, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), explained);
    }

    @Test
    void aDnskeyIsExplainedWithItsKeyTag() throws IOException {
        String explained = Explainer.render(Explainer.explain(everyType().toWire()));
        // the key is the root zone's KSK-2017, whose key tag (RFC 4034 appendix B) the world knows as 20326
        assertTrue(explained.contains("R1AkUTV74bU= (key tag 20326)"), explained);
    }

    @Test
    void aSignaturesTimesAreExplainedAsDates() throws IOException {
        String explained = Explainer.render(Explainer.explain(everyType().toWire()));
        assertTrue(explained.contains("RRSIG expiration: 20261231000000"), explained);
        assertTrue(explained.contains("NSEC types: A MX RRSIG NSEC TYPE1234"), explained);
        assertTrue(explained.contains("SVCB parameters: mandatory=alpn alpn=\"h2,h3\" port=8443"), explained);
    }
}
