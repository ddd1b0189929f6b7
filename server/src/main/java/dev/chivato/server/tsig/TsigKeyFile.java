package dev.chivato.server.tsig;

import dev.chivato.protocol.Name;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.core.TextFiles;
import dev.chivato.server.tsig.TransactionSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * A TSIG key file ({@code --tsig-key}): one line {@code NAME ALGORITHM BASE64SECRET}, blank lines and {@code #}
 * comments aside, so that the secret never appears in {@code ps}. A file others may read is used, with a warning.
 */
public final class TsigKeyFile {
    /** A key file holds one line: anything much longer is not one. */
    static final long MAX_OCTETS = 64 * 1024;

    private TsigKeyFile() {
    }

    public static TransactionSignature.Key read(Path file, Consumer<String> warnings)
            throws FileProblem {
        List<String> lines;
        TextFiles.requireRegular(file, MAX_OCTETS);
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FileProblem(file + ": cannot read the key: " + e.getMessage());
        }
        TransactionSignature.Key key = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (key != null) {
                throw new FileProblem(file + ":" + (i + 1) + ": one key per file");
            }
            key = parse(line, file + ":" + (i + 1));
        }
        if (key == null) {
            throw new FileProblem(file + ": no key (expected NAME ALGORITHM BASE64SECRET)");
        }
        TextFiles.warnIfOthersMayRead(file, warnings);
        return key;
    }

    static TransactionSignature.Key parse(String line, String where) throws FileProblem {
        String[] fields = line.split("\\s+");
        if (fields.length != 3) {
            throw new FileProblem(where + ": expected NAME ALGORITHM BASE64SECRET, got "
                    + fields.length + " fields");
        }
        // A field may be the secret written in the wrong place: no message repeats a field that could be it.
        Name name;
        Name algorithm;
        try {
            name = Name.parse(fields[0]);
        } catch (IllegalArgumentException e) {
            throw new FileProblem(where + ": the first field is not a key name (expected NAME ALGORITHM "
                    + "BASE64SECRET, in that order)");
        }
        try {
            algorithm = Name.parse(fields[1].endsWith(".") ? fields[1] : fields[1] + ".");
        } catch (IllegalArgumentException e) {
            algorithm = null;
        }
        String shown = fields[1].matches("[A-Za-z0-9-]{1,16}") ? fields[1] : "in the second field";
        String jce = algorithm == null ? null : TransactionSignature.jceName(algorithm).orElse(null);
        if (jce == null) {
            throw new FileProblem(where + ": unknown algorithm " + shown + " (hmac-sha256, hmac-sha384, "
                    + "hmac-sha512, hmac-sha224 or hmac-sha1; NAME ALGORITHM BASE64SECRET, in that order)");
        }
        byte[] secret;
        try {
            secret = Base64.getDecoder().decode(fields[2]);
        } catch (IllegalArgumentException e) {
            throw new FileProblem(where + ": the third field, the secret, is not base64 (NAME ALGORITHM "
                    + "BASE64SECRET, in that order)");
        }
        if (secret.length == 0) {
            throw new FileProblem(where + ": the secret is empty");
        }
        return new TransactionSignature.Key(name, algorithm, jce, secret);
    }
}
