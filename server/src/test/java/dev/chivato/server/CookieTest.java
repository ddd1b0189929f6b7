package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS Cookies as real clients and peers see them: dig and kdig, {@code --require-cookie}, and cookies made with a
 * shared secret accepted across chivato and BIND's named (RFC 9018's interoperable form).
 */
class CookieTest {
    private static final String SECRET = "e5e973e5a6b2a43f48e7dc849e37bfcf";
    private static final Pattern DIG_COOKIE = Pattern.compile("(?m)^; COOKIE: ([0-9a-f]{48}) \\(good\\)$");
    private static final String ZONE = """
            $ORIGIN cookies.example.
            $TTL 300
            @    SOA ns hostmaster 1 3600 600 86400 300
                 NS  ns
            ns   A   192.0.2.53
            www  A   192.0.2.80
            """;

    @TempDir
    Path dir;

    private Path zoneFile() throws Exception {
        return Files.writeString(dir.resolve("cookies.example.zone"), ZONE);
    }

    private Path secretFile() throws Exception {
        Path file = Files.writeString(dir.resolve("cookie.secret"), "# shared with named\n" + SECRET + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private ServerProcess chivato(String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--zone", zoneFile().toString(), "--cookie-secret",
                secretFile().toString()));
        args.addAll(List.of(more));
        return ServerProcess.start(dir, List.of(), args.toArray(String[]::new));
    }

    private static String status(ExternalTool.Result dig) {
        Matcher m = Pattern.compile("status: ([A-Z]+)").matcher(dig.stdout());
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    private static String cookie(ExternalTool.Result dig) {
        Matcher m = DIG_COOKIE.matcher(dig.stdout());
        assertTrue(m.find(), "a server cookie in dig's answer: " + dig.stdout());
        return m.group(1);
    }

    @Test
    void digsFirstAnswerCarriesAServerCookieAndSendingItBackShowsItGood() throws Exception {
        try (ServerProcess server = chivato()) {
            String cookie = cookie(ExternalTool.dig(server.port, "+cookie", "www.cookies.example"));
            ExternalTool.Result again = ExternalTool.dig(server.port, "+cookie=" + cookie, "www.cookies.example");
            assertEquals("NOERROR", status(again));
            assertEquals(cookie, cookie(again), "a cookie younger than half an hour goes back as it came");
        }
    }

    @Test
    void kdigGetsAServerCookieToo() throws Exception {
        try (ServerProcess server = chivato()) {
            ExternalTool.Result kdig = ExternalTool.run("kdig", "@127.0.0.1", "-p", Integer.toString(server.port),
                    "+cookie", "+time=2", "+retry=1", "www.cookies.example");
            assertTrue(kdig.stdout().matches("(?s).*;; COOKIE: [0-9A-F]{48}\\n.*"), kdig.stdout());
            assertTrue(kdig.stdout().contains("status: NOERROR"), kdig.stdout());
        }
    }

    @Test
    void aCookieOptionOfFourOctetsIsFormerr() throws Exception {
        try (ServerProcess server = chivato()) {
            ExternalTool.Result dig = ExternalTool.dig(server.port, "+nocookie", "+ednsopt=10:01020304",
                    "www.cookies.example");
            assertEquals("FORMERR", status(dig), dig.stdout());
        }
    }

    @Test
    void requiredCookiesGetDigBadcookieThenItRetriesWithTheCookieAndSucceeds() throws Exception {
        try (ServerProcess server = chivato("--require-cookie")) {
            ExternalTool.Result dig = ExternalTool.dig(server.port, "+cookie", "www.cookies.example");
            assertTrue(dig.stdout().contains(";; BADCOOKIE, retrying."), dig.stdout());
            assertEquals("NOERROR", status(dig));
            assertTrue(dig.stdout().contains("192.0.2.80"), dig.stdout());
            ExternalTool.Result once = ExternalTool.dig(server.port, "+cookie", "+nobadcookie", "www.cookies.example");
            assertEquals("BADCOOKIE", status(once));
            ExternalTool.Result overTcp = ExternalTool.dig(server.port, "+tcp", "+cookie", "+nobadcookie",
                    "www.cookies.example");
            assertEquals("NOERROR", status(overTcp), "TCP is never refused for a cookie");
        }
    }

    /** Two servers of a fleet, one secret: a cookie the first made is good at the second. */
    @Test
    void aCookieMadeByOneChivatoIsGoodAtAnotherWithTheSameSecret() throws Exception {
        try (ServerProcess first = chivato(); ServerProcess second = chivato("--require-cookie")) {
            String cookie = cookie(ExternalTool.dig(first.port, "+cookie", "www.cookies.example"));
            assertEquals("NOERROR", status(ExternalTool.dig(second.port, "+cookie=" + cookie, "+nobadcookie",
                    "www.cookies.example")));
            assertEquals("BADCOOKIE", status(ExternalTool.dig(second.port, "+cookie=" + cookie.substring(0, 47)
                    + (cookie.endsWith("0") ? "1" : "0"), "+nobadcookie", "www.cookies.example")), "one bit off");
        }
    }

    /** BIND with {@code cookie-algorithm siphash24} and the same secret accepts chivato's cookies, and back. */
    @Test
    void namedAndChivatoAcceptEachOthersCookiesWithTheSameSecret() throws Exception {
        Path namedDir = Files.createDirectory(dir.resolve("named"));
        try (ServerProcess chivato = chivato("--require-cookie");
                Named named = Named.start(namedDir, "cookies.example", zoneFile(), SECRET, true)) {
            String ours = cookie(ExternalTool.dig(chivato.port, "+cookie", "www.cookies.example"));
            assertEquals("NOERROR", status(ExternalTool.dig(named.port, "+cookie=" + ours, "+nobadcookie",
                    "www.cookies.example")), "named takes chivato's cookie");
            ExternalTool.Result first = ExternalTool.dig(named.port, "+cookie", "+nobadcookie", "www.cookies.example");
            assertEquals("BADCOOKIE", status(first), "named requires one too: the test can tell");
            String bind = cookie(first);
            assertEquals("NOERROR", status(ExternalTool.dig(chivato.port, "+cookie=" + bind, "+nobadcookie",
                    "www.cookies.example")), "chivato takes named's cookie");
        }
    }
}
