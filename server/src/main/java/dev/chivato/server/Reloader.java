package dev.chivato.server;

import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.Problems;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.Service;
import dev.chivato.server.transfer.Notifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Reloads the data off the event loops, one reload at a time: reads the sources again, builds a new handler (a new
 * snapshot and an empty cache), and hands it to the service in one volatile write, so every answer comes wholly from
 * the old data or the new. Each reload is logged as an entry of its own and said on stderr. With {@code --watch}, the
 * files are looked at on a timer, and a change of size, time, identity (a file replaced by rename) or content (two
 * edits within the file system's time resolution) starts a reload.
 */
final class Reloader implements AutoCloseable {
    private final DataSources sources;
    private final Service service;
    private final QueryLog log;
    private final Consumer<String> warnings;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread reloads = new Thread(runnable, "chivato-reload");
        reloads.setDaemon(true);
        return reloads;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Notifier notifier;
    private List<Fingerprint> seen;

    Reloader(DataSources sources, Service service, QueryLog log, Consumer<String> warnings) {
        this(sources, service, log, warnings, null);
    }

    /** As above, telling {@code notifier} (null for none) of each zone whose serial went up. */
    Reloader(DataSources sources, Service service, QueryLog log, Consumer<String> warnings,
            Notifier notifier) {
        this.notifier = notifier;
        this.sources = sources;
        this.service = service;
        this.log = log;
        this.warnings = warnings;
    }

    /**
     * Asks for a reload (SIGHUP); it runs on the reload thread. Requests made while one waits to start join it, so a
     * burst of signals queues one reload, not one each.
     */
    void requestReload() {
        if (pending.compareAndSet(false, true)) {
            thread.execute(() -> {
                pending.set(false);
                reloadSaying();
            });
        }
    }

    /** Reloads on the reload thread (after any under way), and returns what happened once it is done. */
    java.util.concurrent.Future<LogEntry.Reload> reloadSoon() {
        return thread.submit(this::reload);
    }

    /** Reloads now, on the calling thread, and returns what happened. */
    LogEntry.Reload reload() {
        Map<String, Long> before = sources.serials();
        DataSources.Loaded loaded = sources.reload();
        service.use(loaded.handler());
        if (notifier != null) {
            sources.soasChangedSince(before).forEach(notifier::changed);
        }
        LogEntry.Reload report = loaded.report();
        log.log(report);
        if (service.metrics() != null) {
            service.metrics().reloaded(report.failures().isEmpty(), sources.serials());
        }
        if (report.failures().isEmpty()) {
            warnings.accept("chivato: reloaded in " + report.millis() + " ms: " + sources.describe() + "; "
                    + report.records() + " records in all");
        } else {
            report.failures().forEach(failure -> warnings.accept("chivato: reload " + report.result() + ": "
                    + failure));
        }
        return report;
    }

    /**
     * A reload on the reload thread: a failure of the reload itself (a bug, or no memory to build the new data) keeps
     * the old data and is said, and the thread goes on (an executor would otherwise drop it without a word, and a
     * periodic watch would stop).
     */
    private void reloadSaying() {
        try {
            reload();
        } catch (RuntimeException | Error failure) {
            warnings.accept("chivato: reload failed: " + Problems.describe(failure) + "; the old data stays");
        }
    }

    /**
     * Looks at the files every {@code period} and reloads when one of them changed and then stayed as it was for one
     * more look: a file being written (an editor's save, a copy, a zone signer's output) is read once it is whole,
     * not half-way. A look that fails (a bug, no memory) is said, and the next look tries again: watching never stops
     * without a word.
     */
    void watch(Duration period) {
        thread.execute(this::startWatching);
        thread.scheduleWithFixedDelay(() -> {
            try {
                look();
            } catch (RuntimeException | Error failure) {
                warnings.accept("chivato: --watch failed to look at the files: " + Problems.describe(failure)
                        + "; it looks again in " + period.toMillis() + " ms");
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What the last look saw that differed from what is served, waiting to be seen again unchanged. */
    private List<Fingerprint> changing;

    /** The files as they are when watching starts (on the reload thread, or a test's). */
    void startWatching() {
        seen = fingerprints(List.of());
    }

    /** One look at the files: reloads when what changed has stayed as it was since the look before. */
    void look() {
        List<Fingerprint> now = fingerprints(changing != null ? changing : seen);
        if (now.equals(seen)) {
            changing = null;
        } else if (now.equals(changing)) {
            seen = now; // the same for two looks: whole
            changing = null;
            reloadSaying();
        } else {
            changing = now; // changed since the last look: wait for it to settle
        }
    }

    /**
     * What identifies a file's version: its identity, size, modification time and a checksum of its content. The
     * checksum tells apart two edits within the file system's time resolution, so it is read again only for a file
     * that changed, or was modified within {@link #RECENT_NANOS} of the look before: an old file that did not change
     * is not read at every look.
     */
    private record Fingerprint(Path file, Object key, long size, long modifiedNanos, long checksum, long lookedAt) {
        boolean sameAttributes(Object key, long size, long modifiedNanos) {
            return Objects.equals(this.key, key) && this.size == size && this.modifiedNanos == modifiedNanos;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fingerprint f && file.equals(f.file) && Objects.equals(key, f.key) && size == f.size
                    && modifiedNanos == f.modifiedNanos && checksum == f.checksum;
        }

        @Override
        public int hashCode() {
            return Objects.hash(file, key, size, modifiedNanos, checksum);
        }
    }

    /** A file modified this close to a look may still change within the same time stamp. */
    static final long RECENT_NANOS = 2_000_000_000L;

    private List<Fingerprint> fingerprints(List<Fingerprint> before) {
        List<Fingerprint> prints = new ArrayList<>();
        long lookedAt = System.currentTimeMillis() * 1_000_000;
        for (Path file : sources.files()) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                long modified = attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
                Fingerprint earlier = before == null ? null : before.stream().filter(f -> f.file().equals(file))
                        .findFirst().orElse(null);
                boolean settled = earlier != null && earlier.sameAttributes(attributes.fileKey(), attributes.size(),
                        modified) && earlier.lookedAt() - modified > RECENT_NANOS;
                long checksum = settled ? earlier.checksum() : checksum(file);
                prints.add(new Fingerprint(file, attributes.fileKey(), attributes.size(), modified, checksum,
                        lookedAt));
            } catch (IOException e) {
                prints.add(new Fingerprint(file, null, -1, -1, Objects.hashCode(e.getMessage()), lookedAt));
            }
        }
        return prints;
    }

    /** Files read to compute a checksum since start: a test sees that an unchanged file is not read at each look. */
    private final java.util.concurrent.atomic.AtomicLong checksums = new java.util.concurrent.atomic.AtomicLong();

    long checksumsComputed() {
        return checksums.get();
    }

    private long checksum(Path file) throws IOException {
        checksums.incrementAndGet();
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int read; (read = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, read);
            }
        }
        return crc.getValue();
    }

    @Override
    public void close() {
        thread.shutdownNow();
        if (notifier != null) {
            notifier.close();
        }
    }
}
