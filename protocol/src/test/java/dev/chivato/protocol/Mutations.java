package dev.chivato.protocol;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random damage to real messages: flipped bits, overwritten bytes, cuts and insertions. */
public final class Mutations {
    private Mutations() {
    }

    public static Arbitrary<byte[]> of(Arbitrary<byte[]> originals) {
        return Combinators.combine(originals, Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 0xffff).list().ofMinSize(1).ofMaxSize(6))
                .as(Mutations::mutate);
    }

    private static byte[] mutate(byte[] original, int kind, java.util.List<Integer> randoms) {
        byte[] bytes = original.clone();
        if (bytes.length == 0) {
            return bytes;
        }
        for (int r : randoms) {
            int at = r % bytes.length;
            switch (kind) {
                case 0 -> bytes[at] ^= (byte) (1 << (r >>> 8) % 8);
                case 1 -> bytes[at] = (byte) (r >>> 8);
                case 2 -> bytes = Arrays.copyOf(bytes, Math.max(0, at));
                default -> {
                    byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, at);
                    longer[at] = (byte) (r >>> 8);
                    System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                    bytes = longer;
                }
            }
            if (bytes.length == 0) {
                break;
            }
        }
        return bytes;
    }
}
