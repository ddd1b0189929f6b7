package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server in a process of its own (the test's class path, {@code Main}), for what only a process shows:
 * exit codes, signals, stdout and stderr, memory limits. Its stderr goes to a file the test can read.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening udp 127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    final Path stderr;
    final BufferedReader stdout;
    int port = -1;

    private ServerProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code java [jvmOptions] Main [args]}; nothing is read from it yet. */
    static ServerProcess launch(Path dir, List<String> jvmOptions, String... args) throws IOException {
        return launch(dir, List.of(), jvmOptions, args);
    }

    /**
     * As above, with at most {@code descriptors} open files ({@code ulimit -n}, soft and hard, so the JVM cannot raise
     * it), set by a shell that then becomes the JVM.
     */
    static ServerProcess launchLimited(Path dir, int descriptors, List<String> jvmOptions, String... args)
            throws IOException {
        return launch(dir, List.of("bash", "-c", "ulimit -n " + descriptors + " && exec \"$@\"", "bash"),
                jvmOptions, args);
    }

    /** The same, started like {@link #start} (on a free port, its listening lines read). */
    static ServerProcess startLimited(Path dir, int descriptors, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0"));
        all.addAll(List.of(args));
        return listening(launchLimited(dir, descriptors, jvmOptions, all.toArray(String[]::new)));
    }

    private static ServerProcess launch(Path dir, List<String> prefix, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile(dir, "stderr", ".txt");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        return new ServerProcess(process, stderr);
    }

    /** Starts the server on a free loopback port with the given options and waits for its listening lines. */
    static ServerProcess start(Path dir, List<String> jvmOptions, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0"));
        all.addAll(List.of(args));
        return listening(launch(dir, jvmOptions, all.toArray(String[]::new)));
    }

    /** Reads the listening lines of a server started on port 0. */
    private static ServerProcess listening(ServerProcess server) throws IOException {
        String udp = server.stdout.readLine();
        String tcp = server.stdout.readLine();
        Matcher m = udp == null ? null : LISTENING.matcher(udp);
        assertTrue(m != null && m.matches(), "listening line, got " + udp + "; stderr: " + server.stderrText());
        server.port = Integer.parseInt(m.group(1));
        assertTrue(("listening tcp 127.0.0.1:" + server.port).equals(tcp), tcp);
        return server;
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /**
     * Sends SIGTERM and waits for the exit code; -1 if it did not exit within {@code seconds}. Not
     * {@link Process#destroy}, which also closes our end of the pipes: the server would see its stdout break.
     */
    int terminate(long seconds) throws InterruptedException {
        signal("TERM");
        return waitFor(seconds);
    }

    int waitFor(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /** Sends a signal by name (HUP, TERM) with the system's kill. */
    void signal(String name) {
        ExternalTool.Result result = ExternalTool.run("kill", "-" + name, Long.toString(process.pid()));
        assertTrue(result.exitCode() == 0, "kill -" + name + ": " + result.stderr());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
