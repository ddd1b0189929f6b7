package dev.chivato.server;

import dev.chivato.server.core.Cidr;
import dev.chivato.server.log.Problems;
import dev.chivato.server.report.LogReport;
import dev.chivato.server.report.ReportPrinter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chivato report}: who asked what, and what failed, from a JSON Lines query log. */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = ServerOptions.Version.class,
        sortOptions = false,
        description = {"Summarise a JSON Lines query log (--log json): totals and time span, answers by rcode and "
                + "by source, queries by type, top clients, names and (client, name) pairs, names answered "
                + "NXDOMAIN per client, malformed messages by reason, and messages per minute. The log is read "
                + "once, in bounded memory: counts are exact while each table has at most --distinct values, "
                + "then approximate (Space-Saving), and marked so. Exit code 0, or 2 when the log cannot be read."})
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|-", arity = "0..1", defaultValue = "-",
            description = "The log: a file, or - (the default) for standard input.")
    String input;

    @Option(names = "--top", paramLabel = "N", description = "Rows per table (default: 10).")
    int top = 10;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only entries at or after TIME: 2026-11-26T16:52:08Z, 2026-11-26T16:52 (UTC) or "
                    + "2026-11-26.")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only entries before TIME (same forms).")
    String until;

    @Option(names = "--client", paramLabel = "ADDR[/LEN]",
            description = "Only messages from this address or network.")
    String client;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(names = "--distinct", paramLabel = "N",
            description = "Distinct values each table counts exactly before it approximates (default: 100000; "
                    + "about 200 bytes each).")
    int distinct = 100_000;

    private final PrintStream out;

    ReportCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Main.UsageException {
        if (top < 1 || distinct < 1 || distinct > 10_000_000) {
            throw new Main.UsageException("chivato report: --top must be at least 1 and --distinct 1..10000000");
        }
        LogReport.Filter filter = new LogReport.Filter(time("--since", since), time("--until", until),
                network());
        String source = input.equals("-") ? "standard input" : input;
        LogReport report;
        try (InputStream in = input.equals("-") ? System.in : Files.newInputStream(Path.of(input))) {
            report = LogReport.read(in, filter, distinct);
        } catch (IOException e) {
            throw new Main.UsageException("chivato report: cannot read " + input + ": " + Problems.describe(e));
        }
        if (report.looksLikeTextLog()) {
            System.err.println("chivato report: " + source + " is a text log (no line of it is JSON): start the "
                    + "server with --log json (and --log-file FILE) to have a log chivato report reads");
            return Main.EXIT_FAILURE;
        }
        out.print(json ? ReportPrinter.json(report, source, top) : ReportPrinter.text(report, source, top));
        out.flush();
        return 0;
    }

    private Cidr network() throws Main.UsageException {
        if (client == null) {
            return null;
        }
        try {
            return Cidr.parse(client);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("chivato report: --client " + client + ": " + e.getMessage());
        }
    }

    /** An instant, a date and time in UTC, or a date (its first moment, UTC). */
    static Instant time(String option, String text) throws Main.UsageException {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notADateTime) {
                try {
                    return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException notADate) {
                    throw new Main.UsageException("chivato report: " + option + " " + text + ": expected "
                            + "2026-11-26T16:52:08Z, 2026-11-26T16:52 or 2026-11-26");
                }
            }
        }
    }
}
