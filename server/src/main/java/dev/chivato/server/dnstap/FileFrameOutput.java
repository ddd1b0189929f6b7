package dev.chivato.server.dnstap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

/**
 * A file of records: for dnstap a Frame Streams file (START, the data frames, STOP), for {@code --capture} a pcap
 * file. It is created anew (a second stream appended to one file is not something readers take), readable by its
 * owner only, since it holds every client's queries.
 */
final class FileFrameOutput implements FrameOutput {
    private final Path path;
    private final FileChannel channel;
    private final Consumer<String> warnings;
    private final ByteBuffer trailer;
    /** The most the file may hold; -1 for no bound. */
    private final long maxOctets;
    private long written;

    private FileFrameOutput(Path path, FileChannel channel, ByteBuffer trailer, long maxOctets,
            Consumer<String> warnings) {
        this.path = path;
        this.channel = channel;
        this.trailer = trailer;
        this.maxOctets = maxOctets;
        this.warnings = warnings;
    }

    /** Creates (or empties) a dnstap file and writes START; fails at once when the file cannot be written. */
    static FileFrameOutput create(Path path, Consumer<String> warnings) throws IOException {
        return create(path, bytes(FrameStreams.control(FrameStreams.Control.START, FrameStreams.DNSTAP_CONTENT_TYPE)),
                FrameStreams.control(FrameStreams.Control.STOP, null), -1, warnings);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /**
     * Creates a file anew that begins with {@code header} and ends with {@code trailer} (null: none), at most
     * {@code maxOctets} long (-1: no bound); fails at once when the file cannot be written. It is made under a new
     * name beside {@code path}, owner-only (0600) and exclusively (never an existing file, never through a link),
     * then renamed into place: an old file at {@code path} is replaced, a link there is replaced, not followed, and
     * whatever a link pointed to is left alone.
     */
    static FileFrameOutput create(Path path, byte[] header, ByteBuffer trailer, long maxOctets,
            Consumer<String> warnings) throws IOException {
        Path directory = path.toAbsolutePath().getParent();
        Path fresh;
        try {
            fresh = Files.createTempFile(directory, "." + path.getFileName(), ".new",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException noPosix) {
            fresh = Files.createTempFile(directory, "." + path.getFileName(), ".new");
        }
        FileChannel channel = FileChannel.open(fresh, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        try {
            Files.move(fresh, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            channel.close();
            Files.deleteIfExists(fresh);
            throw e;
        }
        FileFrameOutput output = new FileFrameOutput(path, channel, trailer, maxOctets, warnings);
        try {
            output.write(ByteBuffer.wrap(header));
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
        if (maxOctets >= 0 && written + frames.remaining() > maxOctets) {
            throw new IOException("the file reached its bound of " + maxOctets + " octets");
        }
        written += frames.remaining();
        while (frames.hasRemaining()) {
            channel.write(frames);
        }
    }

    @Override
    public boolean failed(IOException problem, long nowNanos) {
        warnings.accept("chivato: writing " + path + " stopped: " + problem.getMessage()
                + "; what follows is counted as lost");
        close();
        return false;
    }

    @Override
    public void finish(long limitNanos) {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (trailer != null) {
                write(trailer.duplicate());
            }
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
