package dev.chivato.embed;

import dev.chivato.protocol.Rcode;
import dev.chivato.server.network.Injected;
import java.time.Duration;
import java.util.Objects;

/**
 * How a name is to fail, set with {@link Chivato#fault}: the name and every name below it get this instead of their
 * answer, until {@link Chivato#clearFaults()} (or for the next few queries only, with {@link #times}). Immutable.
 *
 * <p>What the client sees: {@link #servfail()}, {@link #refused()} and {@link #nxdomain()} an answer with that
 * rcode and the question only; {@link #drop()} nothing (its own timeout); {@link #delay} the usual answer, late;
 * {@link #truncate()} over UDP an empty answer with TC set (a resolver asks again over TCP, where the answer is whole);
 * {@link #garbage()} octets with its query's ID that do not decode (its parser's error); {@link #closeTcp()} over TCP
 * the connection closed without an answer, over UDP nothing.
 */
public final class Fault {
    /** Forever: until cleared. */
    static final int UNLIMITED = -1;

    private final Injected injected;
    private final int times;

    private Fault(Injected injected, int times) {
        this.injected = injected;
        this.times = times;
    }

    public static Fault servfail() {
        return new Fault(new Injected.Rcode(Rcode.SERVFAIL.value()), UNLIMITED);
    }

    public static Fault refused() {
        return new Fault(new Injected.Rcode(Rcode.REFUSED.value()), UNLIMITED);
    }

    public static Fault nxdomain() {
        return new Fault(new Injected.Rcode(Rcode.NXDOMAIN.value()), UNLIMITED);
    }

    public static Fault drop() {
        return new Fault(new Injected.Drop(), UNLIMITED);
    }

    /** The answer the server would give, sent after {@code delay} (the event loop goes on meanwhile). */
    public static Fault delay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative() || delay.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("a delay is 0 to 1 hour: " + delay);
        }
        return new Fault(new Injected.Delay(delay), UNLIMITED);
    }

    public static Fault truncate() {
        return new Fault(new Injected.Truncate(), UNLIMITED);
    }

    public static Fault garbage() {
        return new Fault(new Injected.Garbage(), UNLIMITED);
    }

    public static Fault closeTcp() {
        return new Fault(new Injected.CloseTcp(), UNLIMITED);
    }

    /** {@code fault} for the next {@code n} queries of its name (and below) only; then they are answered as usual. */
    public static Fault times(int n, Fault fault) {
        if (n < 1) {
            throw new IllegalArgumentException("a fault applies to 1 query or more, not " + n);
        }
        return new Fault(fault.injected, n);
    }

    Injected injected() {
        return injected;
    }

    /** The queries it applies to, or {@link #UNLIMITED}. */
    int times() {
        return times;
    }

    @Override
    public String toString() {
        String what = injected instanceof Injected.Rcode rcode ? Rcode.of(rcode.value()).toString().toLowerCase()
                : injected instanceof Injected.Delay delay ? "delay " + delay.delay()
                : injected.getClass().getSimpleName().toLowerCase();
        return times == UNLIMITED ? what : what + " x" + times;
    }
}
