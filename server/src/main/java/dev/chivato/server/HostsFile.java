package dev.chivato.server;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The records format, as in /etc/hosts: {@code ADDRESS NAME [NAME...]} per line, IPv4 or IPv6, {@code #} starting a
 * comment. A line that cannot be read stops everything with {@code SOURCE:LINE: reason}.
 */
public final class HostsFile {
    /** Where and why a records line was refused; the message is the one line a user sees. */
    public static final class RecordsException extends Exception {
        public RecordsException(String source, int line, String reason) {
            super(source + ":" + line + ": " + reason, null, false, false);
        }

        public RecordsException(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");

    private HostsFile() {
    }

    public static List<HostEntry> read(Path file) throws RecordsException {
        List<HostEntry> entries = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1); // a byte order mark, as some editors write: not part of the text
                }
                parseLine(file.toString(), line, text).ifPresent(entries::add);
            }
        } catch (MalformedInputException e) {
            throw new RecordsException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new RecordsException(file + ": cannot read: " + Problems.describe(e));
        }
        return entries;
    }

    /** One line; empty for a blank or comment-only line. */
    public static Optional<HostEntry> parseLine(String source, int line, String text)
            throws RecordsException {
        int hash = text.indexOf('#');
        String content = (hash >= 0 ? text.substring(0, hash) : text).strip();
        if (content.isEmpty()) {
            return Optional.empty();
        }
        String[] fields = WHITE_SPACE.split(content);
        if (fields.length < 2) {
            throw new RecordsException(source, line, "\"" + content + "\" needs an address and at least one name");
        }
        RData address;
        try {
            address = fields[0].contains(":") ? RData.AAAA.parse(fields[0]) : RData.A.parse(fields[0]);
        } catch (IllegalArgumentException e) {
            throw new RecordsException(source, line, e.getMessage());
        }
        List<Name> names = new ArrayList<>();
        for (int i = 1; i < fields.length; i++) {
            try {
                Name name = Name.parse(fields[i]);
                if (name.isRoot()) {
                    throw new IllegalArgumentException("the root cannot have an address");
                }
                names.add(name);
            } catch (IllegalArgumentException e) {
                throw new RecordsException(source, line, "name \"" + fields[i] + "\": " + e.getMessage());
            }
        }
        return Optional.of(new HostEntry(address, names));
    }
}
