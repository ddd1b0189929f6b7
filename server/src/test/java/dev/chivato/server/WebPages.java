package dev.chivato.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server process with the page on ({@code --web 127.0.0.1:0}), over a records file and a zone of its own. */
final class WebPages {
    static final String ZONE = """
            $TTL 300
            @     SOA  ns.example.org. admin.example.org. 5 7200 900 1209600 300
                  NS   ns
                  MX   10 mail
                  MX   20 mail2
            ns    A    192.0.2.53
            mail  A    192.0.2.25
            mail2 A    192.0.2.26
            """;
    private static final Pattern PAGE = Pattern.compile("the page on http://127\\.0\\.0\\.1:(\\d+)/");

    final ServerProcess server;
    final int webPort;
    final Path zone;

    private WebPages(ServerProcess server, int webPort, Path zone) {
        this.server = server;
        this.webPort = webPort;
        this.zone = zone;
    }

    /** Starts one in {@code dir} with {@code extra} options beside --web. */
    static WebPages start(Path dir, String... extra) throws IOException, InterruptedException {
        Path records = Files.writeString(dir.resolve("hosts"), "1.2.3.4 example.com\n1.2.3.5 example.com example.my\n");
        Path zone = Files.writeString(dir.resolve("example.org.zone"), ZONE);
        List<String> args = new ArrayList<>(List.of("--records", records.toString(), "--zone",
                "example.org=" + zone, "--web", "127.0.0.1:0"));
        args.addAll(List.of(extra));
        ServerProcess server = ServerProcess.start(dir, List.of(), args.toArray(String[]::new));
        int[] port = {-1};
        Wait.until(Duration.ofSeconds(10), () -> {
            Matcher page = PAGE.matcher(server.stderrText());
            if (page.find()) {
                port[0] = Integer.parseInt(page.group(1));
            }
            return port[0] > 0;
        }, "the page's line on stderr");
        return new WebPages(server, port[0], zone);
    }

    String url() {
        return "http://127.0.0.1:" + webPort + "/";
    }
}
