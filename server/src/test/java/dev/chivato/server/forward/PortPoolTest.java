package dev.chivato.server.forward;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The upstream sockets: reused at a low rate, spread under load, random ports that keep changing. */
class PortPoolTest {
    private Selector selector;
    private DatagramChannel upstream;
    private PortPool<Object> pool;
    private InetSocketAddress to;

    @BeforeEach
    void open() throws IOException {
        selector = Selector.open();
        upstream = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        to = (InetSocketAddress) upstream.getLocalAddress();
        pool = new PortPool<>(selector, new KeystreamRandom(), 256);
    }

    @AfterEach
    void close() throws IOException {
        pool.retireAll();
        upstream.close();
        selector.close();
    }

    /** One query sent and answered before the next: a low rate. */
    @Test
    void oneQueryAtATimeReusesAFewSocketsInsteadOfOpeningOneEach() throws IOException {
        Set<Integer> ports = new HashSet<>();
        Object waiter = new Object();
        for (int i = 0; i < 1_000; i++) {
            PortPool.Port<Object> port = pool.portFor(to, System.nanoTime());
            int id = pool.freeId(port);
            port.waiting.put(id, waiter);
            ports.add(port.local.getPort());
            pool.release(port, id, waiter);
        }
        long bound = PortPool.WORKING_SET + 1_000 / PortPool.USES_PER_PORT + 1;
        assertTrue(pool.opened() <= bound, pool.opened() + " sockets opened for 1,000 queries, at most " + bound);
        assertTrue(ports.size() > PortPool.WORKING_SET, "the ports keep changing: " + ports.size() + " seen");
    }

    /** A socket's last use: it stays open for the query it was drawn for, and closes when that one is done. */
    @Test
    void aSocketDrawnForItsLastQueryIsOpenAndClosesWhenThatQueryIsReleased() throws IOException {
        Object waiter = new Object();
        List<PortPool.Port<Object>> last = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            PortPool.Port<Object> port = pool.portFor(to, System.nanoTime());
            assertTrue(port.channel.isOpen(), "query " + i + " drew a closed socket");
            int id = pool.freeId(port);
            port.waiting.put(id, waiter);
            pool.release(port, id, waiter);
            if (port.retired) {
                last.add(port);
            }
        }
        assertTrue(!last.isEmpty(), "some sockets had their last use");
        last.forEach(port -> assertTrue(!port.channel.isOpen(), "a retired socket is closed once released"));
    }

    /** A steady few queries in flight: a busy socket drawn is drawn again, not answered with a new socket. */
    @Test
    void aFewQueriesInFlightKeepThePoolNearItsWorkingSet() throws IOException {
        Object waiter = new Object();
        java.util.ArrayDeque<Object[]> inFlight = new java.util.ArrayDeque<>();
        int most = 0;
        for (int i = 0; i < 5_000; i++) {
            PortPool.Port<Object> port = pool.portFor(to, System.nanoTime());
            int id = pool.freeId(port);
            port.waiting.put(id, waiter);
            inFlight.add(new Object[] {port, id});
            if (inFlight.size() > 4) { // the oldest is answered
                Object[] done = inFlight.remove();
                @SuppressWarnings("unchecked")
                PortPool.Port<Object> answered = (PortPool.Port<Object>) done[0];
                pool.release(answered, (Integer) done[1], waiter);
            }
            most = Math.max(most, pool.open());
        }
        assertTrue(most <= 2 * PortPool.WORKING_SET, "with 5 in flight, " + most + " sockets were open at once");
    }

    /** Queries in flight together: each draws a busy socket and gets a new one, up to the pool's size. */
    @Test
    void queriesInFlightTogetherSpreadOverManySockets() throws IOException {
        List<PortPool.Port<Object>> busy = new ArrayList<>();
        Object waiter = new Object();
        for (int i = 0; i < 200; i++) {
            PortPool.Port<Object> port = pool.portFor(to, System.nanoTime());
            port.waiting.put(pool.freeId(port), waiter);
            busy.add(port);
        }
        Set<Integer> ports = new HashSet<>();
        busy.forEach(port -> ports.add(port.local.getPort()));
        assertTrue(ports.size() > 100, "200 queries in flight on " + ports.size() + " ports");
        assertTrue(pool.open() <= 256);
    }
}
