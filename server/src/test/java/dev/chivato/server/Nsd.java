package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.fail;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** NSD from Debian serving one zone on a free loopback port, for as long as the test needs it. */
public final class Nsd implements AutoCloseable {
    private final Process process;
    public final int port;

    private Nsd(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts NSD with its files in {@code dir} and waits until it answers the zone's SOA. */
    public static Nsd start(Path dir, String zone, Path zoneFile) throws Exception {
        return start(dir, zone, zoneFile, "");
    }

    /** As above, with more lines for the server block ({@code "  minimal-responses: yes\n"}, say). */
    public static Nsd start(Path dir, String zone, Path zoneFile, String serverLines) throws Exception {
        ExternalTool.require("nsd");
        int port = freePort();
        Path conf = dir.resolve("nsd.conf");
        Files.writeString(conf, serverBlock(port, dir) + serverLines + """
                  rrl-ratelimit: 0
                  rrl-whitelist-ratelimit: 0
                remote-control:
                  control-enable: no
                zone:
                  name: %1$s
                  zonefile: "%2$s"
                """.formatted(zone, zoneFile));
        Process process = new ProcessBuilder("nsd", "-d", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nsd.out").toFile()).start();
        Nsd nsd = new Nsd(process, port);
        awaitAnswer(port, zone, dir.resolve("nsd.out"));
        return nsd;
    }

    /** NSD's server block: one process on 127.0.0.1:PORT, every file it writes in {@code dir}; callers add lines. */
    static String serverBlock(int port, Path dir) {
        return """
                server:
                  ip-address: 127.0.0.1@%1$d
                  port: %1$d
                  username: ""
                  chroot: ""
                  zonesdir: "%2$s"
                  pidfile: "%2$s/nsd.pid"
                  logfile: "%2$s/nsd.log"
                  zonelistfile: "%2$s/zone.list"
                  xfrdfile: "%2$s/xfrd.state"
                  database: ""
                  server-count: 1
                """.formatted(port, dir);
    }

    private static boolean answersSoa(int port, String zone) {
        try {
            Optional<Message> answer = ask(port, zone, "SOA");
            return answer.isPresent() && !answer.get().answers().isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits until a peer answers the apex SOA (NSD and Knot load the zone after they start listening). */
    static void awaitAnswer(int port, String zone, Path output) throws Exception {
        if (Wait.within(Duration.ofSeconds(15), () -> answersSoa(port, zone))) {
            return;
        }
        fail(output.getFileName() + ": no answer for " + zone + " within 15 s: " + Files.readString(output));
    }

    /** One query over UDP, EDNS on; empty when no answer comes within a second or it does not decode. */
    public static Optional<Message> ask(int port, String name, String type) throws IOException {
        Message query = Message.query(0x1234, false, new Question(Name.parse(name), RRType.parse(type), RRClass.IN),
                Optional.of(Edns.of(1232, false)));
        byte[] wire = query.toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(1000);
            socket.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
            socket.receive(packet);
            return Optional.of(Message.decode(Arrays.copyOf(packet.getData(), packet.getLength())));
        } catch (SocketTimeoutException | dev.chivato.protocol.WireFormatException e) {
            return Optional.empty();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        stop(process);
    }

    /** Stops a peer: SIGTERM, then SIGKILL after 5 seconds; an interrupted wait kills it at once. */
    static void stop(Process process) {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
