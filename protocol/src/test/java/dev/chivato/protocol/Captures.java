package dev.chivato.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The real captures in the testdata module, with what captures.tsv says each must decode to. */
public final class Captures {
    public record Capture(String file, String expected, byte[] bytes) {
        @Override
        public String toString() {
            return file;
        }
    }

    private Captures() {
    }

    public static List<Capture> all() {
        List<Capture> captures = new ArrayList<>();
        for (String line : read("captures.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t");
            captures.add(new Capture(fields[0], fields[1], bytes(fields[0])));
        }
        return captures;
    }

    public static byte[] bytes(String file) {
        try (InputStream in = Captures.class.getResourceAsStream("/captures/" + file)) {
            if (in == null) {
                throw new IllegalStateException("no capture " + file + " on the classpath (testdata module)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(String file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }
}
