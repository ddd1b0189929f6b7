package dev.chivato.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The command line run in this JVM (for arguments that make it exit, not a server that runs): its exit code, what
 * the subcommands wrote and what went to stderr.
 */
record CommandRun(int code, String out, String err) {
    static CommandRun of(String... args) {
        PrintStream savedErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), args);
        } finally {
            System.setErr(savedErr);
        }
        return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
