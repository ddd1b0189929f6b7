package dev.chivato.server.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.embed.Chivato;
import dev.chivato.embed.Fault;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * UDP sockets of a server that does not forward are read by threads of their own that block in receive: what they
 * answer in turn goes out from them, what waits (a test's delay) is handed to the loop and answered from there, and
 * they end with the server. A forwarding server reads them on its loop, beside its upstream sockets.
 */
class UdpReaderTest {
    private static Set<Thread> readers() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().endsWith("-udp"))
                .collect(Collectors.toSet());
    }

    private static Message ask(InetSocketAddress server, String name) throws Exception {
        byte[] query = Message.query(11, true, Question.of(name, RRType.A), Optional.empty()).toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(3000);
            socket.send(new DatagramPacket(query, query.length, server));
            byte[] buffer = new byte[0xffff];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            return Message.decode(Arrays.copyOf(buffer, packet.getLength()));
        }
    }

    @Test
    void aReaderAnswersItsSocketsQueriesAndEndsWhenTheServerStops() throws Exception {
        Set<Thread> before = readers();
        Set<Thread> started;
        try (Chivato dns = Chivato.builder().record("192.0.2.1 db.internal").start()) {
            Message answer = ask(dns.address(), "db.internal"); // answered: its reader runs
            assertEquals(RData.A.parse("192.0.2.1"), answer.answers().get(0).data());
            started = readers();
            started.removeAll(before);
            assertEquals(1, started.size(), "one reader for the one UDP socket");
        }
        for (Thread reader : started) {
            reader.join(5000);
            assertFalse(reader.isAlive(), reader.getName() + " still runs after close");
        }
    }

    @Test
    void aForwardingServerReadsUdpOnItsLoopWithNoReaderAndAnswersMissesAndHits() throws Exception {
        try (Chivato upstream = Chivato.builder().record("192.0.2.7 far.internal").start()) {
            ask(upstream.address(), "far.internal"); // answered: the upstream's own reader runs
            Set<Thread> before = readers();
            try (Chivato dns = Chivato.builder().forward("127.0.0.1:" + upstream.port()).start()) {
                Message answer = ask(dns.address(), "far.internal"); // a miss: the loop asks upstream
                assertEquals(RData.A.parse("192.0.2.7"), answer.answers().get(0).data());
                Message again = ask(dns.address(), "far.internal"); // a hit, from the forward cache
                assertEquals(RData.A.parse("192.0.2.7"), again.answers().get(0).data());
                Set<Thread> started = readers();
                started.removeAll(before);
                assertEquals(Set.of(), started, "a forwarding server reads UDP on its loop's selector");
            }
        }
    }

    @Test
    void aDelayedQueryIsHandedToTheLoopsTimersAndAnsweredLate() throws Exception {
        try (Chivato dns = Chivato.builder().record("192.0.2.1 db.internal").start()) {
            dns.fault("db.internal", Fault.delay(Duration.ofMillis(300)));
            long start = System.nanoTime();
            Message answer = ask(dns.address(), "db.internal");
            assertTrue(System.nanoTime() - start >= 300_000_000L, "answered before its delay");
            assertNotNull(answer.answers().get(0));
        }
    }
}
