package dev.chivato.server.web;

import java.io.IOException;
import java.util.List;

/** The data the server was started with, as the Records view reads and edits it. */
public interface Served {
    /**
     * A records file, the {@code --record} lines, or a zone.
     *
     * @param id       how the page names it
     * @param kind     {@code "records"} or {@code "zone"}
     * @param title    the file, or the zone's origin and file
     * @param editable whether it is a file that can be saved (the {@code --record} lines are not)
     */
    record Source(String id, String kind, String title, boolean editable) {
    }

    /** A save refused: the line the parser gives, {@code FILE:LINE: reason}. */
    final class Refused extends Exception {
        public Refused(String line) {
            super(line, null, false, false);
        }
    }

    List<Source> sources();

    /** The source's text as it is now. */
    String text(String id) throws IOException;

    /**
     * Checks {@code text} with the parser the server loads it with, writes it (a zone's serial raised when it did not
     * go up), and reloads; returns what was done, in one line.
     */
    String save(String id, String text) throws IOException, Refused;
}
