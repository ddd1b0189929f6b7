package dev.chivato.server;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the whole path from bytes in to bytes out. In a normal build this replays the corpus
 * in testdata/fuzz/dev/chivato/server/HandlerFuzzTestInputs/handler; with JAZZER_FUZZ=1 it fuzzes for real.
 */
class HandlerFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void handler(byte[] input) {
        HandlerChecks.check(input);
    }
}
