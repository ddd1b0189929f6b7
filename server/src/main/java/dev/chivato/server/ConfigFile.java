package dev.chivato.server;

import dev.chivato.server.core.FileProblem;
import dev.chivato.server.core.TextFiles;
import dev.chivato.server.log.Problems;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code --config FILE}, in dnsmasq's style: one option per line as {@code name=value}, or {@code name} alone for a
 * flag, the leading dashes left out (or written: {@code --listen=...} is taken too); {@code #} starts a comment. A
 * relative path in a value is the file's folder's, as in nsd.conf, not the working directory's. The lines become
 * arguments placed before the command line's, so a repeatable option adds up and the command line overrides a
 * single-valued one.
 */
final class ConfigFile {
    /** Options whose value is a file's path. */
    private static final Set<String> PATHS = Set.of("--records", "--log-file", "--tsig-key", "--cookie-secret",
            "--capture", "--web-token");

    /** A configuration file is a few lines: anything much longer is not one. */
    static final long MAX_OCTETS = 1 << 20;

    private ConfigFile() {
    }

    /** The command line with the file of its {@code --config FILE} (or {@code --config=FILE}), if any, in front. */
    static List<String> expand(List<String> args, Set<String> options) throws FileProblem {
        List<String> fromFile = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--config") && i + 1 < args.size()) {
                fromFile.addAll(read(Path.of(args.get(i + 1)), options));
            } else if (arg.startsWith("--config=")) {
                fromFile.addAll(read(Path.of(arg.substring("--config=".length())), options));
            }
        }
        fromFile.addAll(args);
        return fromFile;
    }

    /** A value with its path made the config file's folder's when it is relative. */
    static String resolved(String name, String value, Path folder) {
        if (PATHS.contains(name)) {
            return folder.resolve(value).toString();
        }
        if (name.equals("--zone")) {
            int equals = value.indexOf('=');
            boolean origin = equals > 0 && value.lastIndexOf('/', equals) < 0;
            return origin ? value.substring(0, equals + 1) + folder.resolve(value.substring(equals + 1))
                    : folder.resolve(value).toString();
        }
        if (name.equals("--dnstap") && (value.startsWith("file:") || value.startsWith("unix:"))) {
            return value.substring(0, 5) + folder.resolve(value.substring(5));
        }
        return value;
    }

    /** The arguments one file stands for. */
    static List<String> read(Path file, Set<String> options) throws FileProblem {
        List<String> lines;
        TextFiles.requireRegular(file, MAX_OCTETS);
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new FileProblem(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new FileProblem(file + ": cannot read: " + Problems.describe(e));
        }
        List<String> args = new ArrayList<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (content.isEmpty()) {
                continue;
            }
            int equals = content.indexOf('=');
            String written = equals < 0 ? content : content.substring(0, equals).strip();
            String name = "--" + written.replaceFirst("^--?", "");
            if (!options.contains(name) || name.equals("--config")) {
                throw new FileProblem(file.toString(), number, "\"" + written
                        + "\" is not an option of chivato (see --help)");
            }
            args.add(name);
            if (equals >= 0) {
                args.add(resolved(name, content.substring(equals + 1).strip(), file.toAbsolutePath().getParent()));
            }
        }
        return args;
    }
}
