package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A failure of an event loop itself (not of one client) stops the whole server: never a half-alive one. */
class ServerFailureTest {
    @Test
    void anErrorInAnEventLoopStopsEveryLoopAndIsReported() throws Exception {
        QueryHandler failing = TestServer.failingHandler(new OutOfMemoryError("simulated"));
        Server server = Server.start(TestServer.config(), new PacketProcessor(failing, QueryLog.off()));
        try (DatagramSocket socket = new DatagramSocket()) {
            // ANY is not the fast path's, so it reaches the failing handler.
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
}
