package dev.chivato.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** BIND's named from Debian serving one zone on a free loopback port, with DNS Cookies as the test asks. */
public final class Named implements AutoCloseable {
    private final Process process;
    public final int port;

    private Named(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts named with its files in {@code dir}, serving {@code zoneFile} as {@code zone}, making and checking
     * server cookies in RFC 9018's form with {@code cookieSecret} (32 hex digits) and, with {@code requireCookie},
     * answering BADCOOKIE to a UDP query without a good one; waits until it answers the zone's SOA.
     */
    public static Named start(Path dir, String zone, Path zoneFile, String cookieSecret, boolean requireCookie)
            throws Exception {
        ExternalTool.require("named");
        int port = Nsd.freePort();
        Path conf = dir.resolve("named.conf");
        Files.writeString(conf, """
                options {
                  directory "%1$s";
                  listen-on port %2$d { 127.0.0.1; };
                  listen-on-v6 { none; };
                  pid-file "%1$s/named.pid";
                  session-keyfile "%1$s/session.key";
                  managed-keys-directory "%1$s";
                  recursion no;
                  dnssec-validation no;
                  cookie-algorithm siphash24;
                  cookie-secret "%3$s";
                  require-server-cookie %4$s;
                };
                controls { };
                zone "%5$s" { type primary; file "%6$s"; };
                """.formatted(dir, port, cookieSecret, requireCookie ? "yes" : "no", zone, zoneFile));
        Path output = dir.resolve("named.out");
        Process process = new ProcessBuilder("named", "-g", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        Named named = new Named(process, port);
        try {
            Nsd.awaitAnswer(port, zone, output);
        } catch (Throwable e) {
            named.close();
            throw e;
        }
        return named;
    }

    @Override
    public void close() {
        Nsd.stop(process);
    }
}
