package dev.chivato.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Unbound from Debian as a validating resolver on a free loopback port, asking chivato for one zone (a stub zone). */
final class Unbound implements AutoCloseable {
    private final Process process;
    final int port;

    private Unbound(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts Unbound with {@code anchor} as its trust anchor and {@code zone} stubbed to 127.0.0.1:{@code stubPort}. */
    static Unbound start(Path dir, String zone, int stubPort, Path anchor) throws Exception {
        ExternalTool.require("unbound");
        int port = Nsd.freePort();
        Path conf = dir.resolve("unbound.conf");
        Files.writeString(conf, """
                server:
                  interface: 127.0.0.1
                  port: %1$d
                  do-ip6: no
                  username: ""
                  chroot: ""
                  directory: "%2$s"
                  pidfile: "%2$s/unbound.pid"
                  use-syslog: no
                  logfile: ""
                  do-not-query-localhost: no
                  trust-anchor-file: "%3$s"
                  module-config: "validator iterator"
                  val-log-level: 2
                stub-zone:
                  name: "%4$s"
                  stub-addr: 127.0.0.1@%5$d
                remote-control:
                  control-enable: no
                """.formatted(port, dir, anchor, zone, stubPort));
        Process process = new ProcessBuilder("unbound", "-d", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("unbound.out").toFile()).start();
        Unbound unbound = new Unbound(process, port);
        if (!Wait.within(Duration.ofSeconds(15), () -> ExternalTool.run("dig", "@127.0.0.1", "-p",
                Integer.toString(port), "+time=1", "+tries=1", zone, "SOA").exitCode() == 0)) {
            unbound.close();
            throw new AssertionError("unbound did not answer: " + Files.readString(dir.resolve("unbound.out")));
        }
        return unbound;
    }

    @Override
    public void close() {
        Nsd.stop(process);
    }
}
