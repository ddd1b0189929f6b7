package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.fail;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.RData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * NSD or Knot from Debian as a secondary of chivato on a free loopback port: it transfers {@code zone} from the
 * primary, takes NOTIFY from loopback, and signs with a TSIG key when one is given.
 */
final class Secondary implements AutoCloseable {
    /** A TSIG key as both peers write it: name, algorithm (hmac-sha256...), secret in base64. */
    record Key(String name, String algorithm, String secret) {
    }

    final String kind;
    final int port;
    final Path dir;
    private final Process process;

    private Secondary(String kind, int port, Path dir, Process process) {
        this.kind = kind;
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** NSD on {@code port} (picked beforehand, so that the primary can be told where to send NOTIFY). */
    static Secondary nsd(Path parent, int port, int primaryPort, String zone, Key key) throws Exception {
        ExternalTool.require("nsd");
        Path dir = Files.createDirectories(parent.resolve("nsd-secondary"));
        String keyName = key == null ? "NOKEY" : key.name();
        String keyBlock = key == null ? "" : """
                key:
                  name: %s
                  algorithm: %s
                  secret: "%s"
                """.formatted(key.name(), key.algorithm(), key.secret());
        Files.writeString(dir.resolve("nsd.conf"), Nsd.serverBlock(port, dir) + """
                  xfrdir: "%2$s"
                  verbosity: 2
                  xfrd-reload-timeout: 0
                remote-control:
                  control-enable: no
                %5$s
                zone:
                  name: %3$s
                  zonefile: "%2$s/%3$s.zone"
                  request-xfr: 127.0.0.1@%4$d %6$s
                  allow-notify: 127.0.0.1 %6$s
                """.formatted(port, dir, zone, primaryPort, keyBlock, keyName));
        Process process = new ProcessBuilder("nsd", "-d", "-c", dir.resolve("nsd.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nsd.out").toFile()).start();
        return new Secondary("nsd", port, dir, process);
    }

    static Secondary knot(Path parent, int port, int primaryPort, String zone, Key key) throws Exception {
        ExternalTool.require("knotd");
        Path dir = Files.createDirectories(parent.resolve("knot-secondary"));
        String keyBlock = key == null ? "" : """
                key:
                  - id: %s
                    algorithm: %s
                    secret: %s
                """.formatted(key.name(), key.algorithm(), key.secret());
        String keyRef = key == null ? "" : "\n    key: " + key.name();
        Files.writeString(dir.resolve("knot.conf"), """
                server:
                    listen: 127.0.0.1@%1$d
                    rundir: "%2$s"
                log:
                  - target: stderr
                    any: info
                database:
                    storage: "%2$s"
                %5$s
                remote:
                  - id: primary
                    address: 127.0.0.1@%4$d%6$s
                acl:
                  - id: notify-from-primary
                    address: 127.0.0.1
                    action: notify%6$s
                zone:
                  - domain: %3$s
                    storage: "%2$s"
                    master: primary
                    acl: notify-from-primary
                    zonefile-sync: -1
                """.formatted(port, dir, zone, primaryPort, keyBlock, keyRef));
        Process process = new ProcessBuilder("knotd", "-c", dir.resolve("knot.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("knot.out").toFile()).start();
        return new Secondary("knot", port, dir, process);
    }

    /** Waits until the secondary serves {@code zone} with {@code serial}; fails with its log if it does not. */
    void awaitSerial(String zone, long serial, long seconds) throws Exception {
        if (!Wait.within(Duration.ofSeconds(seconds), () -> serialAt(port, zone) == serial)) {
            fail(kind + " does not serve " + zone + " serial " + serial + " within " + seconds + " s (it has "
                    + serialAt(port, zone) + "):\n" + output());
        }
    }

    /** The serial of {@code zone} the server on {@code port} answers, or -1. */
    static long serialAt(int port, String zone) {
        try {
            Optional<Message> answer = Nsd.ask(port, zone, "SOA");
            return answer.filter(m -> !m.answers().isEmpty() && m.answers().get(0).data() instanceof RData.Soa)
                    .map(m -> ((RData.Soa) m.answers().get(0).data()).serial()).orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }

    /** What the secondary printed (its log), for failure messages. */
    String output() {
        try {
            return Files.readString(dir.resolve(kind + ".out"));
        } catch (Exception e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() {
        Nsd.stop(process);
    }
}
