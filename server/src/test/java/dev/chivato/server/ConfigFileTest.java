package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.core.FileProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --config FILE: options in dnsmasq's style, the command line adding to them and overriding them. */
class ConfigFileTest {
    private static final Set<String> OPTIONS = Set.of("--listen", "--record", "--snitch", "--ttl", "--config");

    @TempDir
    Path dir;

    @Test
    void linesBecomeArgumentsBeforeTheCommandLine() throws Exception {
        Path config = dir.resolve("chivato.conf");
        Files.writeString(config, """
                # a comment
                listen=127.0.0.1:0
                record = 192.0.2.1 a.example   # trailing comment
                snitch

                ttl=60
                """);
        assertEquals(List.of("--listen", "127.0.0.1:0", "--record", "192.0.2.1 a.example", "--snitch", "--ttl", "60",
                "--config", config.toString(), "--ttl", "30"),
                ConfigFile.expand(List.of("--config", config.toString(), "--ttl", "30"), OPTIONS));
    }

    @Test
    void anUnknownOptionNamesItsLine() throws Exception {
        Path config = dir.resolve("chivato.conf");
        Files.writeString(config, "listen=127.0.0.1:0\nfrobnicate=yes\n");
        FileProblem e = assertThrows(FileProblem.class,
                () -> ConfigFile.read(config, OPTIONS));
        assertEquals(config + ":2: \"frobnicate\" is not an option of chivato (see --help)", e.getMessage());
    }

    @Test
    void theServerTakesItsOptionsFromTheFileAndTheCommandLineOverridesThem() throws Exception {
        Path config = dir.resolve("chivato.conf");
        Files.writeString(config, "record=192.0.2.7 host.example\nttl=60\nlog=off\n");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--config", config.toString(), "--ttl", "77",
                "--record", "192.0.2.8 other.example")) {
            String answer = ExternalTool.dig(server.port, "+noall", "+answer", "host.example").stdout();
            assertTrue(answer.contains("host.example.\t\t77\tIN\tA\t192.0.2.7"), answer);
            assertEquals(List.of("192.0.2.8"), ExternalTool.dig(server.port, "+short", "other.example").lines());
            assertEquals(0, server.terminate(10));
        }
    }

    @Test
    void aBadConfigFileIsOneLineAndExit2() throws Exception {
        Path config = dir.resolve("chivato.conf");
        Files.writeString(config, "bogus\n");
        try (ServerProcess server = ServerProcess.launch(dir, List.of(), "--config", config.toString())) {
            assertEquals(2, server.waitFor(20));
            assertEquals(config + ":1: \"bogus\" is not an option of chivato (see --help)",
                    server.stderrText().strip());
        }
    }

    @Test
    void aLineWithLeadingDashesIsTaken() throws Exception {
        Path config = Files.writeString(dir.resolve("dashes.conf"), "--listen=127.0.0.1:0\n-snitch\n");
        assertEquals(List.of("--listen", "127.0.0.1:0", "--snitch"), ConfigFile.read(config, OPTIONS));
    }

    @Test
    void aRelativePathIsTheConfigFilesFolders() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("etc"));
        Path config = Files.writeString(folder.resolve("chivato.conf"),
                "records=hosts\nzone=example.org=zones/example.org.zone\nzone=/srv/abs.zone\nlog-file=q.log\n");
        Set<String> options = Set.of("--records", "--zone", "--log-file");
        String base = folder.toAbsolutePath().toString();
        assertEquals(List.of("--records", base + "/hosts", "--zone", "example.org=" + base + "/zones/example.org.zone",
                "--zone", "/srv/abs.zone", "--log-file", base + "/q.log"), ConfigFile.read(config, options));
    }
}
