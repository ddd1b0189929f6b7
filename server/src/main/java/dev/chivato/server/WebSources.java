package dev.chivato.server;

import dev.chivato.protocol.Name;
import dev.chivato.server.core.FileProblem;
import dev.chivato.server.data.HostsFile;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.transfer.Serial;
import dev.chivato.server.web.Served;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The page's Records view over the running server's sources: the records files, the {@code --record} lines, the
 * zones. A save is checked by the parser that loads the file, written whole (a new file renamed over the old), and
 * reloaded on the reload thread before the page is told: the change is answered when the page says it is saved.
 */
final class WebSources implements Served {
    /** The SOA's serial in zone text: after the type, the two names, and an opening parenthesis or comments. */
    private static final Pattern SERIAL = Pattern.compile(
            "(?i)(\\sSOA\\s+\\S+\\s+\\S+\\s*(?:\\(\\s*)?(?:;[^\\n]*\\n\\s*)*)(\\d+)");
    private static final int RELOAD_SECONDS = 60;

    private final DataSources sources;
    private final Reloader reloader;

    WebSources(DataSources sources, Reloader reloader) {
        this.sources = sources;
        this.reloader = reloader;
    }

    @Override
    public List<Source> sources() {
        List<Source> list = new ArrayList<>();
        for (int i = 0; i < sources.recordFiles().size(); i++) {
            list.add(new Source("records-" + i, "records", sources.recordFiles().get(i).toString(), true));
        }
        if (!sources.recordLines().isEmpty()) {
            list.add(new Source("record-lines", "records", "--record lines", false));
        }
        List<String> specs = sources.zoneSpecs();
        for (int i = 0; i < specs.size(); i++) {
            ZoneFile.Zone zone = sources.zone(specs.get(i));
            list.add(new Source("zone-" + i, "zone", (zone == null ? "" : zone.origin() + " ")
                    + DataSources.zoneFile(specs.get(i)), true));
        }
        return list;
    }

    @Override
    public String text(String id) throws IOException {
        if (id.equals("record-lines")) {
            return String.join("\n", sources.recordLines()) + "\n";
        }
        return Files.readString(file(id), StandardCharsets.UTF_8);
    }

    @Override
    public String save(String id, String text) throws IOException, Refused {
        Path file = file(id);
        String ended = text.endsWith("\n") ? text : text + "\n";
        String checked = id.startsWith("zone-") ? zoneText(id, file, ended) : recordsText(file, ended);
        Path written = file.resolveSibling(file.getFileName() + ".chivato-new");
        Files.writeString(written, checked, StandardCharsets.UTF_8);
        Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LogEntry.Reload reload;
        try {
            reload = reloader.reloadSoon().get(RELOAD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reloading");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("saved " + file + ", but the reload failed: " + e.getMessage());
        }
        return "saved " + file + "; reload " + reload.result()
                + (reload.failures().isEmpty() ? "" : ": " + String.join("; ", reload.failures()));
    }

    private Path file(String id) throws IOException {
        try {
            if (id.startsWith("records-")) {
                return sources.recordFiles().get(Integer.parseInt(id.substring(8)));
            }
            if (id.startsWith("zone-")) {
                return Path.of(DataSources.zoneFile(sources.zoneSpecs().get(Integer.parseInt(id.substring(5)))));
            }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            // said below
        }
        throw new IOException("no such source: " + id);
    }

    /** Each line as the records file's reader takes it. */
    private static String recordsText(Path file, String text) throws Refused {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            try {
                HostsFile.parseLine(file.toString(), i + 1, lines[i]);
            } catch (FileProblem e) {
                throw new Refused(e.getMessage());
            }
        }
        return text;
    }

    /** The zone as the zone reader takes it, its serial raised past the one served when it did not go up. */
    private String zoneText(String id, Path file, String text) throws Refused {
        ZoneFile.Zone served = sources.zone(sources.zoneSpecs().get(Integer.parseInt(id.substring(5))));
        Optional<Name> origin = served == null ? Optional.empty() : Optional.of(served.origin());
        ZoneFile.Zone edited = parse(file, text, origin);
        if (served == null || Serial.increased(served.serial(), edited.serial())) {
            return text;
        }
        long next = (served.serial() + 1) & 0xffffffffL;
        Matcher serial = SERIAL.matcher(text);
        if (serial.find()) {
            String raised = text.substring(0, serial.start(2)) + next + text.substring(serial.end(2));
            if (parse(file, raised, origin).serial() == next) {
                return raised;
            }
        }
        throw new Refused(file + ": the SOA's serial " + edited.serial() + " is not above " + served.serial()
                + ", and it could not be raised in the text: raise it by hand");
    }

    private static ZoneFile.Zone parse(Path file, String text, Optional<Name> origin) throws Refused {
        try {
            Path folder = file.toAbsolutePath().getParent();
            return ZoneFile.parse(file.toString(), text, origin, folder);
        } catch (FileProblem e) {
            throw new Refused(e.getMessage());
        }
    }
}
