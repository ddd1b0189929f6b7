package dev.chivato.server;

import dev.chivato.server.core.FileProblem;
import dev.chivato.server.log.LogFormat;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code chivato check-config [--config FILE] [OPTIONS...]}: what the server would do with these options, without
 * starting it, as {@code nsd-checkconf} and {@code named-checkconf}: the options and the config file parsed, every
 * records file, zone, TSIG key, cookie secret and page token read and loaded, the listen addresses literal and the
 * upstreams not our own; one line per problem ({@code FILE:LINE: reason}) and exit 1, or a summary of what would be
 * served and exit 0. Nothing is bound.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true, versionProvider = ServerOptions.Version.class,
        description = {"Check the server's options and configuration file without starting it: parse them, read and "
                + "load every records file, zone, TSIG key and secret, and say what would be served (exit 0) or the "
                + "first problem, as FILE:LINE: reason (exit 1). Nothing is bound.",
                "Takes the same options as the server: chivato check-config --config /etc/chivato/chivato.conf"})
final class CheckConfigCommand implements Callable<Integer> {
    @Unmatched
    List<String> arguments = new ArrayList<>();

    private final PrintStream out;

    CheckConfigCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        Settings settings;
        try {
            settings = settings(arguments);
        } catch (Main.UsageException | FileProblem e) {
            System.err.println(e.getMessage());
            return Main.EXIT_FAILURE;
        }
        Assembly.Read read;
        try {
            read = Assembly.read(settings, System.err::println);
        } catch (Assembly.StartFailure e) {
            System.err.println(e.getMessage());
            return Main.EXIT_FAILURE;
        }
        for (InetSocketAddress address : settings.server().listen()) {
            out.println("would listen on udp and tcp " + LogFormat.address(address));
        }
        out.println("would serve " + read.sources().describe());
        settings.server().forwarding().routes().forEach(route -> out.println("would forward " + route.domain()
                + " to " + String.join(", ", route.upstreams().stream().map(LogFormat::address).toList())));
        read.keys().forEach(key -> out.println("TSIG key " + key.name()));
        settings.web().ifPresent(web -> out.println("the page on http://" + LogFormat.address(web.address()) + "/"
                + (web.edit() ? ", editing" : "")));
        out.println("ok: nothing was started");
        return 0;
    }

    /** The server's options as the server reads them: the config file first, then the command line. */
    private static Settings settings(List<String> arguments) throws Main.UsageException, FileProblem {
        CommandLine server = new CommandLine(new ServerOptions());
        server.setExpandAtFiles(false);
        server.setOverwrittenOptionsAllowed(true);
        List<String> expanded = ConfigFile.expand(arguments, server.getCommandSpec().optionsMap().keySet());
        try {
            server.parseArgs(expanded.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new Main.UsageException("chivato: " + e.getMessage());
        }
        return ((ServerOptions) server.getCommand()).settings();
    }
}
