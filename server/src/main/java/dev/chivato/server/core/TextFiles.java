package dev.chivato.server.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading the text files a user gives us (zones, records, keys, configuration) in bounded memory: only regular files
 * (a device such as {@code /dev/zero}, or a pipe, never ends), of a bounded size, line by line with a bounded line.
 */
public final class TextFiles {
    /** The longest line read from a records, key or configuration file. */
    public static final int MAX_LINE_CHARACTERS = 1 << 16;

    private TextFiles() {
    }

    /** Refuses anything but a regular file of at most {@code maxOctets}: {@code FILE: why}. */
    public static void requireRegular(Path file, long maxOctets) throws FileProblem {
        String why = whyNot(file, maxOctets);
        if (why != null) {
            throw new FileProblem(file + ": " + why);
        }
    }

    /** Why {@code file} is not one to read (missing, not a regular file, too large), or null when it is. */
    public static String whyNot(Path file, long maxOctets) {
        try {
            if (!Files.exists(file)) {
                return "cannot read: no such file or directory";
            }
            if (!Files.isRegularFile(file)) {
                return "not a regular file";
            }
            if (Files.size(file) > maxOctets) {
                return "larger than " + (maxOctets >> 20) + " MiB";
            }
            return null;
        } catch (IOException e) {
            return "cannot read: " + e.getMessage();
        }
    }

    /**
     * The next line of {@code reader} without its line end, or null at the end; a line longer than {@link
     * #MAX_LINE_CHARACTERS} is refused as {@code source:line}.
     */
    public static String readLine(BufferedReader reader, String source, int line) throws IOException, FileProblem {
        StringBuilder text = null;
        for (int c; (c = reader.read()) >= 0; ) {
            if (text == null) {
                text = new StringBuilder();
            }
            if (c == '\n') {
                break;
            }
            if (text.length() >= MAX_LINE_CHARACTERS) {
                throw new FileProblem(source, line, "a line longer than " + MAX_LINE_CHARACTERS + " characters");
            }
            text.append((char) c);
        }
        if (text == null) {
            return null;
        }
        int end = text.length();
        return end > 0 && text.charAt(end - 1) == '\r' ? text.substring(0, end - 1) : text.toString();
    }

    /** Says on {@code warnings} that {@code file}, which holds a secret, may be read by others (to chmod it). */
    public static void warnIfOthersMayRead(Path file, java.util.function.Consumer<String> warnings) {
        try {
            if (Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                warnings.accept("chivato: warning: " + file + " holds a secret and others may read it "
                        + "(chmod 600 it)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no POSIX permissions to look at
        }
    }
}
