package dev.chivato.server.data;

import dev.chivato.server.core.FileProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What must hold for any zone text at all, shared by the jqwik property and the Jazzer fuzz target: it loads, or it
 * is refused with one {@link FileProblem} that says where ({@code SOURCE:LINE: reason}); nothing else escapes.
 */
final class ZoneFileChecks {
    /** Where a {@code $INCLUDE} of a relative path looks: an empty directory, so only absolute paths find files. */
    private static final Path NOWHERE = emptyDirectory();

    private ZoneFileChecks() {
    }

    static void check(String text) {
        try {
            ZoneFile.parse("fuzzed.zone", text, Optional.empty(), NOWHERE);
        } catch (FileProblem problem) {
            String message = problem.getMessage();
            if (!message.matches("(?s)[^\\n]+:\\d+: \\S.*") && !message.startsWith("fuzzed.zone: ")) {
                throw new AssertionError("a refusal that does not say where: " + message);
            }
        }
    }

    private static Path emptyDirectory() {
        try {
            Path directory = Files.createTempDirectory("chivato-zone-fuzz");
            directory.toFile().deleteOnExit();
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
