package dev.chivato.server.core;

/**
 * Something the user gave us that cannot be used: a records or zone file, a key file, a line given on the command
 * line. Its message is the one line the user sees, {@code FILE:LINE: reason} where there is a line to point at.
 */
public final class FileProblem extends Exception {
    public FileProblem(String source, int line, String reason) {
        super(source + ":" + line + ": " + reason, null, false, false);
    }

    public FileProblem(String message) {
        super(message, null, false, false);
    }
}
