package dev.chivato.server.data;

/**
 * A TTL in a zone file: seconds, or BIND's units ({@code 1w2d3h4m5s}, any case, any subset in that form). The
 * command line's durations ({@code --ttl 1h}, {@code --watch 30s}) are read the same way.
 */
public final class Ttl {
    /** RFC 2181 section 8: a TTL is at most 2^31 - 1. */
    static final long MAX = 0x7fffffffL;
    /** What the 32-bit field holds. */
    private static final long FIELD = 0xffffffffL;

    private Ttl() {
    }

    /** Digits, each run optionally followed by one unit letter; scanned by hand (a nested regex backtracks badly). */
    public static boolean isTtl(String text) {
        boolean digitBefore = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digitBefore = true;
            } else if (digitBefore && "wdhmsWDHMS".indexOf(c) >= 0) {
                digitBefore = false;
            } else {
                return false;
            }
        }
        return !text.isEmpty();
    }

    /**
     * The TTL {@code text} says. A value up to 2^32 - 1 loads, as in NSD and Knot; one with the top bit set is zero
     * (RFC 2181 section 8).
     */
    static long parse(String text) {
        long total = seconds(text);
        return total > MAX ? 0 : total; // RFC 2181 section 8: the top bit set means zero; NSD and Knot load it
    }

    /** The seconds {@code text} says (digits, or units as {@code 1h30m}), up to 2^32 - 1. */
    public static long seconds(String text) {
        if (!isTtl(text)) {
            throw new IllegalArgumentException("\"" + text + "\" is not a TTL (seconds, or units as 1h30m)");
        }
        long total = 0;
        long number = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                number = number * 10 + (c - '0');
                if (number > FIELD) {
                    throw tooLarge(text);
                }
                continue;
            }
            total += number * switch (Character.toLowerCase(c)) {
                case 'w' -> 604_800;
                case 'd' -> 86_400;
                case 'h' -> 3_600;
                case 'm' -> 60;
                default -> 1;
            };
            number = 0;
            if (total > FIELD) {
                throw tooLarge(text);
            }
        }
        total += number;
        if (total > FIELD) {
            throw tooLarge(text);
        }
        return total;
    }

    private static IllegalArgumentException tooLarge(String text) {
        return new IllegalArgumentException("TTL " + text + " is over 4294967295 seconds, more than a TTL holds");
    }
}
