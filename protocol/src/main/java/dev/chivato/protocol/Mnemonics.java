package dev.chivato.protocol;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A two-way table between the numbers of one registry (types, classes, opcodes, rcodes) and their mnemonics.
 * Numbers without a mnemonic print as the RFC 3597 style {@code PREFIX<number>} and parse back from it.
 *
 * <p>How to read this file: {@code add} fills the table once per registry; {@code name} and {@code parse} are the
 * two directions.
 */
final class Mnemonics {
    private final String kind;
    private final String unknownPrefix;
    private final int max;
    /** Mnemonics of the numbers below {@link #INDEXED}, by number (every one in use is): no boxing, no hashing. */
    private final String[] indexed = new String[INDEXED];
    private static final int INDEXED = 512;
    private final Map<Integer, String> names = new HashMap<>();
    private final Map<String, Integer> values = new HashMap<>();

    Mnemonics(String kind, String unknownPrefix, int max) {
        this.kind = kind;
        this.unknownPrefix = unknownPrefix;
        this.max = max;
    }

    Mnemonics add(int value, String name) {
        if (value < INDEXED) {
            indexed[value] = name;
        }
        names.put(value, name);
        values.put(name, value);
        return this;
    }

    void checkRange(int value) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(kind + " " + value + " is not in 0.." + max);
        }
    }

    String name(int value) {
        String name = value < INDEXED ? indexed[value] : names.get(value);
        return name != null ? name : unknownPrefix + value;
    }

    int parse(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        Integer known = values.get(upper);
        if (known != null) {
            return known;
        }
        if (upper.startsWith(unknownPrefix)) {
            try {
                int value = Integer.parseInt(upper.substring(unknownPrefix.length()));
                checkRange(value);
                return value;
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("unknown " + kind + " \"" + text + "\"");
    }
}
