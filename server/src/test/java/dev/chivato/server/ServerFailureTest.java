package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.PacketProcessor;
import dev.chivato.server.network.Server;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A failure of an event loop itself (not of one client) stops the whole server: never a half-alive one. */
class ServerFailureTest {
    @Test
    void anErrorInAnEventLoopStopsEveryLoopAndIsReported() throws Exception {
        QueryHandler failing = TestServer.failingHandler(new OutOfMemoryError("simulated"));
        Server server = Server.start(TestServer.config(), new PacketProcessor(failing, QueryLog.off()));
        try (DatagramSocket socket = new DatagramSocket()) {
            // the handler fails on ANY
            byte[] query = Message.query(1, true, Question.of("example.com", RRType.ANY), Optional.empty()).toWire();
            socket.send(new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(),
                    server.udpAddress().getPort()));
            Throwable failure = server.failure().get(5, TimeUnit.SECONDS);
            assertEquals("simulated", failure.getMessage());
            Thread.sleep(500);
            assertThrows(ConnectException.class, () -> {
                try (Socket tcp = new Socket()) {
                    tcp.connect(new InetSocketAddress("127.0.0.1", server.udpAddress().getPort()), 1000);
                }
            }, "no loop listens any more");
        } finally {
            server.close();
        }
    }

    @Test
    void aFailureServingOneClientCostsThatClientOnly() throws Exception {
        // A bug whose report fails too escapes the processor's guard: what is left is the loop's own.
        PacketProcessor processor = new PacketProcessor(TestServer.failingHandler(new IllegalStateException("bug")),
                QueryLog.off(), line -> {
                    throw new IllegalStateException("the report failed too");
                });
        List<String> warnings = new CopyOnWriteArrayList<>();
        Server server = Server.start(TestServer.config(), processor, warnings::add);
        int port = server.udpAddress().getPort();
        byte[] any = Message.query(1, true, Question.of("example.com", RRType.ANY), Optional.empty()).toWire();
        try (Socket tcp = new Socket(); DatagramSocket udp = new DatagramSocket()) {
            tcp.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            tcp.setSoTimeout(3000);
            tcp.getOutputStream().write(ByteBuffer.allocate(2 + any.length).putShort((short) any.length).put(any)
                    .array());
            assertEquals(-1, tcp.getInputStream().read(), "that connection is closed");
            udp.send(new DatagramPacket(any, any.length, InetAddress.getLoopbackAddress(), port));
            Thread.sleep(300);
            assertFalse(server.failure().isDone(), "the loops go on");
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(port, "+short", "example.com").lines());
            assertEquals(List.of("1.2.3.4", "1.2.3.5"),
                    ExternalTool.dig(port, "+short", "+tcp", "example.com").lines());
            assertTrue(warnings.stream().anyMatch(w -> w.startsWith("chivato: closing the TCP connection from")),
                    warnings.toString());
            assertTrue(warnings.stream().anyMatch(w -> w.startsWith("chivato: dropped a datagram from")),
                    warnings.toString());
        } finally {
            server.close();
        }
    }
}
