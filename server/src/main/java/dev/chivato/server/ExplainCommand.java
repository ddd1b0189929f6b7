package dev.chivato.server;

import dev.chivato.protocol.Explainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code chivato explain}: one DNS message, annotated byte by byte. */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Print one DNS message field by field: offset, bytes and meaning. The input is the raw "
                + "message, or hex digits with any white space between them. A malformed message is explained up "
                + "to the byte where it goes wrong. Exit code 0 when the message decodes, 1 when it does not, 2 "
                + "when the input cannot be read."})
final class ExplainCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|-", description = "The message: a file, or - for standard input.")
    String input;

    private final PrintStream out;

    ExplainCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Main.UsageException {
        byte[] bytes;
        try {
            bytes = input.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(input));
        } catch (IOException e) {
            throw new Main.UsageException("chivato explain: cannot read " + input + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
        byte[] message;
        try {
            message = Explainer.readInput(bytes);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("chivato explain: " + input + " looks like hex but is not: "
                    + e.getMessage());
        }
        Explainer.Explanation explanation = Explainer.explain(message);
        out.print(Explainer.render(explanation));
        return explanation.decoded().isPresent() ? 0 : 1;
    }
}
