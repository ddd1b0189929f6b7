package dev.chivato.server.cookie;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SipHashTest {
    /** The octets 00, 01, 02, ... : the key and the inputs of the published vectors. */
    private static byte[] counting(int length) {
        byte[] octets = new byte[length];
        for (int i = 0; i < length; i++) {
            octets[i] = (byte) i;
        }
        return octets;
    }

    /** The paper's appendix A: key 00..0f, the 15 octets 00..0e. */
    @Test
    void thePapersVectorHashesToItsValue() {
        assertEquals(0xa129ca6149be45e5L, SipHash.hash(counting(16), counting(15), 15));
    }

    /** The reference code's first vectors: the empty input, and inputs of exactly one and two words. */
    @Test
    void inputsOfNoneOneAndTwoWholeWordsHashToTheReferenceValues() {
        byte[] input = counting(16);
        assertEquals(0x726fdb47dd0e0e31L, SipHash.hash(counting(16), input, 0));
        assertEquals(0x93f5f5799a932462L, SipHash.hash(counting(16), input, 8));
        assertEquals(0x3f2acc7f57c29bdbL, SipHash.hash(counting(16), input, 16));
    }
}
