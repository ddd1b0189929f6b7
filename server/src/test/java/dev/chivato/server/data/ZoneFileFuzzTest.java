package dev.chivato.server.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the zone-file parser and every type's presentation form. In a normal build this replays
 * the corpus in testdata/fuzz/dev/chivato/server/data/ZoneFileFuzzTestInputs/zone; with JAZZER_FUZZ=1 it fuzzes for
 * real.
 */
class ZoneFileFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void zone(byte[] input) {
        ZoneFileChecks.check(new String(input, StandardCharsets.UTF_8));
    }
}
