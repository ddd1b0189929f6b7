package dev.chivato.server.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The log's line builder: what it holds is the UTF-8 of what was appended, as a StringBuilder would hold it. */
class LogLineTest {
    @Test
    void textAfterAsciiThatIsNotAsciiIsEncodedInUtf8AfterIt() throws Exception {
        LogLine line = new LogLine(4);
        line.append("ab").append("cdé€f").append('g');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        line.writeTo(out);
        assertEquals("abcdé€fg", out.toString(StandardCharsets.UTF_8));
        assertEquals(0, line.length(), "written lines are gone from the batch");
    }

    @Test
    void numbersAreWrittenAsLongToStringWritesThem() {
        for (long n : new long[] {0, 7, 10, 99, 100, -1, -10, 1_234_567_890_123L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertEquals(Long.toString(n), new LogLine(1).append(n).toString());
        }
    }

    @Test
    void manyConstantsSharingTheTableEachKeepTheirOwnOctets() {
        LogLine line = new LogLine();
        StringBuilder expected = new StringBuilder();
        String[] constants = new String[5_000];
        for (int i = 0; i < constants.length; i++) {
            constants[i] = "constant-" + i; // distinct objects, many more than the table's slots
        }
        for (int round = 0; round < 2; round++) {
            for (String constant : constants) {
                line.appendConstant(constant);
                expected.append(constant);
            }
        }
        assertEquals(expected.toString(), line.toString());
    }

    @Test
    void settingTheLengthBackForgetsWhatCameAfter() {
        LogLine line = new LogLine().append("kept").append(", dropped");
        line.setLength(4);
        assertEquals("kept!", line.append('!').toString());
    }
}
