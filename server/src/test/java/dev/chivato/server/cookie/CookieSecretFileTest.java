package dev.chivato.server.cookie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Hex;
import dev.chivato.server.core.FileProblem;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CookieSecretFileTest {
    @TempDir
    Path directory;

    private Path file(String text) throws IOException {
        return Files.writeString(directory.resolve("cookie.secret"), text);
    }

    @Test
    void theFirstLineIsTheSecretAndTheSecondThePreviousOne() throws Exception {
        String current = "e5e973e5a6b2a43f48e7dc849e37bfcf";
        String previous = "dd3bdf9344b678b185a6f5cb60fca715";
        ServerCookies cookies = CookieSecretFile.read(file("# rolled over on Tuesday\n" + current + "\n\n"
                + previous.toUpperCase() + "\n"), line -> { });
        InetAddress client = InetAddress.getByName("192.0.2.1");
        byte[] clientCookie = Hex.parse("2464c4abcf10c957");
        assertEquals(Hex.format(new ServerCookies(Hex.parse(current), null).serverCookie(clientCookie, client, 9)),
                Hex.format(cookies.serverCookie(clientCookie, client, 9)), "cookies are made with the first");
    }

    @Test
    void aLineThatIsNot32HexDigitsIsRefusedAtItsLineWithoutRepeatingIt() throws IOException {
        FileProblem problem = assertThrows(FileProblem.class, () -> CookieSecretFile.read(file("\n"
                + "e5e973e5a6b2a43f48e7dc849e37bfc\n"), line -> { }));
        assertTrue(problem.getMessage().startsWith(directory.resolve("cookie.secret") + ":2: not a 128-bit secret"),
                problem.getMessage());
        assertTrue(!problem.getMessage().contains("e5e973"), "the secret is not echoed");
    }

    @Test
    void aThirdSecretIsRefused() throws IOException {
        String secret = "e5e973e5a6b2a43f48e7dc849e37bfcf\n";
        FileProblem problem = assertThrows(FileProblem.class, () -> CookieSecretFile.read(file(secret + secret
                + secret), line -> { }));
        assertTrue(problem.getMessage().contains(":3: a third secret"), problem.getMessage());
    }

    @Test
    void aFileWithoutASecretSaysHowToMakeOne() throws IOException {
        FileProblem problem = assertThrows(FileProblem.class, () -> CookieSecretFile.read(file("# nothing\n"),
                line -> { }));
        assertTrue(problem.getMessage().contains("openssl rand -hex 16"), problem.getMessage());
    }

    @Test
    void aSecretOthersMayReadIsUsedWithAWarning() throws Exception {
        Path secret = file("e5e973e5a6b2a43f48e7dc849e37bfcf\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        List<String> warnings = new ArrayList<>();
        CookieSecretFile.read(secret, warnings::add);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("chmod 600"), warnings.get(0));
    }
}
