package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an outside program (dig, kdig, drill) with a time limit. When the program is missing, the test is skipped on
 * a developer's machine and fails in CI (the CI environment variable set), where .ci/run must have installed it.
 */
public final class ExternalTool {
    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> lines() {
            return stdout.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private ExternalTool() {
    }

    /** Whether {@code program} is a path to an executable or an executable on the PATH. */
    static boolean installed(String program) {
        if (program.contains(File.separator)) {
            return new File(program).canExecute();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, program).canExecute()) {
                return true;
            }
        }
        return false;
    }

    public static void require(String program) {
        boolean found = installed(program);
        if (!found && System.getenv("CI") != null) {
            fail(program + " is not installed, and CI is set: .ci/run must install it");
        }
        assumeTrue(found, program + " is not installed; skipping");
    }

    static Result run(String... command) {
        require(command[0]);
        try {
            Process process = new ProcessBuilder(command).redirectInput(new File("/dev/null")).start();
            // Both pipes are read on their own threads, so a chatty program cannot block on a full pipe and a
            // program that hangs is stopped by the time limit below, not waited for forever.
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            Thread outReader = reader(process.getInputStream(), out);
            Thread errReader = reader(process.getErrorStream(), err);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in 30 s");
            }
            outReader.join(5000); // join makes what the readers appended visible here
            errReader.join(5000);
            return new Result(process.exitValue(), out.toString(), err.toString());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Thread reader(InputStream stream, StringBuilder into) {
        Thread thread = new Thread(() -> {
            try {
                into.append(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                into.append(e);
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** dig against a test server, with short timeouts, plus the given arguments. */
    public static Result dig(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(port),
                "+time=2", "+tries=2"));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }
}
