package dev.chivato.server;

import dev.chivato.server.core.FileProblem;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;

/**
 * The entry point: {@code java -jar chivato.jar [options]} runs the server ({@link ServerOptions} read, made
 * {@link Settings}, run by {@link Assembly}); {@code chivato query}, {@code explain} and {@code report} are the
 * subcommands.
 */
public final class Main {
    private Main() {
    }

    /** Thrown for a setting that cannot be used: its message is the one line the user sees. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    public static void main(String[] args) {
        // NIO reads a file into a heap array through a direct buffer of the read's size, and by default keeps that
        // buffer for the thread: a zone file of 500 MB (a signed zone of a million names) held 500 MB for good
        // (benchmarks/load/signed.sh, native memory tracking). Kept only up to 256 KiB; read before NIO's first use.
        if (System.getProperty("jdk.nio.maxCachedBufferSize") == null) {
            System.setProperty("jdk.nio.maxCachedBufferSize", Integer.toString(256 * 1024));
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code. */
    static int run(String... args) {
        return run(System.out, args);
    }

    /**
     * The command line's model: the server's options and its subcommands, writing to {@code out}. The man pages and
     * the completion script are made from it too ({@link Documentation}), so they say what it takes.
     */
    static CommandLine commandLine(java.io.PrintStream out) {
        CommandLine commandLine = new CommandLine(new ServerOptions());
        commandLine.addSubcommand("query", new QueryCommand(out));
        commandLine.addSubcommand("explain", new ExplainCommand(out));
        commandLine.addSubcommand("report", new ReportCommand(out));
        commandLine.addSubcommand("check-config", new CheckConfigCommand(out));
        return commandLine;
    }

    /** Runs the command line with the subcommands writing to {@code out}. */
    static int run(java.io.PrintStream out, String... args) {
        CommandLine commandLine = commandLine(out);
        // "@127.0.0.1" names a server, as in dig, not a file of arguments.
        commandLine.setExpandAtFiles(false);
        // "--log explain" is the option's value, not the explain subcommand.
        commandLine.setAllowSubcommandsAsOptionParameters(true);
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            e.getCommandLine().getErr().println("chivato: " + e.getMessage() + suggestion(e) + " (see --help)");
            return 2;
        });
        commandLine.setExecutionExceptionHandler(QueryCommand.usageErrors());
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        // The command line overrides what --config gave a single-valued option (the file's lines come first).
        commandLine.setOverwrittenOptionsAllowed(true);
        if (args.length > 0 && commandLine.getSubcommands().containsKey(args[0])) {
            return commandLine.execute(args);
        }
        try {
            List<String> expanded = ConfigFile.expand(List.of(args),
                    commandLine.getCommandSpec().optionsMap().keySet());
            return commandLine.execute(expanded.toArray(String[]::new));
        } catch (FileProblem e) {
            commandLine.getErr().println(e.getMessage());
            return EXIT_USAGE;
        }
    }

    /** What other servers and tools call the options people reach for first, and ours. */
    private static final java.util.Map<String, String> OTHER_NAMES = java.util.Map.of(
            "--port", "--listen ADDR:PORT", "-p", "--listen ADDR:PORT", "--bind", "--listen ADDR:PORT",
            "--address", "--listen ADDR:PORT", "--hosts", "--records FILE", "--addn-hosts", "--records FILE",
            "--server", "--forward ADDR[:PORT]", "--zone-file", "--zone [ORIGIN=]FILE", "--verbose", "--log text",
            "--log-queries", "--log text");

    /** For an unknown option, the nearest of ours: "; did you mean --listen ADDR:PORT?" */
    static String suggestion(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched)) {
            return "";
        }
        for (String argument : unmatched.getUnmatched()) {
            String name = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
            if (OTHER_NAMES.containsKey(name)) {
                return "; did you mean " + OTHER_NAMES.get(name) + "?";
            }
        }
        java.util.List<String> near = unmatched.getSuggestions();
        return near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?";
    }

    /** Exit codes: 1 for data that cannot be used or a server that failed, 2 for a usage error (as picocli). */
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

}
