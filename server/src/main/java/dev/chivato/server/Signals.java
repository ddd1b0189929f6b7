package dev.chivato.server;

/**
 * SIGINT and SIGTERM start an orderly stop that exits 0; SIGHUP reloads the data (systemd's ExecReload sends it). A
 * shutdown hook alone would not do: the JVM then exits with 130 or 143, and a script running the server could not
 * tell a clean stop from a crash.
 */
final class Signals {
    private Signals() {
    }

    static void onTerminate(Runnable action) {
        handle("INT", action);
        handle("TERM", action);
    }

    /** SIGHUP, which would otherwise end the JVM (and lose log entries) as if the terminal had gone. */
    static void onHangup(Runnable action) {
        handle("HUP", action);
    }

    @SuppressWarnings("removal")
    private static void handle(String name, Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run());
        } catch (IllegalArgumentException e) {
            // this platform does not have that signal; the JVM's default stays
        }
    }
}
