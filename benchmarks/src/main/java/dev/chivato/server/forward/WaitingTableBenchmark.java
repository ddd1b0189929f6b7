package dev.chivato.server.forward;

import dev.chivato.benchmarks.NanosecondBenchmark;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One forwarded query's life in an upstream socket's table of what waits on it, with a few others in flight: a
 * free ID drawn, the query put under it, its answer's ID looked up, the query released. {@link IdTable} against the
 * {@code HashMap<Integer, T>} it replaced. In the forwarder's package (package-private classes), in this module.
 */
@State(Scope.Thread)
public class WaitingTableBenchmark extends NanosecondBenchmark {
    private static final int IN_FLIGHT = 4;

    private final KeystreamRandom random = new KeystreamRandom();
    private final IdTable<Object> table = new IdTable<>();
    private final Map<Integer, Object> map = new HashMap<>();
    private final Object waiter = new Object();

    @Setup
    public void othersInFlight() {
        for (int i = 0; i < IN_FLIGHT; i++) {
            table.put(UpstreamStream.freeId(table, random), new Object());
            map.put(random.nextInt(0x10000) | 0x8000, new Object());
        }
    }

    @Benchmark
    public Object idTable() {
        int id = UpstreamStream.freeId(table, random);
        table.put(id, waiter);
        Object found = table.get(id);
        table.remove(id, waiter);
        return found;
    }

    @Benchmark
    public Object boxedMap() {
        int id;
        do {
            id = random.nextInt(0x10000);
        } while (map.containsKey(id));
        map.put(id, waiter);
        Object found = map.get(id);
        map.remove(id, waiter);
        return found;
    }
}
