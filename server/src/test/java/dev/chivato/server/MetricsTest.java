package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.core.Transport;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.dnstap.DnstapSink;
import dev.chivato.server.metrics.Metrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --metrics}: what a scrape says after a known set of queries, and promtool's view of it. */
class MetricsTest {
    @TempDir
    Path dir;

    private static String scrape(HTTPServer http) throws Exception {
        return scrape(http.getPort());
    }

    /** What {@code /metrics} on this loopback port says now. */
    static String scrape(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
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
            HTTPServer http = metrics.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
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
                for (int i = 0; i < 40 && !scrape(http).contains(
                        "chivato_tcp_connections_closed_total{reason=\"client\"} 1.0"); i++) {
                    Thread.sleep(50); // the server sees dig's close a moment after dig has its answer
                }
                assertTrue(scrape(http).contains("chivato_tcp_connections_closed_total{reason=\"client\"} 1.0"));
                assertPromtoolAccepts(exposition);
            } finally {
                http.stop();
            }
        }
    }

    @Test
    void theDnstapQueueAndItsFramesAreCounted() throws Exception {
        Metrics metrics = new Metrics();
        DnstapSink dnstap = DnstapSink.open("file:" + dir.resolve("t.dnstap"), "test", "chivato test", line -> { });
        metrics.watch(dnstap);
        HTTPServer http = metrics.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
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
}
