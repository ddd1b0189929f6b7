package dev.chivato.server;

/**
 * SIGINT and SIGTERM start an orderly stop that exits 0. A shutdown hook alone would not do: the JVM then exits
 * with 130 or 143, and a script running the server could not tell a clean stop from a crash.
 */
final class Signals {
    private Signals() {
    }

    @SuppressWarnings("removal")
    static void onTerminate(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run());
            } catch (IllegalArgumentException e) {
                // this platform does not have that signal; the JVM's default stays
            }
        }
    }
}
