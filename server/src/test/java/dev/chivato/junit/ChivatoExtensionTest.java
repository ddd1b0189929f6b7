package dev.chivato.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.embed.Fault;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension as a test class registers it: one server per class on a static field, one per test otherwise. */
class ChivatoExtensionTest {
    static Message ask(InetSocketAddress server, String name) throws Exception {
        byte[] query = Message.query(1, true, Question.of(name, RRType.A), Optional.empty()).toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server);
            socket.setSoTimeout(2000);
            socket.send(new DatagramPacket(query, query.length));
            byte[] buffer = new byte[4096];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            return Message.decode(Arrays.copyOf(buffer, packet.getLength()));
        }
    }

    /** A static field: the same server for every test, cleared before each. */
    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerClass {
        @RegisterExtension
        static ChivatoExtension dns = ChivatoExtension.builder().record("192.0.2.1 db.internal").build();
        static int firstPort;

        @Test
        @Order(1)
        void aFirstTestLeavesAQueryAndAFault() throws Exception {
            firstPort = dns.server().port();
            assertEquals("NOERROR", ask(dns.server().address(), "db.internal").rcode().toString());
            dns.server().fault("db.internal", Fault.servfail());
        }

        @Test
        @Order(2)
        void theNextTestHasTheSameServerWithNoQueriesAndNoFaults() throws Exception {
            assertEquals(firstPort, dns.server().port());
            assertTrue(dns.server().queries().isEmpty());
            assertEquals("NOERROR", ask(dns.server().address(), "db.internal").rcode().toString());
        }
    }

    /** A static field of an enclosing class: its @Nested classes share the one server. */
    @Nested
    class Enclosing {
        @RegisterExtension
        static ChivatoExtension dns = ChivatoExtension.builder().record("192.0.2.1 db.internal").build();
        static int outerPort;

        @Test
        void theOuterClassHasAServer() {
            outerPort = dns.server().port();
            assertTrue(outerPort > 0);
        }

        @Nested
        class Inner {
            @Test
            void theInnerClassHasTheSameOne() throws Exception {
                assertEquals(outerPort, dns.server().port(), "JUnit runs the outer class's tests first");
                assertEquals("NOERROR", ask(dns.server().address(), "db.internal").rcode().toString());
            }
        }
    }

    /** An instance field: a server of its own for each test. */
    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerTest {
        @RegisterExtension
        final ChivatoExtension dns = ChivatoExtension.builder().record("192.0.2.1 db.internal").build();
        static int firstPort;

        @Test
        @Order(1)
        void aFirstTestHasAServer() throws Exception {
            firstPort = dns.server().port();
            assertEquals("192.0.2.1", ask(dns.server().address(), "db.internal").answers().get(0).data().toString());
        }

        @Test
        @Order(2)
        void theNextTestHasAnotherOne() {
            assertNotEquals(firstPort, dns.server().port(), "a port of its own (the first server was closed)");
            assertTrue(dns.server().queries().isEmpty());
        }
    }
}
