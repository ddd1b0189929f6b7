package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.Server;
import dev.chivato.server.network.Service;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading without a restart: SIGHUP, --watch, the serial rule, errors that keep the old data, and under load. */
class ReloadTest {
    @TempDir
    Path dir;

    private static String zone(long serial, String address) {
        return "$ORIGIN example.org.\n$TTL 60\n@ SOA ns1 hostmaster " + serial + " 7200 3600 1209600 300\n"
                + "@ NS ns1\nns1 A 192.0.2.53\nwww A " + address + "\n";
    }

    private static List<String> www(int port) {
        return ExternalTool.dig(port, "+short", "www.example.org").lines();
    }

    @Test
    void sighupServesTheNewVersionAndKeepsTheOldOneWhenTheNewIsRefused() throws Exception {
        Path file = dir.resolve("example.org.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--zone", file.toString(), "--log", "off")) {
            assertEquals(List.of("192.0.2.1"), www(server.port));

            Files.writeString(file, zone(2, "192.0.2.2"));
            reload(server);
            assertEquals(List.of("192.0.2.2"), www(server.port), "a new serial: the new version");

            Files.writeString(file, zone(2, "192.0.2.3"));
            reload(server);
            assertEquals(List.of("192.0.2.2"), www(server.port), "changed without a new serial: the old version");
            assertTrue(server.stderrText().contains("chivato: reload failed: " + file
                    + ": serial 2 did not increase though the zone changed (it was 2); the old version stays"),
                    server.stderrText());

            Files.writeString(file, zone(3, "192.0.2.999"));
            reload(server);
            assertEquals(List.of("192.0.2.2"), www(server.port), "an error: the old version");
            assertTrue(server.stderrText().contains("chivato: reload failed: " + file
                    + ":6: \"192.0.2.999\" is not"), server.stderrText());
            assertEquals(0, server.terminate(10));
        }
    }

    @Test
    void anUpstreamAnswerThatComesAfterAReloadDoesNotShadowTheNewData() throws Exception {
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "192.0.2.1 other.example.test\n");
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try (ForwardTest.FakeUpstream upstream = new ForwardTest.FakeUpstream((query, socket, from) -> {
                    asked.countDown();
                    answer.await(5, TimeUnit.SECONDS);
                    ForwardTest.FakeUpstream.send(socket, from, ForwardTest.FakeUpstream.answer(query, "198.51.100.9"));
                });
                ServerProcess server = ServerProcess.start(dir, List.of(), "--records", hosts.toString(), "--forward",
                        "127.0.0.1:" + upstream.address().getPort(), "--log", "off")) {
            CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() ->
                    ExternalTool.dig(server.port, "+short", "new.example.test").lines());
            assertTrue(asked.await(5, TimeUnit.SECONDS), "the question went upstream");
            Files.writeString(hosts, "192.0.2.1 other.example.test\n192.0.2.7 new.example.test\n");
            server.signal("HUP");
            Wait.until(Duration.ofSeconds(5), () -> server.stderrText().contains("chivato: reloaded"), "the reload");
            answer.countDown();
            assertEquals(List.of("198.51.100.9"), first.get(5, TimeUnit.SECONDS), "asked before: the upstream's");
            assertEquals(List.of("192.0.2.7"), ExternalTool.dig(server.port, "+short", "new.example.test").lines(),
                    "asked after: our new data, not the upstream's answer that came after the reload");
            assertEquals(0, server.terminate(10));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void theReloadEntrysRecordCountIsTheOneStderrStates() throws Exception {
        Path file = dir.resolve("example.org.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "192.0.2.7 host.example.test\n");
        Path log = dir.resolve("log.json");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--zone", file.toString(), "--records",
                hosts.toString(), "--log", "json", "--log-file", log.toString())) {
            Files.writeString(file, zone(2, "192.0.2.2"));
            server.signal("HUP");
            Wait.until(Duration.ofSeconds(5), () -> Files.exists(log) && read(log).contains("\"kind\":\"reload\""),
                    "the reload's entry");
            String entry = read(log).strip();
            java.util.regex.Matcher logged = java.util.regex.Pattern.compile("\"records\":(\\d+)").matcher(entry);
            assertTrue(entry.contains("\"kind\":\"reload\"") && logged.find(), entry);
            Wait.until(Duration.ofSeconds(5), () -> server.stderrText().contains("records in all"), "the line");
            assertTrue(server.stderrText().contains("; " + logged.group(1) + " records in all"),
                    entry + "\n" + server.stderrText());
            assertEquals(0, server.terminate(10));
        }
    }

    @Test
    void metricsCountReloadsAndShowEachZonesSerial() throws Exception {
        Path file = dir.resolve("example.org.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        int metricsPort = Nsd.freePort();
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--zone", file.toString(), "--log", "off",
                "--metrics", "127.0.0.1:" + metricsPort)) {
            assertTrue(MetricsTest.scrape(metricsPort).contains("chivato_zone_serial{zone=\"example.org.\"} 1.0"));
            Files.writeString(file, zone(2, "192.0.2.2"));
            reload(server);
            Files.writeString(file, zone(2, "192.0.2.3")); // changed, same serial: refused
            reload(server);
            String exposition = MetricsTest.scrape(metricsPort);
            assertTrue(exposition.contains("chivato_zone_serial{zone=\"example.org.\"} 2.0"), exposition);
            assertTrue(exposition.contains("chivato_reloads_total{result=\"ok\"} 1.0"), exposition);
            assertTrue(exposition.contains("chivato_reloads_total{result=\"failed\"} 1.0"), exposition);
            assertEquals(0, server.terminate(10));
        }
    }

    @Test
    void watchSeesAnEditOfTheSameSizeAndAFileReplacedByRename() throws Exception {
        Path file = dir.resolve("example.org.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--zone", file.toString(), "--watch", "0.2",
                "--log", "off")) {
            assertEquals(List.of("192.0.2.1"), www(server.port));
            Files.writeString(file, zone(2, "192.0.2.2")); // same size, same second
            assertEventually(server.port, "192.0.2.2");
            Path replacement = dir.resolve("replacement");
            Files.writeString(replacement, zone(3, "192.0.2.3"));
            Files.move(replacement, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertEventually(server.port, "192.0.2.3");
            assertEquals(0, server.terminate(10));
        }
    }

    @Test
    void watchSeesAnEditOfAnIncludedFile() throws Exception {
        Path file = dir.resolve("example.org.zone");
        Files.writeString(file, "$INCLUDE body.inc\n");
        Files.writeString(dir.resolve("body.inc"), zone(1, "192.0.2.1"));
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--zone", file.toString(), "--watch", "0.2",
                "--log", "off")) {
            assertEquals(List.of("192.0.2.1"), www(server.port));
            Files.writeString(dir.resolve("body.inc"), zone(2, "192.0.2.2"));
            assertEventually(server.port, "192.0.2.2");
            assertEquals(0, server.terminate(10));
        }
    }

    private static void assertEventually(int port, String address) throws InterruptedException {
        Wait.within(Duration.ofSeconds(5), () -> www(port).equals(List.of(address)));
        assertEquals(List.of(address), www(port));
    }

    /** SIGHUP, and waits until the server has said how the reload went (each reload says one line or more). */
    private static void reload(ServerProcess server) throws InterruptedException {
        long said = server.stderrText().lines().filter(l -> l.startsWith("chivato: reload")).count();
        server.signal("HUP");
        Wait.until(Duration.ofSeconds(10), () -> server.stderrText().lines()
                .filter(l -> l.startsWith("chivato: reload")).count() > said, "the reload's line");
    }

    @Test
    void aZoneThatDidNotChangeKeepsTheVersionServedAndAChangedOneIsReplaced() throws Exception {
        Path same = dir.resolve("example.org.zone");
        Files.writeString(same, zone(1, "192.0.2.1"));
        Path other = dir.resolve("example.net.zone");
        Files.writeString(other, zone(1, "192.0.2.1").replace("example.org", "example.net"));
        DataSources sources = new DataSources(List.of(), List.of(), List.of(same.toString(), other.toString()), 300,
                false, Optional.empty());
        sources.load();
        List<dev.chivato.server.data.ZoneFile.Zone> before = sources.zones();
        Files.writeString(other, zone(2, "192.0.2.2").replace("example.org", "example.net"));
        assertTrue(sources.reload().report().failures().isEmpty());
        List<dev.chivato.server.data.ZoneFile.Zone> after = sources.zones();
        assertTrue(before.get(0) == after.get(0), "the unchanged zone is the same table: versions share it");
        assertTrue(before.get(1) != after.get(1), "the changed zone is the new version");
        assertEquals(2, after.get(1).serial());
    }

    @Test
    void aChangedZoneSharesWithItsOldVersionWhatDidNotChange() throws Exception {
        Path file = dir.resolve("example.org.zone");
        StringBuilder hosts = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            hosts.append("host").append(i).append(" A 10.0.").append(i >> 8 & 255).append('.').append(i & 255)
                    .append('\n');
        }
        Files.writeString(file, zone(1, "192.0.2.1") + hosts);
        DataSources sources = new DataSources(List.of(), List.of(), List.of(file.toString()), 300, false,
                Optional.empty());
        sources.load();
        dev.chivato.server.data.ZoneFile.Zone before = sources.zones().get(0);
        Files.writeString(file, zone(2, "192.0.2.2") + hosts);
        assertTrue(sources.reload().report().failures().isEmpty());
        dev.chivato.server.data.ZoneFile.Zone after = sources.zones().get(0);
        assertEquals(2, after.serial());
        assertTrue(after.pages() > 10 && after.pagesSharedWith(before) >= after.pages() - 2,
                after.pagesSharedWith(before) + " of " + after.pages() + " pages held once for both versions");
    }

    /** The watch driven look by look: a zone caught half-written is not served until it stays the same a look. */
    @Test
    void watchServesAChangedZoneOnlyOnceItStaysTheSameForALook() throws Exception {
        Path file = dir.resolve("example.org.zone");
        Files.writeString(file, zone(1, "192.0.2.1") + "mail A 192.0.2.25\n");
        DataSources sources = new DataSources(List.of(), List.of(), List.of(file.toString()), 300, false,
                Optional.empty());
        Service service = new Service(sources.load(), QueryLog.off());
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (Reloader reloader = new Reloader(sources, service, QueryLog.off(), warnings::add)) {
            reloader.startWatching();
            Files.writeString(file, zone(2, "192.0.2.2")); // half of it: the new serial, mail not yet written
            reloader.look();
            assertEquals(1, sources.serials().get("example.org."), "not served while it may be half-written");
            Files.writeString(file, zone(2, "192.0.2.2") + "mail A 192.0.2.25\n");
            reloader.look();
            assertEquals(1, sources.serials().get("example.org."), "it changed again since the last look");
            reloader.look();
            assertEquals(2, sources.serials().get("example.org."), "whole: the same for a look");
            assertTrue(service.version().handle(dev.chivato.protocol.Message.query(1, false,
                    dev.chivato.protocol.Question.of("mail.example.org", dev.chivato.protocol.RRType.A),
                    Optional.empty()), dev.chivato.server.core.Transport.UDP).response().orElseThrow().answers()
                    .size() == 1, "the whole zone is served");
            assertTrue(warnings.stream().noneMatch(w -> w.contains("failed")), warnings.toString());
        }
    }

    /** A reload that fails on the watch's thread (here: saying it did) is said, and the watch goes on. */
    @Test
    void aFailureInsideTheWatchIsSaidAndTheWatchGoesOn() throws Exception {
        Path file = dir.resolve("example.org.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        DataSources sources = new DataSources(List.of(), List.of(), List.of(file.toString()), 300, false,
                Optional.empty());
        List<String> warnings = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.Consumer<String> failingOnce = line -> {
            warnings.add(line);
            if (line.startsWith("chivato: reloaded") && failed.compareAndSet(false, true)) {
                throw new IllegalStateException("injected");
            }
        };
        try (Reloader reloader = new Reloader(sources, new Service(sources.load(), QueryLog.off()), QueryLog.off(),
                failingOnce)) {
            reloader.watch(java.time.Duration.ofMillis(50));
            Wait.until(java.time.Duration.ofSeconds(10), () -> reloader.checksumsComputed() > 0,
                    "the watch has seen the files as they are");
            Files.writeString(file, zone(2, "192.0.2.2"));
            Wait.until(java.time.Duration.ofSeconds(10), () -> warnings.stream()
                    .anyMatch(w -> w.startsWith("chivato: reload failed") && w.contains("injected")),
                    "the failure said");
            Files.writeString(file, zone(3, "192.0.2.3"));
            Wait.until(java.time.Duration.ofSeconds(10), () -> sources.serials().get("example.org.") == 3,
                    "the next change reloaded: the watch went on");
        }
    }

    @Test
    void watchDoesNotReadAnUnchangedFileAtEachLook() throws Exception {
        Path file = dir.resolve("example.org.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()
                - 3_600_000));
        DataSources sources = new DataSources(List.of(), List.of(), List.of(file.toString()), 300, false,
                Optional.empty());
        try (Reloader reloader = new Reloader(sources, new Service(sources.load(), QueryLog.off()), QueryLog.off(),
                line -> { })) {
            reloader.startWatching();
            long first = reloader.checksumsComputed();
            for (int i = 0; i < 20; i++) {
                reloader.look();
            }
            assertEquals(first, reloader.checksumsComputed(), "its size, time and identity did not change");
        }
    }

    @Test
    void everyAnswerComesWhollyFromOneVersionWhileTheDataIsReloadedAHundredTimes() throws Exception {
        Path file = dir.resolve("example.org.zone");
        Files.writeString(file, zone(1, "192.0.2.1"));
        DataSources sources = new DataSources(List.of(), List.of(), List.of(file.toString()), 300, false,
                Optional.empty());
        List<String> warnings = new CopyOnWriteArrayList<>();
        Service service = new Service(sources.load(), QueryLog.off(), warnings::add);
        Server server = Server.start(TestServer.config(), service);
        Reloader reloader = new Reloader(sources, service, QueryLog.off(), warnings::add);
        List<String> wrong = new CopyOnWriteArrayList<>();
        int[] asked = new int[1];
        int[] answered = new int[1];
        Thread client = new Thread(() -> {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.setSoTimeout(2000);
                byte[] buffer = new byte[512];
                for (int i = 0; i < 20_000 && !Thread.currentThread().isInterrupted(); i++) {
                    byte[] query = Message.query(i & 0xffff, false, Question.of("www.example.org", RRType.A),
                            Optional.empty()).toWire();
                    socket.send(new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(),
                            server.udpAddress().getPort()));
                    asked[0]++;
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    try {
                        socket.receive(packet);
                    } catch (SocketTimeoutException lost) {
                        wrong.add("query " + i + " unanswered");
                        continue;
                    }
                    answered[0]++;
                    Message answer = Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
                    String data = answer.answers().isEmpty() ? "none" : answer.answers().get(0).data().toString();
                    if (!Set.of("192.0.2.1", "192.0.2.2").contains(data) || answer.answers().size() != 1) {
                        wrong.add("query " + i + ": " + answer);
                    }
                }
            } catch (Exception e) {
                wrong.add(e.toString());
            }
        });
        try {
            client.start();
            for (int i = 2; i <= 101; i++) {
                Files.writeString(file, zone(i, i % 2 == 0 ? "192.0.2.2" : "192.0.2.1"));
                LogEntry.Reload report = reloader.reload();
                assertTrue(report.failures().isEmpty(), report.failures().toString());
                Thread.sleep(5); // the pace of the reloads: the client asks many times between two
            }
        } finally {
            client.join(60_000);
            client.interrupt();
            reloader.close();
            server.close();
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " wrong of " + asked[0] + ": " + wrong.subList(0,
                Math.min(5, wrong.size())));
        assertEquals(asked[0], answered[0], "nothing lost");
        assertFalse(asked[0] == 0);
    }
}
