package dev.chivato.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OctetBudgetTest {
    /** Eight threads taking at once, each seeing room: together they never hold more than the limit. */
    @Test
    void threadsTakingAtOnceNeverPassTheLimit() throws Exception {
        OctetBudget budget = new OctetBudget(1_000_000);
        AtomicLong highest = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 200_000; i++) {
                    if (budget.tryTake(65_535)) {
                        highest.accumulateAndGet(budget.held(), Math::max);
                        budget.give(65_535);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertTrue(highest.get() <= 1_000_000, highest + " held at once");
        assertEquals(0, budget.held());
    }
}
