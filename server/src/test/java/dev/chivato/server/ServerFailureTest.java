package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.Server;
import dev.chivato.server.network.Service;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A failure of an event loop itself (not of one client) stops the whole server: never a half-alive one. */
class ServerFailureTest {
    @Test
    void anErrorInAnEventLoopStopsEveryLoopAndIsReported() throws Exception {
        QueryHandler failing = TestServer.failingHandler(new OutOfMemoryError("simulated"));
        Server server = Server.start(TestServer.config(), new Service(failing, QueryLog.off()));
        try (DatagramSocket socket = new DatagramSocket()) {
            // the handler fails on ANY
            byte[] query = Message.query(1, true, Question.of("example.com", RRType.ANY), Optional.empty()).toWire();
            socket.send(new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(),
                    server.udpAddress().getPort()));
            Throwable failure = server.failure().get(5, TimeUnit.SECONDS);
            assertEquals("simulated", failure.getMessage());
            // every loop ends, each closing its sockets first: a connect refused by one loop's closed listener
            // while another's still listened was taken for all of them closed, once
            Wait.until(java.time.Duration.ofSeconds(5), () -> !server.anyLoopRuns(), "every loop stopped");
            assertFalse(accepts(server.udpAddress().getPort()), "no loop listens any more");
        } finally {
            server.close();
        }
    }

    /**
     * Whether something listens on {@code port}. A connect to a port nobody listens on can still succeed when the
     * kernel picks that very port as the client's own (a TCP self-connect, possible for a port just freed from the
     * ephemeral range): that is not a listener.
     */
    private static boolean accepts(int port) {
        try (Socket tcp = new Socket()) {
            tcp.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return tcp.getLocalPort() != port;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void aFailureServingOneClientCostsOneAnswerEvenWhenItsReportFailsToo() throws Exception {
        Service service = new Service(TestServer.failingHandler(new IllegalStateException("bug")), QueryLog.off(),
                line -> {
                    throw new IllegalStateException("the report failed too");
                });
        Server server = Server.start(TestServer.config(), service);
        int port = server.udpAddress().getPort();
        byte[] any = Message.query(1, true, Question.of("example.com", RRType.ANY), Optional.empty()).toWire();
        try (Socket tcp = new Socket(); DatagramSocket udp = new DatagramSocket()) {
            tcp.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            tcp.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(tcp.getOutputStream());
            DataInputStream in = new DataInputStream(tcp.getInputStream());
            for (int i = 0; i < 2; i++) { // the connection stays: the second query is answered on it too
                out.writeShort(any.length);
                out.write(any);
                byte[] answer = new byte[in.readUnsignedShort()];
                in.readFully(answer);
                assertEquals(Rcode.SERVFAIL, Message.decode(answer).rcode());
            }
            udp.setSoTimeout(3000);
            udp.send(new DatagramPacket(any, any.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket reply = new DatagramPacket(new byte[512], 512);
            udp.receive(reply);
            assertEquals(Rcode.SERVFAIL, Message.decode(java.util.Arrays.copyOf(reply.getData(), reply.getLength()))
                    .rcode());
            assertFalse(server.failure().isDone(), "the loops go on");
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(port, "+short", "example.com").lines());
            assertEquals(List.of("1.2.3.4", "1.2.3.5"),
                    ExternalTool.dig(port, "+short", "+tcp", "example.com").lines());
        } finally {
            server.close();
        }
    }
}
