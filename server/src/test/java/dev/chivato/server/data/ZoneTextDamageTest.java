package dev.chivato.server.data;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Real zones (every record type among them) damaged at random, where the parser's decisions are: parentheses,
 * quotes, escapes, comments, directives, generic RDATA, line ends. Each loads or is refused with where and why, and
 * none hangs.
 */
class ZoneTextDamageTest {
    /** Generous: a hang, not speed, is what this catches. */
    private static final Duration NO_HANG = Duration.ofSeconds(10);
    private static final List<String> PIECES = List.of("(", ")", "\"", ";", "\\", "\\#", "$ORIGIN", "$TTL",
            "$INCLUDE", "@", ".", "\n", " ", "\t", "0", "65535", "4294967296", "IN", "CH", "TYPE65534", "SOA", "A",
            "TXT", "NSEC", "SVCB", "LOC", "APL", "1h", "-", "=", ",", "\\255", "\\.", "é");

    @Property(tries = 3000)
    void damagedZoneTextLoadsOrIsRefusedSayingWhere(@ForAll("damagedZones") String text) {
        assertTimeoutPreemptively(NO_HANG, () -> ZoneFileChecks.check(text));
    }

    @Provide
    Arbitrary<String> damagedZones() {
        Arbitrary<String> zones = Arbitraries.of(resource("/zones/types.example.zone"),
                resource("/zones/example.org.zone"));
        return Combinators.combine(zones, Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1)
                .ofMaxSize(5)).as(ZoneTextDamageTest::damage);
    }

    /** Each random number picks a place, an edit (insert, replace, cut) and a piece of zone syntax. */
    private static String damage(String text, List<Integer> randoms) {
        StringBuilder damaged = new StringBuilder(text);
        for (int random : randoms) {
            int at = random % (damaged.length() + 1);
            String piece = PIECES.get((random >>> 8) % PIECES.size());
            switch ((random >>> 16) % 3) {
                case 0 -> damaged.insert(at, piece);
                case 1 -> damaged.replace(at, Math.min(damaged.length(), at + piece.length()), piece);
                default -> damaged.delete(at, Math.min(damaged.length(), at + 1 + (random >>> 20) % 40));
            }
        }
        return damaged.toString();
    }

    private static String resource(String name) {
        try (InputStream in = ZoneTextDamageTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
