package dev.chivato.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The table of what waits under each ID: what a map of boxed IDs would hold, after any puts and removes. */
class IdTableTest {
    /** One step: put (waiter 0..3) or remove (the waiter given) under an ID of a small range, so that IDs meet. */
    record Step(boolean put, int id, int waiter) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = net.jqwik.api.Combinators.combine(Arbitraries.of(true, false),
                Arbitraries.oneOf(Arbitraries.integers().between(0, 40), Arbitraries.integers().between(0, 0xffff)),
                Arbitraries.integers().between(0, 3)).as(Step::new);
        return step.list().ofMaxSize(400);
    }

    @Property
    void holdsWhatAMapOfTheSameStepsHolds(@ForAll("steps") List<Step> steps) {
        Integer[] waiters = {0, 1, 2, 3};
        IdTable<Integer> table = new IdTable<>();
        Map<Integer, Integer> model = new HashMap<>();
        for (Step step : steps) {
            Integer waiter = waiters[step.waiter()];
            if (step.put()) {
                table.put(step.id(), waiter);
                model.put(step.id(), waiter);
            } else {
                assertEquals(model.remove(step.id(), waiter), table.remove(step.id(), waiter), "remove " + step);
            }
            assertEquals(model.size(), table.size());
        }
        for (int id : new HashSet<>(model.keySet())) {
            assertSame(model.get(id), table.get(id), "id " + id);
            assertTrue(table.containsId(id));
        }
        for (int id = 0; id <= 40; id++) {
            assertEquals(model.containsKey(id), table.containsId(id), "id " + id);
        }
        assertEquals(new HashSet<>(model.values()), new HashSet<>(table.values()));
        assertEquals(model.size(), table.values().size());
    }

    @Test
    void holdsEveryIdThereIsAndGivesEachBack() {
        IdTable<Integer> table = new IdTable<>();
        for (int id = 0; id <= 0xffff; id++) {
            table.put(id, id);
        }
        assertEquals(0x10000, table.size());
        for (int id = 0; id <= 0xffff; id++) {
            assertEquals(id, table.get(id));
        }
        for (int id = 0; id <= 0xffff; id += 2) {
            assertTrue(table.remove(id, table.get(id)));
        }
        for (int id = 0; id <= 0xffff; id++) {
            assertEquals(id % 2 == 0 ? null : Integer.valueOf(id), table.get(id), "id " + id);
        }
    }

    @Test
    void removesAnIdOnlyForTheWaiterUnderIt() {
        IdTable<Object> table = new IdTable<>();
        Object first = new Object();
        table.put(7, first);
        assertFalse(table.remove(7, new Object()), "another waiter's answer does not release this one");
        assertSame(first, table.get(7));
        assertTrue(table.remove(7, first));
        assertNull(table.get(7));
        assertTrue(table.isEmpty());
    }

    @Test
    void refusesAnIdOfMoreThanSixteenBits() {
        IdTable<Object> table = new IdTable<>();
        assertThrows(IllegalArgumentException.class, () -> table.put(0x10000, new Object()));
        assertThrows(IllegalArgumentException.class, () -> table.put(-1, new Object()));
    }
}
