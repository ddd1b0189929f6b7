package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.core.Transport;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.dnstap.TapSink;
import dev.chivato.server.metrics.Metrics;
import dev.chivato.server.metrics.MetricsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --metrics}: what a scrape says after a known set of queries, and promtool's view of it. */
class MetricsTest {
    @TempDir
    Path dir;

    private static String scrape(MetricsServer http) throws Exception {
        return scrape(http.getPort());
    }

    /** What {@code /metrics} on this loopback port says now. */
    static String scrape(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static String scrapeOrEmpty(MetricsServer http) {
        try {
            return scrape(http);
        } catch (Exception | AssertionError e) {
            return "";
        }
    }

    /** Whether a scrape of this port is answered now. */
    private static boolean scrapes(int port) {
        try {
            return scrape(port).contains("# HELP chivato_");
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    private void assertPromtoolAccepts(String exposition) throws Exception {
        ExternalTool.require("promtool");
        Path file = dir.resolve("metrics.txt");
        Files.writeString(file, exposition);
        ExternalTool.Result lint = ExternalTool.run("sh", "-c", "promtool check metrics < " + file);
        assertEquals(0, lint.exitCode(), lint.stdout() + lint.stderr());
    }

    private static List<String> samples(String exposition, String prefix) {
        return exposition.lines().filter(l -> l.startsWith(prefix)).sorted().toList();
    }

    @Test
    void afterKnownQueriesTheCountersSayWhatWasSent() throws Exception {
        Metrics metrics = new Metrics();
        try (TestServer server = TestServer.startCounting(metrics)) {
            metrics.watch(server.log);
            MetricsServer http = metrics.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                ExternalTool.dig(server.port(), "+short", "example.com");
                ExternalTool.dig(server.port(), "+short", "example.com");
                ExternalTool.dig(server.port(), "+short", "-x", "1.2.3.5");
                ExternalTool.dig(server.port(), "+short", "nowhere.example", "MX");
                ExternalTool.dig(server.port(), "+short", "+tcp", "example.com");
                ExternalTool.dig(server.port(), "+short", "example.com", "TYPE65000");
                String exposition = scrape(http);
                assertEquals(List.of(
                        "chivato_dns_requests_total{proto=\"tcp\",type=\"A\"} 1.0",
                        "chivato_dns_requests_total{proto=\"udp\",type=\"A\"} 2.0",
                        "chivato_dns_requests_total{proto=\"udp\",type=\"MX\"} 1.0",
                        "chivato_dns_requests_total{proto=\"udp\",type=\"PTR\"} 1.0",
                        "chivato_dns_requests_total{proto=\"udp\",type=\"other\"} 1.0"),
                        samples(exposition, "chivato_dns_requests_total"));
                assertEquals(List.of(
                        "chivato_dns_responses_total{rcode=\"NOERROR\"} 5.0",
                        "chivato_dns_responses_total{rcode=\"NXDOMAIN\"} 1.0"),
                        samples(exposition, "chivato_dns_responses_total"));
                assertEquals(List.of(
                        "chivato_dns_request_duration_seconds_count{proto=\"tcp\"} 1",
                        "chivato_dns_request_duration_seconds_count{proto=\"udp\"} 5"),
                        samples(exposition, "chivato_dns_request_duration_seconds_count"));
                assertTrue(exposition.contains("chivato_dns_request_size_bytes_bucket{proto=\"udp\",le=\"100.0\"} 5"),
                        exposition);
                assertTrue(exposition.contains("jvm_memory_used_bytes"), "the JVM's metrics too");
                assertTrue(exposition.contains("chivato_log_entries_lost_total{reason=\"dropped\"} 0.0")
                        && exposition.contains("chivato_log_queue{unit=\"entries\"}"), exposition);
                assertTrue(exposition.contains("chivato_tcp_connections_opened_total 1.0"), exposition);
                // the server sees dig's close a moment after dig has its answer
                Wait.within(java.time.Duration.ofSeconds(2), () -> scrapes(http.getPort()) && scrapeOrEmpty(http)
                        .contains("chivato_tcp_connections_closed_total{reason=\"client\"} 1.0"));
                assertTrue(scrape(http).contains("chivato_tcp_connections_closed_total{reason=\"client\"} 1.0"));
                assertPromtoolAccepts(exposition);
            } finally {
                http.stop();
            }
        }
    }

    @Test
    void rateLimitedAnswersAreCountedByWhatBecameOfThem() throws Exception {
        Metrics metrics = new Metrics();
        metrics.rateLimited(false);
        metrics.rateLimited(false);
        metrics.rateLimited(true);
        MetricsServer http = metrics.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try {
            String exposition = scrape(http);
            assertEquals(List.of("chivato_rrl_responses_total{action=\"dropped\"} 2.0",
                    "chivato_rrl_responses_total{action=\"slipped\"} 1.0"),
                    samples(exposition, "chivato_rrl_responses_total"));
            assertPromtoolAccepts(exposition);
        } finally {
            http.stop();
        }
    }

    @Test
    void theDnstapQueueAndItsFramesAreCounted() throws Exception {
        Metrics metrics = new Metrics();
        TapSink dnstap = TapSink.open("file:" + dir.resolve("t.dnstap"), "test", "chivato test", line -> { });
        metrics.watch(dnstap);
        MetricsServer http = metrics.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try {
            InetSocketAddress client = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
            for (int i = 0; i < 3; i++) {
                dnstap.offer(new DnstapEvent(DnstapEvent.Role.AUTH, Transport.UDP, client, client, 0, 0,
                        new byte[12], new byte[12]));
            }
            dnstap.close();
            String exposition = scrape(http);
            assertEquals(List.of(
                    "chivato_dnstap_frames_total{result=\"dropped\"} 0.0",
                    "chivato_dnstap_frames_total{result=\"lost\"} 0.0",
                    "chivato_dnstap_frames_total{result=\"written\"} 6.0"),
                    samples(exposition, "chivato_dnstap_frames_total"));
            assertEquals(List.of(
                    "chivato_dnstap_queue{unit=\"bytes\"} 0.0",
                    "chivato_dnstap_queue{unit=\"events\"} 0.0"),
                    samples(exposition, "chivato_dnstap_queue"));
            assertPromtoolAccepts(exposition);
        } finally {
            http.stop();
        }
    }

    /** Clients trickling their headers a byte every half second hold no thread for ever: scrapes go on. */
    @Test
    void clientsTricklingTheirHeadersDoNotBlindTheScrapes() throws Exception {
        MetricsServer http = new dev.chivato.server.metrics.Metrics().serve(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), 0));
        List<java.net.Socket> trickling = new java.util.ArrayList<>();
        java.util.concurrent.ScheduledExecutorService drip = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < 20; i++) {
                java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), http.getPort());
                socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nX".getBytes(StandardCharsets.US_ASCII));
                trickling.add(socket);
            }
            drip.scheduleAtFixedRate(() -> trickling.forEach(socket -> {
                try {
                    socket.getOutputStream().write('x');
                } catch (java.io.IOException closedByTheServer) {
                    // as it should be
                }
            }), 500, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                assertTrue(scrape(http).contains("# HELP chivato_"));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 8_000, "three scrapes took " + millis + " ms beside 20 trickling clients");
        } finally {
            drip.shutdownNow();
            for (java.net.Socket socket : trickling) {
                socket.close();
            }
            http.stop();
        }
    }

    /** A scraper that resets its connection, again and again, costs a count, never a stack trace on stderr. */
    @Test
    void aScrapeWhoseClientResetsPrintsNoStackTrace() throws Exception {
        int port = Nsd.freePort();
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--log", "off", "--metrics",
                "127.0.0.1:" + port)) {
            for (int i = 0; i < 50; i++) {
                try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                    socket.setSoLinger(true, 0);
                    socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                }
            }
            Wait.until(java.time.Duration.ofSeconds(10), () -> scrapes(port), "scrapes served again");
            assertEquals(0, server.terminate(10));
            String said = server.stderrText();
            assertTrue(!said.contains("Exception") && !said.contains("\tat "), said);
        }
    }

    /** Past its cap of connections, the one open longest makes room: idle clients cannot keep a scrape out. */
    @Test
    void idleConnectionsPastTheCapMakeRoomForAScrape() throws Exception {
        MetricsServer http = new Metrics().serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        List<java.net.Socket> idle = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                idle.add(new java.net.Socket(InetAddress.getLoopbackAddress(), http.getPort()));
            }
            assertTrue(scrape(http).contains("# HELP chivato_"));
        } finally {
            for (java.net.Socket socket : idle) {
                socket.close();
            }
            http.stop();
        }
    }
}
