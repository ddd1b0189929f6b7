package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --web-token}: every API request needs the bearer token; the page itself (code only) does not. */
class WebTokenTest {
    private static final String TOKEN = "k8Vx2qPz7LmN4wRt";
    @TempDir
    static Path dir;
    private static WebPages pages;

    @BeforeAll
    static void start() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        pages = WebPages.start(dir, "--web-token", file.toString());
    }

    @AfterAll
    static void stop() {
        pages.server.close();
    }

    /** The status of a GET with {@code extra} headers. */
    private static int status(String path, String extra) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", pages.webPort)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + pages.webPort + "\r\n"
                    + extra + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return Integer.parseInt(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)
                    .substring(9));
        }
    }

    @Test
    void theApiRefusesARequestWithoutTheToken() throws IOException {
        assertEquals(401, status("/api/stats", ""));
        assertEquals(401, status("/api/stats", "Authorization: Bearer wrong-token-0000\r\n"));
    }

    @Test
    void theApiAnswersARequestWithTheToken() throws IOException {
        assertEquals(200, status("/api/stats", "Authorization: Bearer " + TOKEN + "\r\n"));
        assertEquals(200, status("/api/live?token=" + TOKEN, ""), "an EventSource sends it in the URL");
    }

    @Test
    void thePageItselfLoadsAndSaysItNeedsTheToken() throws IOException {
        assertEquals(200, status("/", ""));
    }

    @Test
    void listeningBeyondLoopbackWithoutATokenIsAUsageError() {
        assertEquals(Main.EXIT_USAGE, Main.run("--web", "0.0.0.0:0", "--listen", "127.0.0.1:0"));
    }

    @Test
    void aShortTokenIsRefusedAtStart() throws Exception {
        Path file = Files.writeString(dir.resolve("short"), "abc\n");
        ServerProcess server = ServerProcess.launch(dir, java.util.List.of(), "--listen", "127.0.0.1:0", "--web",
                "127.0.0.1:0", "--web-token", file.toString());
        try {
            assertEquals(Main.EXIT_FAILURE, server.waitFor(30));
            assertTrue(server.stderrText().contains("shorter than 16 characters"), server.stderrText());
        } finally {
            server.close();
        }
    }
}
