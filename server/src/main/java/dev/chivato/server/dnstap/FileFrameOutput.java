package dev.chivato.server.dnstap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

/**
 * A Frame Streams file: START, the data frames, STOP. The file is created anew (a second stream appended to one
 * file is not something readers take), readable by its owner only, since it holds every client's queries.
 */
final class FileFrameOutput implements FrameOutput {
    private final Path path;
    private final FileChannel channel;
    private final Consumer<String> warnings;

    private FileFrameOutput(Path path, FileChannel channel, Consumer<String> warnings) {
        this.path = path;
        this.channel = channel;
        this.warnings = warnings;
    }

    /** Creates (or empties) the file and writes START; fails at once when the file cannot be written. */
    static FileFrameOutput create(Path path, Consumer<String> warnings) throws IOException {
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException | UnsupportedOperationException replaced) {
            // an old capture is replaced below; its permissions stay what its owner made them
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING);
        FileFrameOutput output = new FileFrameOutput(path, channel, warnings);
        try {
            output.write(FrameStreams.control(FrameStreams.Control.START, FrameStreams.DNSTAP_CONTENT_TYPE));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return output;
    }

    @Override
    public boolean ready(long nowNanos, boolean lastChance) {
        return channel.isOpen();
    }

    @Override
    public void write(ByteBuffer frames) throws IOException {
        while (frames.hasRemaining()) {
            channel.write(frames);
        }
    }

    @Override
    public boolean failed(IOException problem, long nowNanos) {
        warnings.accept("chivato: dnstap: writing " + path + " failed: " + problem.getMessage()
                + "; dnstap frames are now counted as lost");
        close();
        return false;
    }

    @Override
    public void finish(long limitNanos) {
        if (!channel.isOpen()) {
            return;
        }
        try {
            write(FrameStreams.control(FrameStreams.Control.STOP, null));
        } catch (IOException e) {
            warnings.accept("chivato: dnstap: cannot end " + path + ": " + e.getMessage());
        }
        close();
    }

    private void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more can be written to it either way
        }
    }

    @Override
    public String describe() {
        return "file:" + path;
    }
}
