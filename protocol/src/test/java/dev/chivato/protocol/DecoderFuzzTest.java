package dev.chivato.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the decoder. In a normal build this replays the corpus in
 * testdata/fuzz/dev/chivato/protocol/DecoderFuzzTestInputs/decoder; with JAZZER_FUZZ=1 it fuzzes for real.
 */
class DecoderFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void decoder(byte[] input) {
        DecoderChecks.check(input);
    }
}
