package dev.chivato.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Name;
import dev.chivato.server.core.Cidr;
import dev.chivato.server.core.Timers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarder's state machine driven by hand, against an upstream socket that never answers: its timers are run
 * at chosen times and its posted tasks when the test says, so what it does is seen step by step.
 */
class ForwarderTest {
    private static final Duration TRY = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofMillis(1200);

    private DatagramChannel silent;
    private Selector selector;
    private final Timers timers = new Timers();
    private final List<Runnable> posted = new ArrayList<>();
    private final List<Forwarder.Outcome> outcomes = new ArrayList<>();
    private Forwarder forwarder;

    @BeforeEach
    void start() throws IOException {
        silent = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        selector = Selector.open();
        InetSocketAddress upstream = (InetSocketAddress) silent.getLocalAddress();
        Forwarding config = new Forwarding(Forwarding.routes(List.of("127.0.0.1:" + upstream.getPort())),
                List.of(Cidr.parse("127.0.0.0/8")), TRY, DEADLINE, 100, false);
        forwarder = new Forwarder(selector, config, new ForwardCache(config.cache()), timers, posted::add,
                Forwarder.Observer.NONE, line -> { }, 16);
    }

    @AfterEach
    void stop() throws IOException {
        forwarder.close();
        silent.close();
        selector.close();
    }

    private Forwarder.Waiter waiter() {
        return new Forwarder.Waiter() {
            @Override
            public void finished(Forwarder.Outcome outcome) {
                outcomes.add(outcome);
            }

            @Override
            public int octets() {
                return 300;
            }

            @Override
            public InetAddress client() {
                return InetAddress.getLoopbackAddress();
            }
        };
    }

    private static ForwardKey key(String name) {
        return new ForwardKey(Name.parse(name), 1, 1, true, false, false);
    }

    @Test
    void everyQuestionInFlightHasItsDeadlineArmedAndEndsByIt() {
        long now = System.nanoTime();
        forwarder.forward(key("a.example"), waiter(), now);
        forwarder.forward(key("b.example"), waiter(), now);
        forwarder.forward(key("a.example"), waiter(), now); // joins the first
        assertEquals(2, forwarder.pending());
        assertEquals(3, forwarder.waiting());
        assertEquals(0, forwarder.unfinishedWithoutDeadline());
        timers.runDue(now + TRY.toNanos(), e -> { throw e; }); // the first tries time out: the next are sent
        assertEquals(0, forwarder.unfinishedWithoutDeadline());
        assertTrue(outcomes.isEmpty());
        timers.runDue(now + DEADLINE.toNanos(), e -> { throw e; });
        assertEquals(0, forwarder.pending());
        assertEquals(0, forwarder.waiting());
        assertTrue(outcomes.isEmpty(), "outcomes are posted to the loop, not delivered from inside the forwarder");
        assertEquals(3, posted.size());
        posted.forEach(Runnable::run);
        assertEquals(3, outcomes.size());
        for (Forwarder.Outcome outcome : outcomes) {
            assertNull(outcome.answer(), "SERVFAIL: nothing came");
            assertTrue(outcome.failure().orElseThrow().contains("did not answer"), outcome.failure().get());
        }
    }

    @Test
    void theRoomForWaitingQueriesIsBoundedInCountAndOctets() {
        long now = System.nanoTime();
        assertTrue(forwarder.noRoomFor((int) Forwarding.MAX_PENDING_OCTETS + 1).contains("octets already"));
        for (int i = 0; i < 100; i++) {
            assertNull(forwarder.noRoomFor(300));
            forwarder.forward(key("n" + i + ".example"), waiter(), now);
        }
        assertTrue(forwarder.noRoomFor(300).startsWith("too many forwarded queries wait already (100)"));
    }

    @Test
    void closingPostsServfailToEveryoneWaiting() {
        forwarder.forward(key("a.example"), waiter(), System.nanoTime());
        forwarder.close();
        assertTrue(outcomes.isEmpty());
        posted.forEach(Runnable::run);
        assertEquals("the server is stopping", outcomes.get(0).failure().orElseThrow());
        assertEquals(0, forwarder.openPorts(), "every upstream socket closed");
    }
}
