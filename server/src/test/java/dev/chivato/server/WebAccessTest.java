package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's defences, over plain HTTP without a browser: a foreign Host header (DNS rebinding), a change without this
 * start's token or from another origin (CSRF), a read-only page asked to save, a body too large, more pages than the
 * bound; and a page that stops reading, which loses its own lines while every query is still answered.
 */
class WebAccessTest {
    @TempDir
    static Path dir;
    private static WebPages pages;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        pages = WebPages.start(dir);
        Matcher meta = Pattern.compile("chivato-token\" content=\"([0-9a-f]+)\"").matcher(get("/").body);
        assertTrue(meta.find());
        token = meta.group(1);
    }

    @AfterAll
    static void stop() {
        pages.server.close();
    }

    record Response(int status, String body) {
    }

    /** One request on a new connection, its head written as given. */
    static Response request(String head, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", pages.webPort)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            byte[] octets = body.getBytes(StandardCharsets.UTF_8);
            out.write((head + "Content-Length: " + octets.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(octets);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            int bodyStart = response.indexOf("\r\n\r\n");
            return new Response(status, bodyStart < 0 ? "" : response.substring(bodyStart + 4));
        }
    }

    static Response get(String path) throws IOException {
        return request("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + pages.webPort + "\r\n", "");
    }

    static Response post(String path, String extraHeaders, String body) throws IOException {
        return request("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + pages.webPort + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n" + extraHeaders, body);
    }

    @Test
    void aForeignHostHeaderIsRefused() throws IOException {
        Response response = request("GET /api/stats HTTP/1.1\r\nHost: rebound.example:" + pages.webPort + "\r\n",
                "");
        assertEquals(403, response.status());
        assertTrue(response.body().contains("DNS rebinding"), response.body());
    }

    @Test
    void localhostIsOurOwnName() throws IOException {
        assertEquals(200, request("GET /api/stats HTTP/1.1\r\nHost: localhost:" + pages.webPort + "\r\n", "")
                .status());
    }

    @Test
    void aChangeWithoutTheTokenIsRefused() throws IOException {
        assertEquals(403, post("/api/ask", "", "name=example.com&type=A").status());
        assertEquals(403, post("/api/ask", "X-Chivato-Token: 00112233445566778899aabbccddeeff\r\n",
                "name=example.com&type=A").status());
    }

    @Test
    void aChangeFromAnotherOriginIsRefused() throws IOException {
        Response response = post("/api/ask", "X-Chivato-Token: " + token + "\r\nOrigin: http://evil.example\r\n",
                "name=example.com&type=A");
        assertEquals(403, response.status());
        assertEquals(403, post("/api/ask", "X-Chivato-Token: " + token + "\r\nSec-Fetch-Site: cross-site\r\n",
                "name=example.com&type=A").status());
    }

    @Test
    void aChangeWithTheTokenFromOurOriginIsDone() throws IOException {
        Response response = post("/api/ask", "X-Chivato-Token: " + token + "\r\nOrigin: http://127.0.0.1:"
                + pages.webPort + "\r\n", "name=example.com&type=A");
        assertEquals(200, response.status(), response.body());
        assertTrue(response.body().contains("1.2.3.4"), response.body());
    }

    @Test
    void aReadOnlyPageRefusesToSave() throws IOException {
        Response response = post("/api/records", "X-Chivato-Token: " + token + "\r\n", "id=zone-0&text=x");
        assertEquals(403, response.status());
        assertTrue(response.body().contains("--web-edit"), response.body());
    }

    @Test
    void askRefusesAServerTheOperatorDidNotAllow() throws IOException {
        Response response = post("/api/ask", "X-Chivato-Token: " + token + "\r\n",
                "name=example.com&type=A&server=192.0.2.1:53");
        assertEquals(400, response.status());
        assertTrue(response.body().contains("--web-ask"), response.body());
    }

    @Test
    void aBodyOverTheBoundIsRefusedBeforeItIsRead() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", pages.webPort)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1:" + pages.webPort
                    + "\r\nX-Chivato-Token: " + token + "\r\nContent-Length: " + (5 << 20) + "\r\n\r\nname=x")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", response);
        }
    }

    /** Opens the live feed and never reads it. */
    private static Socket stalledPage() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", pages.webPort));
        socket.getOutputStream().write(("GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:" + pages.webPort + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    @Test
    void morePagesThanTheBoundAreToldToCloseOne() throws Exception {
        List<Socket> open = new ArrayList<>();
        Wait.until(Duration.ofSeconds(10), () -> openPages() == 0, "the pages of other tests gone");
        try {
            for (int i = 0; i < 8; i++) {
                open.add(stalledPage());
            }
            Wait.until(Duration.ofSeconds(5), () -> openPages() == 8, "eight pages following the feed");
            Response ninth = get("/api/live");
            assertEquals(503, ninth.status());
            assertTrue(ninth.body().contains("close one"), ninth.body());
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    /** How many pages the server counts as following the feed. */
    private static int openPages() {
        try {
            Matcher pages = Pattern.compile("\"pages\":(\\d+)").matcher(get("/api/stats").body());
            return pages.find() ? Integer.parseInt(pages.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void aPageThatStopsReadingDoesNotStopTheAnswers() throws Exception {
        Wait.until(Duration.ofSeconds(10), () -> openPages() == 0, "the pages of other tests gone");
        try (Socket stalled = stalledPage()) {
            Wait.until(Duration.ofSeconds(5), () -> openPages() == 1, "the stalled page following the feed");
            assertTrue(stalled.isConnected());
            UdpFlood.Result flood = UdpFlood.run("127.0.0.1", pages.server.port, "example.com", "A", 5_000, 3);
            assertEquals(flood.sent(), flood.answered(), "every query answered while the page stalls");
            assertTrue(get("/api/stats").body().contains("\"droppedByFeed\":0"), "the feed itself kept up");
        }
    }
}
