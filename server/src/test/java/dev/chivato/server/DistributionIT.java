package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged distribution, as a user installs it: {@code chivato-VERSION.tar.gz} unpacked into a temporary folder,
 * then its launcher (its version, the huge pages it asks for), the seed's dig session through it, its man page, its
 * completion script and its systemd unit.
 * Runs after {@code package} (failsafe), on the tarball the build just made.
 */
@RequiresTools({"tar"})
class DistributionIT {
    @TempDir
    static Path dir;
    private static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        ExternalTool.require("tar");
        Path tarball;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            tarball = files.filter(f -> f.getFileName().toString().matches("chivato-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no chivato-*.tar.gz in target: run mvn package"));
        }
        assertEquals(0, ExternalTool.run("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", dir.toString())
                .exitCode());
        try (Stream<Path> unpacked = Files.list(dir)) {
            home = unpacked.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    private static String chivato() {
        return home.resolve("bin/chivato").toString();
    }

    @Test
    void theLauncherSaysItsVersion() {
        ExternalTool.Result version = ExternalTool.run(chivato(), "--version");
        assertEquals(0, version.exitCode(), version.stderr());
        assertTrue(version.stdout().startsWith("chivato "), version.stdout());
    }

    @Test
    void theLauncherAsksForHugePagesWhereTheKernelOffersThem() throws IOException {
        Path mode = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        String offered = Files.isReadable(mode) ? Files.readString(mode).trim() : "(no " + mode + ")";
        boolean expected = offered.contains("[always]") || offered.contains("[madvise]");
        assertEquals(expected, hugePagesWith(""), "the kernel's transparent huge pages: " + offered);
    }

    @Test
    void javaOptsCanTurnTheLaunchersHugePagesOff() {
        assertFalse(hugePagesWith("-XX:-UseTransparentHugePages"));
    }

    /** Whether the JVM the launcher starts, given {@code javaOpts}, uses transparent huge pages. */
    private static boolean hugePagesWith(String javaOpts) {
        ExternalTool.Result run = ExternalTool.run("env", "JAVA_OPTS=-XX:+PrintFlagsFinal " + javaOpts, chivato(),
                "--version");
        assertEquals(0, run.exitCode(), run.stderr());
        Matcher flag = Pattern.compile("UseTransparentHugePages\\s+=\\s+(true|false)").matcher(run.stdout());
        assertTrue(flag.find(), run.stdout());
        return Boolean.parseBoolean(flag.group(1));
    }

    @Test
    void theSeedsSessionRunsThroughTheLauncher() throws Exception {
        ExternalTool.require("dig");
        Process server = new ProcessBuilder(chivato(), "--listen", "127.0.0.1:0", "--log", "off")
                .redirectError(dir.resolve("stderr").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            Matcher listening = Pattern.compile("listening udp 127\\.0\\.0\\.1:(\\d+)").matcher(
                    String.valueOf(out.readLine()));
            assertTrue(listening.matches(), Files.readString(dir.resolve("stderr")));
            int port = Integer.parseInt(listening.group(1));
            assertEquals(List.of("1.2.3.4", "1.2.3.5"), ExternalTool.dig(port, "+short", "example.com").lines());
            assertEquals(List.of("example.com.", "example.my."), ExternalTool.dig(port, "+short", "-x", "1.2.3.5")
                    .lines());
            ExternalTool.run("kill", "-TERM", Long.toString(server.pid()));
            assertTrue(server.waitFor(10, TimeUnit.SECONDS), "the launcher's server stops on SIGTERM");
            assertEquals(0, server.exitValue(), "the launcher exits with the server's code");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void theManPageReads() {
        ExternalTool.require("man");
        ExternalTool.Result page = ExternalTool.run("man", "-l", home.resolve("man/chivato.1").toString());
        assertEquals(0, page.exitCode(), page.stderr());
        assertTrue(page.stdout().contains("--listen ADDR:PORT"), page.stdout());
        assertTrue(page.stdout().contains("chivato check-config"), page.stdout());
        for (String sub : List.of("query", "explain", "report", "check-config")) {
            assertTrue(Files.isRegularFile(home.resolve("man/chivato-" + sub + ".1")), sub);
        }
    }

    @Test
    void theCompletionScriptRegistersInBash() {
        ExternalTool.require("bash");
        ExternalTool.Result complete = ExternalTool.run("bash", "-c", "source "
                + home.resolve("completion/chivato.bash") + " && complete -p chivato");
        assertEquals(0, complete.exitCode(), complete.stderr());
        assertTrue(complete.stdout().contains("chivato"), complete.stdout());
    }

    @Test
    void theUnitVerifies() throws IOException {
        ExternalTool.require("systemd-analyze");
        String unit = Files.readString(home.resolve("etc/chivato.service"))
                .replace("/opt/chivato", home.toString())
                .replace("/etc/chivato/chivato.conf", home.resolve("etc/chivato.conf").toString());
        assertTrue(unit.contains("AmbientCapabilities=CAP_NET_BIND_SERVICE"), unit);
        assertTrue(unit.contains("ExecReload=/bin/kill -HUP $MAINPID"), unit);
        Path adjusted = Files.writeString(dir.resolve("chivato.service"), unit);
        ExternalTool.Result verify = ExternalTool.run("systemd-analyze", "verify", adjusted.toString());
        assertEquals(0, verify.exitCode(), verify.stdout() + verify.stderr());
    }

    @Test
    void theSampleConfigurationChecks() {
        ExternalTool.Result checked = ExternalTool.run(chivato(), "check-config", "--config",
                home.resolve("etc/chivato.conf").toString());
        assertEquals(0, checked.exitCode(), checked.stderr());
        assertTrue(checked.stdout().contains("would listen on udp and tcp 127.0.0.1:53"), checked.stdout());
    }
}
