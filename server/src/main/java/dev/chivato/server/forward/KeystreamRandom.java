package dev.chivato.server.forward;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The forwarder's randomness (query IDs, source ports, 0x20 letters: what RFC 5452 asks to be unpredictable): the
 * ChaCha20 keystream under a key and nonce drawn from {@link SecureRandom}, read from a buffer of 4 KiB, and keyed
 * afresh from {@code SecureRandom} every 256 MiB. As unpredictable as its key, and each draw a few octets of a
 * buffer rather than a call into {@code SecureRandom} (which locks, and reads the kernel's pool for some
 * algorithms). One per event loop: not thread-safe.
 */
final class KeystreamRandom {
    private static final int BUFFER = 4096;
    private static final long REKEY_OCTETS = 256L << 20;

    private final SecureRandom seeds;
    private final Cipher chacha;
    private final byte[] zeros = new byte[BUFFER];
    private final byte[] stream = new byte[BUFFER];
    private int at = BUFFER;
    private long sinceKey = REKEY_OCTETS;
    /** Bits left over for {@link #nextBoolean}, and how many. */
    private int bits;
    private int bitsLeft;

    KeystreamRandom(SecureRandom seeds) {
        this.seeds = seeds;
        try {
            this.chacha = Cipher.getInstance("ChaCha20");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no ChaCha20 (Java 11 and later have)", e);
        }
    }

    KeystreamRandom() {
        this(new SecureRandom());
    }

    /** 32 random bits. */
    int nextInt() {
        if (at > BUFFER - 4) {
            refill();
        }
        int value = (stream[at] & 0xff) << 24 | (stream[at + 1] & 0xff) << 16 | (stream[at + 2] & 0xff) << 8
                | stream[at + 3] & 0xff;
        at += 4;
        return value;
    }

    /** Uniform in {@code [0, bound)}, without bias (Lemire's multiply and reject). */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long product = (nextInt() & 0xffffffffL) * bound;
        long low = product & 0xffffffffL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                product = (nextInt() & 0xffffffffL) * bound;
                low = product & 0xffffffffL;
            }
        }
        return (int) (product >>> 32);
    }

    /** One random bit; 32 of them come from one draw. */
    boolean nextBoolean() {
        if (bitsLeft == 0) {
            bits = nextInt();
            bitsLeft = 32;
        }
        boolean bit = (bits & 1) != 0;
        bits >>>= 1;
        bitsLeft--;
        return bit;
    }

    private void refill() {
        try {
            if (sinceKey >= REKEY_OCTETS) {
                byte[] key = new byte[32];
                byte[] nonce = new byte[12];
                seeds.nextBytes(key);
                seeds.nextBytes(nonce);
                chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"),
                        new ChaCha20ParameterSpec(nonce, 1));
                sinceKey = 0;
            }
            chacha.update(zeros, 0, BUFFER, stream, 0); // the keystream itself: zeros encrypted
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 failed: " + e.getMessage(), e);
        }
        sinceKey += BUFFER;
        at = 0;
    }
}
