package dev.chivato.server.cookie;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SipHashTest {
    /** The paper's appendix A: key 00..0f, the 15 octets 00..0e. */
    @Test
    void thePapersVectorHashesToItsValue() {
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i++) {
            key[i] = (byte) i;
        }
        byte[] input = new byte[15];
        for (int i = 0; i < 15; i++) {
            input[i] = (byte) i;
        }
        assertEquals(0xa129ca6149be45e5L, SipHash.hash(key, input, 15));
    }

    /** The reference code's first vectors: the empty input, and inputs of exactly one and two words. */
    @Test
    void inputsOfNoneOneAndTwoWholeWordsHashToTheReferenceValues() {
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i++) {
            key[i] = (byte) i;
        }
        byte[] input = new byte[16];
        for (int i = 0; i < 16; i++) {
            input[i] = (byte) i;
        }
        assertEquals(0x726fdb47dd0e0e31L, SipHash.hash(key, input, 0));
        assertEquals(0x93f5f5799a932462L, SipHash.hash(key, input, 8));
        assertEquals(0x3f2acc7f57c29bdbL, SipHash.hash(key, input, 16));
    }
}
