package dev.chivato.server.cookie;

import dev.chivato.protocol.Hex;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.core.TextFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cookie secret file ({@code --cookie-secret}): the 128-bit secret as 32 hex digits on one line, and optionally
 * the previous secret on a second line, still accepted while clients move to the new one (BIND's
 * {@code cookie-secret} takes the same hex). Blank lines and {@code #} comments aside.
 */
public final class CookieSecretFile {
    /** Two lines of 32 digits and some comments: anything much longer is not a secret file. */
    static final long MAX_OCTETS = 64 * 1024;

    private CookieSecretFile() {
    }

    public static ServerCookies read(Path file, java.util.function.Consumer<String> warnings) throws FileProblem {
        TextFiles.requireRegular(file, MAX_OCTETS);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FileProblem(file + ": cannot read the cookie secret: " + e.getMessage());
        }
        List<byte[]> secrets = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + ":" + (i + 1);
            if (secrets.size() == 2) {
                throw new FileProblem(where + ": a third secret; the file holds the secret and, on a second line, "
                        + "the previous one");
            }
            secrets.add(parse(line, where));
        }
        if (secrets.isEmpty()) {
            throw new FileProblem(file + ": no secret (expected 32 hex digits, as `openssl rand -hex 16` prints)");
        }
        TextFiles.warnIfOthersMayRead(file, warnings);
        return new ServerCookies(secrets.get(0), secrets.size() > 1 ? secrets.get(1) : null);
    }

    static byte[] parse(String line, String where) throws FileProblem {
        if (!line.matches("[0-9A-Fa-f]{32}")) {
            // the line may be the secret, mistyped: it is not repeated
            throw new FileProblem(where + ": not a 128-bit secret (expected 32 hex digits, as `openssl rand -hex 16`"
                    + " prints; got " + line.length() + " characters)");
        }
        return Hex.parse(line);
    }
}
