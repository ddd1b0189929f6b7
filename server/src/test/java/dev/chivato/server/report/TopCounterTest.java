package dev.chivato.server.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TopCounterTest {
    @Test
    void whileTheValuesFitTheCountsAreExact() {
        TopCounter counter = new TopCounter(3);
        for (String value : List.of("a", "b", "a", "c", "a", "b")) {
            counter.add(value);
        }
        assertTrue(counter.exact());
        assertEquals(List.of(new TopCounter.Count("a", 3, 0), new TopCounter.Count("b", 2, 0),
                new TopCounter.Count("c", 1, 0)), counter.top(10));
    }

    @Test
    void aNewValueTakesTheSmallestPlaceAndItsCountAsItsError() {
        TopCounter counter = new TopCounter(2);
        for (String value : List.of("a", "a", "a", "b", "c")) {
            counter.add(value);
        }
        assertEquals(List.of(new TopCounter.Count("a", 3, 0), new TopCounter.Count("c", 2, 1)), counter.top(10));
        assertTrue(!counter.exact());
    }

    /** Space-Saving's guarantees, on any stream: each count kept is over by at most its error, and heavy values stay. */
    @Property(tries = 300)
    void countsAreBoundedAndEveryHeavyValueIsKept(@ForAll @Size(max = 3000) List<@IntRange(max = 60) Integer> stream,
            @ForAll @IntRange(min = 1, max = 40) int capacity) {
        TopCounter counter = new TopCounter(capacity);
        Map<String, Long> truth = new HashMap<>();
        for (int value : stream) {
            // skewed: small numbers come far more often, as names do in a real log
            String key = Integer.toString(value % 7 == 0 ? 0 : value);
            counter.add(key);
            truth.merge(key, 1L, Long::sum);
        }
        assertEquals(stream.size(), counter.total());
        assertTrue(counter.kept() <= capacity);
        for (TopCounter.Count kept : counter.top(capacity)) {
            long real = truth.get(kept.value());
            assertTrue(kept.count() - kept.error() <= real && real <= kept.count(), kept + " against " + real);
            assertTrue(kept.error() <= stream.size() / capacity, "error at most total/capacity");
        }
        truth.forEach((key, real) -> {
            if (real > stream.size() / capacity) {
                assertTrue(counter.countOf(key).count() > 0, key + " seen " + real + " times is kept");
            }
        });
        if (truth.size() <= capacity) {
            assertTrue(counter.exact());
        }
    }

    /** Long values make the table hold fewer, never more octets: 130,000 names of 255 octets fit its budget. */
    @Test
    void longValuesAreBoundedInOctetsNotOnlyInNumber() {
        long budget = 1 << 20;
        TopCounter counter = new TopCounter(100_000, budget);
        String long255 = "x".repeat(250);
        for (int i = 0; i < 130_000; i++) {
            counter.add(long255 + i);
            assertTrue(counter.octets() <= budget, counter.octets() + " octets after " + i);
        }
        assertTrue(counter.kept() < 3000, counter.kept() + " kept");
        counter.add("heavy");
        counter.add("heavy");
        assertEquals(counter.total(), 130_002);
    }
}
