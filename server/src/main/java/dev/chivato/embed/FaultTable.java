package dev.chivato.embed;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.QueryView;
import dev.chivato.server.core.Transport;
import dev.chivato.server.network.FaultSource;
import dev.chivato.server.network.Injected;
import java.nio.ByteBuffer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The faults a test set, by name: of those that cover the name asked (set for it or for a name above it), the one set
 * last applies. Set from the test's thread, read by the event loops; a counted fault is used up atomically, so two
 * loops never both take its last use, and a used-up one gives way to the one set before it.
 */
final class FaultTable implements FaultSource {
    /** A fault for a name and below, with the uses left ({@link Fault#UNLIMITED}: no count). */
    private record Rule(Name name, Fault fault, AtomicInteger left) {
        /** Takes one use; false when none is left. */
        boolean use() {
            if (fault.times() == Fault.UNLIMITED) {
                return true;
            }
            int now;
            do {
                now = left.get();
                if (now == 0) {
                    return false;
                }
            } while (!left.compareAndSet(now, now - 1));
            return true;
        }
    }

    /** Newest first. */
    private final CopyOnWriteArrayList<Rule> rules = new CopyOnWriteArrayList<>();

    void set(Name name, Fault fault) {
        rules.add(0, new Rule(name, fault, new AtomicInteger(fault.times())));
    }

    void clear() {
        rules.clear();
    }

    @Override
    public Injected take(ByteBuffer query, QueryView view, Transport transport) {
        if (rules.isEmpty() || !view.hasQuestion()) {
            return null;
        }
        byte[] wire = new byte[view.nameLength()];
        query.get(query.position() + view.nameOffset(), wire);
        Name asked = Name.fromWire(wire, 0, wire.length);
        for (Rule rule : rules) {
            if (asked.isSubdomainOf(rule.name()) && rule.use()) {
                if (rule.left().get() == 0) {
                    rules.remove(rule);
                }
                return rule.fault().injected();
            }
        }
        return null;
    }
}
