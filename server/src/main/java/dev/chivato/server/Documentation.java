package dev.chivato.server;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the man pages ({@code man/chivato.1} and one per subcommand) and the bash completion script (which zsh
 * reads through {@code bashcompinit}) from the command line's own model, at build time: they say what the options
 * are, and never drift from them. {@code java dev.chivato.server.Documentation DIR}.
 */
public final class Documentation {
    private Documentation() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        CommandLine chivato = Main.commandLine(new PrintStream(OutputStream.nullOutputStream()));
        String version = new ServerOptions.Version().getVersion()[0];
        String date = LocalDate.now().toString();
        Path man = Files.createDirectories(out.resolve("man"));
        Files.writeString(man.resolve("chivato.1"), page(chivato, "chivato", date, version),
                StandardCharsets.UTF_8);
        for (Map.Entry<String, CommandLine> sub : chivato.getSubcommands().entrySet()) {
            String name = "chivato-" + sub.getKey();
            Files.writeString(man.resolve(name + ".1"), page(sub.getValue(), name, date, version),
                    StandardCharsets.UTF_8);
        }
        Path completion = Files.createDirectories(out.resolve("completion"));
        Files.writeString(completion.resolve("chivato.bash"), AutoComplete.bash("chivato", chivato),
                StandardCharsets.UTF_8);
    }

    /** One man page in troff's man macros. */
    static String page(CommandLine command, String name, String date, String version) {
        CommandSpec spec = command.getCommandSpec();
        String[] description = spec.usageMessage().description();
        StringBuilder page = new StringBuilder();
        page.append(".TH ").append(name.toUpperCase(java.util.Locale.ROOT)).append(" 1 \"").append(date)
                .append("\" \"").append(escape(version)).append("\" \"User Commands\"\n");
        page.append(".SH NAME\n").append(escape(name)).append(" \\- ")
                .append(escape(firstSentence(description.length == 0 ? name : description[0]))).append('\n');
        page.append(".SH SYNOPSIS\n.B ").append(escape(name.replace('-', ' '))).append("\n[\\fIOPTIONS\\fR]");
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            page.append(" \\fI").append(escape(parameter.paramLabel())).append("\\fR");
        }
        page.append("\n.SH DESCRIPTION\n");
        for (String paragraph : description) {
            page.append(".PP\n").append(escape(paragraph)).append('\n');
        }
        page.append(".SH OPTIONS\n");
        for (OptionSpec option : spec.options()) {
            if (option.hidden()) {
                continue;
            }
            page.append(".TP\n.B ").append(escape(String.join(", ", option.names())));
            if (option.arity().max() > 0) {
                page.append(" \\fI").append(escape(option.paramLabel())).append("\\fR");
            }
            page.append('\n').append(escape(String.join(" ", option.description()))).append('\n');
        }
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            page.append(".TP\n.I ").append(escape(parameter.paramLabel())).append('\n')
                    .append(escape(String.join(" ", parameter.description()))).append('\n');
        }
        if (!command.getSubcommands().isEmpty()) {
            page.append(".SH COMMANDS\n");
            for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
                String[] text = sub.getValue().getCommandSpec().usageMessage().description();
                page.append(".TP\n.B chivato ").append(escape(sub.getKey())).append('\n')
                        .append(escape(text.length == 0 ? "" : firstSentence(text[0])))
                        .append(" See \\fBchivato\\-").append(escape(sub.getKey())).append("\\fR(1).\n");
            }
        }
        List<String> footer = List.of(spec.usageMessage().footer());
        if (footer.stream().anyMatch(line -> !line.isBlank())) {
            page.append(".SH NOTES\n");
            footer.stream().filter(line -> !line.isBlank()).forEach(line -> page.append(".PP\n")
                    .append(escape(line)).append('\n'));
        }
        page.append(".SH SEE ALSO\n").append(name.equals("chivato") ? "" : "\\fBchivato\\fR(1), ")
                .append("\\fBdig\\fR(1), \\fBnsd\\fR(8), \\fBknotd\\fR(8)\n");
        return page.toString();
    }

    private static String firstSentence(String text) {
        int end = text.indexOf(". ");
        return (end < 0 ? text : text.substring(0, end + 1)).strip();
    }

    /** Text for troff: backslashes and hyphens escaped, a line never starting with a control character. */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-").replace("%n", "\n");
        StringBuilder lines = new StringBuilder();
        for (String line : escaped.split("\n", -1)) {
            if (lines.length() > 0) {
                lines.append('\n');
            }
            if (line.startsWith(".") || line.startsWith("'")) {
                lines.append("\\&");
            }
            lines.append(line);
        }
        return lines.toString();
    }
}
