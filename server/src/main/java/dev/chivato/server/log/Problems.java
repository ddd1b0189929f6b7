package dev.chivato.server.log;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** What went wrong, said in a few words a user can act on, for the one-line messages the commands print. */
public final class Problems {
    private Problems() {
    }

    /** The reason of a failure, without the path or class names the JDK puts in its messages. */
    public static String describe(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException files && files.getReason() != null) {
            return files.getReason();
        }
        String message = e.getMessage();
        if (e instanceof IOException && message != null && !message.isBlank()) {
            return message;
        }
        return message != null && !message.isBlank() ? e.getClass().getSimpleName() + ": " + message
                : e.getClass().getSimpleName();
    }
}
