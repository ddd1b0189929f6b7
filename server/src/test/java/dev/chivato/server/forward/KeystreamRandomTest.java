package dev.chivato.server.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The forwarder's randomness: the ChaCha20 keystream under a SecureRandom key, drawn without bias. */
class KeystreamRandomTest {
    /** A SecureRandom that gives the same octets each time it is made: the tests can know the key. */
    private static SecureRandom fixed() throws Exception {
        SecureRandom seeds = SecureRandom.getInstance("SHA1PRNG");
        seeds.setSeed(42);
        return seeds;
    }

    @Test
    void itsBitsAreTheChaCha20KeystreamUnderAKeyFromSecureRandom() throws Exception {
        SecureRandom seeds = fixed();
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        seeds.nextBytes(key);
        seeds.nextBytes(nonce);
        Cipher chacha = Cipher.getInstance("ChaCha20");
        chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(nonce, 1));
        byte[] expected = chacha.update(new byte[8]);
        KeystreamRandom random = new KeystreamRandom(fixed());
        int first = random.nextInt();
        int second = random.nextInt();
        assertArrayEquals(expected, new byte[] {(byte) (first >>> 24), (byte) (first >>> 16), (byte) (first >>> 8),
                (byte) first, (byte) (second >>> 24), (byte) (second >>> 16), (byte) (second >>> 8), (byte) second});
    }

    @Test
    void drawsWithABoundStayBelowItAndCoverEveryValueEvenly() throws Exception {
        KeystreamRandom random = new KeystreamRandom(fixed());
        int bound = 7;
        int draws = 70_000;
        int[] counts = new int[bound];
        for (int i = 0; i < draws; i++) {
            int value = random.nextInt(bound);
            assertTrue(value >= 0 && value < bound, "out of bounds: " + value);
            counts[value]++;
        }
        double expected = (double) draws / bound;
        double chiSquare = 0;
        for (int count : counts) {
            chiSquare += (count - expected) * (count - expected) / expected;
        }
        assertTrue(chiSquare < 22.46, "chi-square " + chiSquare + " over 6 degrees of freedom (p = 0.001)");
    }

    @Test
    void aBoundOfAPortRangeAndOfIdsIsHonoured() throws Exception {
        KeystreamRandom random = new KeystreamRandom(fixed());
        for (int i = 0; i < 100_000; i++) {
            int id = random.nextInt(0x10000);
            assertTrue(id >= 0 && id <= 0xffff);
        }
    }

    @Test
    void booleansComeOutBothWays() throws Exception {
        KeystreamRandom random = new KeystreamRandom(fixed());
        int trues = 0;
        for (int i = 0; i < 10_000; i++) {
            trues += random.nextBoolean() ? 1 : 0;
        }
        assertTrue(trues > 4_700 && trues < 5_300, trues + " of 10,000");
    }

    @Test
    void twoGeneratorsKeyedApartDrawApart() {
        KeystreamRandom one = new KeystreamRandom();
        KeystreamRandom other = new KeystreamRandom();
        long first = (long) one.nextInt() << 32 | one.nextInt() & 0xffffffffL;
        long second = (long) other.nextInt() << 32 | other.nextInt() & 0xffffffffL;
        assertNotEquals(first, second, "independent keys (1 in 2^64 to collide)");
    }

    @Test
    void aBoundBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KeystreamRandom().nextInt(0));
    }
}
