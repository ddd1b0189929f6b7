package dev.chivato.server;

import dev.chivato.protocol.Explainer;
import dev.chivato.protocol.Message;
import dev.chivato.server.log.Problems;
import java.io.IOException;
import java.io.InputStream;
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

    /**
     * The most input read: room for the largest message as hex with white space between every two digits and a
     * line end every 16 octets. Anything longer cannot be one message, and is refused without reading on.
     */
    static final int MAX_INPUT = 4 * Message.MAX_LENGTH;

    @Override
    public Integer call() throws Main.UsageException {
        byte[] bytes;
        try (InputStream in = input.equals("-") ? System.in : Files.newInputStream(Path.of(input))) {
            bytes = in.readNBytes(MAX_INPUT + 1);
        } catch (IOException e) {
            throw new Main.UsageException("chivato explain: cannot read " + input + ": " + Problems.describe(e));
        }
        if (bytes.length > MAX_INPUT) {
            throw new Main.UsageException("chivato explain: " + input + " is longer than " + MAX_INPUT
                    + " octets: a DNS message is at most " + Message.MAX_LENGTH + " octets, even as hex");
        }
        byte[] message;
        try {
            message = Explainer.readInput(bytes);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("chivato explain: " + input + " looks like hex but is not: "
                    + e.getMessage());
        }
        if (message.length > Message.MAX_LENGTH) {
            throw new Main.UsageException("chivato explain: " + input + " holds " + message.length
                    + " octets: a DNS message is at most " + Message.MAX_LENGTH);
        }
        Explainer.Explanation explanation = Explainer.explain(message);
        out.print(Explainer.render(explanation));
        return explanation.decoded().isPresent() ? 0 : 1;
    }
}
