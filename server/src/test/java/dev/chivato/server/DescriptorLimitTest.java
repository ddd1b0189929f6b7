package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.server.ForwardTest.FakeUpstream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server under a small descriptor limit ({@code ulimit -n}): running out of descriptors costs new
 * connections a pause, never the server (NSD pauses accepting; Knot logs and goes on), and the forwarder leaves room
 * for clients however many names it is asked to forward.
 */
class DescriptorLimitTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    @Test
    void runningOutOfDescriptorsOnAcceptPausesAcceptingAndTheServerGoesOn() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (ServerProcess server = ServerProcess.startLimited(dir, 200, List.of("-Xmx256m"), "--threads", "1",
                "--log", "off")) {
            warmUp(server.port);
            for (int i = 0; i < 400 && !server.stderrText().contains("cannot accept TCP connections"); i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress(LOOPBACK, server.port), 2000);
                clients.add(socket);
                if (i % 50 == 49) {
                    Wait.within(Duration.ofMillis(500), () -> server.stderrText().contains("cannot accept"));
                }
            }
            assertTrue(server.stderrText().contains("cannot accept TCP connections (Too many open files); "
                    + "accepting again in 500 ms"), server.stderrText());
            assertTrue(server.process.isAlive(), "the server goes on");
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(server.port, "+short", "example.com")
                    .lines(), "UDP is answered meanwhile; stderr: " + server.stderrText());
            clients.forEach(DescriptorLimitTest::closeQuietly);
            clients.clear();
            Wait.until(Duration.ofSeconds(10), () -> ExternalTool.dig(server.port, "+short", "+tcp",
                    "+tries=1", "+time=1", "example.com").lines().equals(List.of("1.2.3.4", "1.2.3.5")),
                    "TCP answered again once descriptors are free");
            assertEquals(0, server.terminate(10), server.stderrText());
        } finally {
            clients.forEach(DescriptorLimitTest::closeQuietly);
        }
    }

    @Test
    void aFloodOfUniqueForwardedNamesUnderADescriptorLimitLeavesRoomForClients() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.silent();
                ServerProcess server = ServerProcess.startLimited(dir, 256, List.of("-Xmx256m"), "--log", "off",
                        "--seed", "--forward", "127.0.0.1:" + upstream.address().getPort());
                DatagramSocket client = new DatagramSocket()) {
            warmUp(server.port);
            for (int i = 0; i < 3000; i++) {
                byte[] wire = Message.query(i & 0xffff, true, new Question(Name.parse("u" + i + ".elsewhere.test"),
                        RRType.A, RRClass.IN), Optional.empty()).toWire();
                client.send(new DatagramPacket(wire, wire.length, LOOPBACK, server.port));
            }
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) { // while the flood waits upstream, clients still get in
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress(LOOPBACK, server.port), 2000);
                    clients.add(socket);
                }
                assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(server.port, "+short", "+tcp",
                        "example.com").lines());
            } finally {
                clients.forEach(DescriptorLimitTest::closeQuietly);
            }
            assertTrue(server.process.isAlive());
            assertTrue(!server.stderrText().contains("cannot accept"), server.stderrText());
            assertEquals(0, server.terminate(10), server.stderrText());
        }
    }

    /**
     * One answer over each transport before the descriptors run out: the test runs the server from class directories,
     * where loading a class takes a descriptor (from the jar, whose descriptor is held, it does not).
     */
    private static void warmUp(int port) {
        assertEquals(2, ExternalTool.dig(port, "+short", "example.com").lines().size());
        assertEquals(2, ExternalTool.dig(port, "+short", "+tcp", "example.com").lines().size());
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (java.io.IOException e) {
            // closing anyway
        }
    }
}
