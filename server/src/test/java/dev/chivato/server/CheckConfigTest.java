package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chivato check-config}: a summary and 0 for a good configuration, one line and 1 for each kind of bad one. */
class CheckConfigTest {
    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of {@code chivato check-config ARGS}. */
    private static CommandRun check(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "check-config";
        System.arraycopy(args, 0, all, 1, args.length);
        return CommandRun.of(all);
    }

    private Path config(String text) throws Exception {
        Files.writeString(dir.resolve("hosts"), "192.0.2.1 db.internal\n");
        Files.writeString(dir.resolve("example.org.zone"), "$TTL 300\n@ SOA ns.example.org. a.example.org. 7 1 1 1 1\n"
                + "  NS ns\nns A 192.0.2.53\n");
        return Files.writeString(dir.resolve("chivato.conf"), text);
    }

    @Test
    void aGoodConfigurationIsSummedUpAndExitsZero() throws Exception {
        Path conf = config("listen=127.0.0.1:10053\nrecords=hosts\nzone=example.org=example.org.zone\n");
        CommandRun checked = check("--config", conf.toString());
        assertEquals(0, checked.code(), checked.err());
        assertTrue(checked.out().contains("would listen on udp and tcp 127.0.0.1:10053"), checked.out());
        assertTrue(checked.out().contains("zone example.org. serial 7"), checked.out());
        assertTrue(checked.out().contains("ok: nothing was started"), checked.out());
    }

    @Test
    void nothingListensMeanwhile() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            port = probe.getLocalPort();
        }
        Path conf = config("listen=127.0.0.1:" + port + "\nrecords=hosts\n");
        assertEquals(0, check("--config", conf.toString()).code());
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            assertEquals(port, again.getLocalPort(), "the port is still free");
        }
    }

    @Test
    void anUnknownOptionIsOneLine() throws Exception {
        CommandRun checked = check("--config", config("records=hosts\nfrobnicate=1\n").toString());
        assertEquals(1, checked.code());
        assertEquals(dir.resolve("chivato.conf") + ":2: \"frobnicate\" is not an option of chivato (see --help)\n",
                checked.err());
    }

    @Test
    void aBadZoneLineIsItsFileAndLine() throws Exception {
        Path conf = config("zone=example.org=example.org.zone\n");
        Files.writeString(dir.resolve("example.org.zone"), "bad A 300.1.1.1\n", java.nio.file.StandardOpenOption.APPEND);
        CommandRun checked = check("--config", conf.toString());
        assertEquals(1, checked.code());
        assertTrue(checked.err().startsWith(dir.resolve("example.org.zone") + ":5:"), checked.err());
    }

    @Test
    void aBadKeyFileIsOneLine() throws Exception {
        Files.writeString(dir.resolve("key"), "not a key\n");
        CommandRun checked = check("--config", config("records=hosts\ntsig-key=key\n").toString());
        assertEquals(1, checked.code());
        assertTrue(checked.err().startsWith(dir.resolve("key").toString()), checked.err());
        assertEquals(1, checked.err().lines().count(), checked.err());
    }

    @Test
    void ourOwnAddressAsUpstreamIsRefused() throws Exception {
        CommandRun checked = check("--listen", "127.0.0.1:10053", "--forward", "127.0.0.1:10053");
        assertEquals(1, checked.code());
        assertTrue(checked.err().contains("is an address we listen on"), checked.err());
    }

    @Test
    void aMissingFileIsOneLine() throws Exception {
        CommandRun checked = check("--records", dir.resolve("nosuch").toString());
        assertEquals(1, checked.code());
        assertTrue(checked.err().contains("nosuch") && checked.err().contains("no such file"), checked.err());
    }
}
