package dev.chivato.server;

import dev.chivato.protocol.Explainer;
import dev.chivato.protocol.Message;
import dev.chivato.server.capture.CaptureExplainer;
import dev.chivato.server.capture.CaptureReader;
import dev.chivato.server.log.Problems;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chivato explain}: one DNS message, or every one in a capture, annotated byte by byte. */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = ServerOptions.Version.class,
        description = {"Print one DNS message field by field: offset, bytes and meaning. The input is the raw "
                + "message, or hex digits with any white space between them, or a capture (pcap or pcapng, as "
                + "tcpdump -w writes it): then every DNS message in it, UDP and TCP, each with its frame, time, "
                + "addresses and transport. A malformed message is explained up to the byte where it goes wrong, "
                + "a damaged capture up to the damage. Exit code 0 when the message decodes (or the capture is "
                + "read to its end), 1 when it does not, 2 when the input cannot be read."})
final class ExplainCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|-", description = "The message or capture: a file, or - for standard input.")
    String input;

    @Option(names = "--brief", description = "For a capture: one line per message in dig's terms, each response "
            + "paired with its query (the round trip), unanswered queries at the end.")
    boolean brief;

    @Option(names = "--port", paramLabel = "N", description = "For a capture: the DNS port to read (default: any port "
            + "the packets show DNS on: 53, 10053, and any other whose UDP or TCP payload is a DNS message).")
    Integer port;

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
        try (InputStream in = new BufferedInputStream(input.equals("-") ? System.in
                : Files.newInputStream(Path.of(input)), 1 << 16)) {
            in.mark(4);
            boolean capture = CaptureExplainer.isCapture(in.readNBytes(4));
            in.reset();
            if (capture) {
                return explainCapture(in);
            }
            if (input.matches("(?i).*\\.(pcap|pcapng|cap)")) {
                out.println("chivato explain: " + input + ": not a pcap or pcapng file (its first octets are no "
                        + "capture's magic number)");
                return 1;
            }
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

    private int explainCapture(InputStream in) throws IOException, Main.UsageException {
        if (port != null && (port < 1 || port > 65535)) {
            throw new Main.UsageException("chivato explain: --port " + port + ": must be 1..65535");
        }
        try {
            return new CaptureExplainer(out, brief, port == null ? 0 : port).explain(in);
        } catch (CaptureReader.NotACaptureException e) {
            out.println("chivato explain: " + input + ": " + e.getMessage());
            return 1;
        } finally {
            out.flush();
        }
    }
}
