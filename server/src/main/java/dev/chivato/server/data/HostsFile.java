package dev.chivato.server.data;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.core.TextFiles;
import dev.chivato.server.log.Problems;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The records format, as in /etc/hosts: {@code ADDRESS NAME [NAME...]} per line, IPv4 or IPv6, {@code #} starting a
 * comment. A line that cannot be read stops everything with {@code SOURCE:LINE: reason}.
 */
public final class HostsFile {
    /** The largest records file read (an ad-block list of millions of names is a few hundred MiB). */
    static final long MAX_OCTETS = 1L << 30;

    private HostsFile() {
    }

    public static List<HostEntry> read(Path file) throws FileProblem {
        List<HostEntry> entries = new ArrayList<>();
        read(file, entries::add);
        return entries;
    }

    /** Reads a hosts file line by line, handing each entry over as it is read. */
    public static void read(Path file, Consumer<HostEntry> entries) throws FileProblem {
        TextFiles.requireRegular(file, MAX_OCTETS);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = TextFiles.readLine(reader, file.toString(), line + 1)) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1); // a byte order mark, as some editors write: not part of the text
                }
                parseLine(file.toString(), line, text).ifPresent(entries);
            }
        } catch (MalformedInputException e) {
            throw new FileProblem(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new FileProblem(file + ": cannot read: " + Problems.describe(e));
        }
    }

    /** One line; empty for a blank or comment-only line. */
    public static Optional<HostEntry> parseLine(String source, int line, String text)
            throws FileProblem {
        int hash = text.indexOf('#');
        String content = (hash >= 0 ? text.substring(0, hash) : text).strip();
        if (content.isEmpty()) {
            return Optional.empty();
        }
        List<String> fields = fields(content);
        if (fields.size() < 2) {
            throw new FileProblem(source, line, "\"" + content + "\" needs an address and at least one name");
        }
        RData address;
        try {
            address = fields.get(0).contains(":") ? RData.AAAA.parse(fields.get(0)) : RData.A.parse(fields.get(0));
        } catch (IllegalArgumentException e) {
            throw new FileProblem(source, line, e.getMessage() + addressLater(fields));
        }
        List<Name> names = new ArrayList<>();
        for (int i = 1; i < fields.size(); i++) {
            try {
                Name name = Name.parse(fields.get(i));
                if (name.isRoot()) {
                    throw new IllegalArgumentException("the root cannot have an address");
                }
                names.add(name);
            } catch (IllegalArgumentException e) {
                throw new FileProblem(source, line, "name \"" + fields.get(i) + "\": " + e.getMessage());
            }
        }
        return Optional.of(new HostEntry(address, names));
    }

    /** When a later word is an address: the hint that the address comes first. */
    private static String addressLater(List<String> fields) {
        for (int i = 1; i < fields.size(); i++) {
            try {
                String word = fields.get(i);
                RData address = word.contains(":") ? RData.AAAA.parse(word) : RData.A.parse(word);
                return "; the address comes first: \"" + address + " " + fields.get(0) + "\"";
            } catch (IllegalArgumentException e) {
                // not an address either
            }
        }
        return "";
    }

    /** The words of a line, split at blanks (white space as {@code \\s} counts it). */
    private static List<String> fields(String content) {
        List<String> fields = new ArrayList<>(4);
        int i = 0;
        while (i < content.length()) {
            while (i < content.length() && isBlank(content.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < content.length() && !isBlank(content.charAt(i))) {
                i++;
            }
            if (i > start) {
                fields.add(content.substring(start, i));
            }
        }
        return fields;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }
}
