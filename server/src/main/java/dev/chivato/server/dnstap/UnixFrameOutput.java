package dev.chivato.server.dnstap;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A collector on a Unix socket, spoken to in Frame Streams' bidirectional mode (READY, ACCEPT, START ... STOP,
 * FINISH). When it is not there, or goes away, or takes nothing for {@link #STALL_NANOS}, the output tries again
 * after a pause that doubles up to {@link #MAX_BACKOFF_NANOS}; the operator hears once per outage.
 */
final class UnixFrameOutput implements FrameOutput {
    static final long FIRST_BACKOFF_NANOS = 100_000_000L;
    static final long MAX_BACKOFF_NANOS = 5_000_000_000L;
    /** A collector that takes no octet for this long is treated as gone. */
    static final long STALL_NANOS = 5_000_000_000L;
    private static final long HANDSHAKE_NANOS = 2_000_000_000L;

    private final Path path;
    private final Consumer<String> warnings;
    private SocketChannel channel;
    private Selector selector;
    private long backoffNanos = FIRST_BACKOFF_NANOS;
    private long nextTryNanos;
    /** Whether the operator was told about the current outage (so a long outage says one line, not one a try). */
    private boolean outageReported;
    private boolean everConnected;

    UnixFrameOutput(Path path, Consumer<String> warnings) {
        this.path = path;
        this.warnings = warnings;
        this.nextTryNanos = System.nanoTime();
    }

    @Override
    public boolean ready(long nowNanos, boolean lastChance) {
        if (channel != null) {
            return true;
        }
        if (nowNanos - nextTryNanos < 0 && !lastChance) {
            return false;
        }
        try {
            connect();
        } catch (IOException e) {
            disconnect();
            if (!outageReported) {
                warnings.accept("chivato: dnstap: no collector at unix:" + path + " (" + e.getMessage()
                        + "); trying again, frames wait in the queue meanwhile and are dropped when it is full");
                outageReported = true;
            }
            nextTryNanos = nowNanos + backoffNanos;
            backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
            return false;
        }
        if (outageReported || everConnected) {
            warnings.accept("chivato: dnstap: connected to the collector at unix:" + path);
        }
        outageReported = false;
        everConnected = true;
        backoffNanos = FIRST_BACKOFF_NANOS;
        return true;
    }

    private void connect() throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(path));
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, 0);
        long deadline = System.nanoTime() + HANDSHAKE_NANOS;
        writeBefore(FrameStreams.control(FrameStreams.Control.READY, FrameStreams.DNSTAP_CONTENT_TYPE), deadline);
        FrameStreams.ControlFrame accept = readControl(deadline);
        if (accept.type() != FrameStreams.Control.ACCEPT) {
            throw new IOException("the collector answered READY with " + accept.type() + ", not ACCEPT");
        }
        if (!accept.contentTypes().isEmpty() && !accept.contentTypes().contains(FrameStreams.DNSTAP_CONTENT_TYPE)) {
            throw new IOException("the collector does not accept " + FrameStreams.DNSTAP_CONTENT_TYPE + " (only "
                    + accept.contentTypes() + ")");
        }
        writeBefore(FrameStreams.control(FrameStreams.Control.START, FrameStreams.DNSTAP_CONTENT_TYPE), deadline);
    }

    @Override
    public void write(ByteBuffer frames) throws IOException {
        long deadline = System.nanoTime() + STALL_NANOS;
        while (frames.hasRemaining()) {
            if (channel.write(frames) > 0) {
                deadline = System.nanoTime() + STALL_NANOS; // the stall limit counts from the last progress
            } else {
                await(SelectionKey.OP_WRITE, deadline);
            }
        }
    }

    private void writeBefore(ByteBuffer frames, long deadline) throws IOException {
        while (frames.hasRemaining()) {
            if (channel.write(frames) == 0) {
                await(SelectionKey.OP_WRITE, deadline);
            }
        }
    }

    /** Reads one control frame: the escape, its length (at most fstrm's limit), and its body. */
    private FrameStreams.ControlFrame readControl(long deadline) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(8);
        readFully(head, deadline);
        if (head.getInt(0) != 0) {
            throw new IOException("the collector sent a data frame where a control frame was due");
        }
        int length = head.getInt(4);
        if (length < 4 || length > FrameStreams.MAX_CONTROL_LENGTH) {
            throw new IOException("the collector sent a control frame of " + length + " octets");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(body, deadline);
        return FrameStreams.parseControl(body.flip());
    }

    private void readFully(ByteBuffer into, long deadline) throws IOException {
        while (into.hasRemaining()) {
            int read = channel.read(into);
            if (read < 0) {
                throw new IOException("the collector closed the connection");
            }
            if (read == 0) {
                await(SelectionKey.OP_READ, deadline);
            }
        }
    }

    private void await(int operation, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IOException("the collector took nothing for " + STALL_NANOS / 1_000_000_000L + " s");
        }
        channel.keyFor(selector).interestOps(operation);
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
    }

    @Override
    public boolean failed(IOException problem, long nowNanos) {
        disconnect();
        warnings.accept("chivato: dnstap: lost the collector at unix:" + path + " (" + problem.getMessage()
                + "); reconnecting");
        outageReported = true;
        nextTryNanos = nowNanos + backoffNanos;
        return true;
    }

    @Override
    public void finish(long limitNanos) {
        if (channel == null) {
            return;
        }
        try {
            long deadline = System.nanoTime() + limitNanos;
            writeBefore(FrameStreams.control(FrameStreams.Control.STOP, null), deadline);
            readControl(deadline); // FINISH: the collector has read everything
        } catch (IOException e) {
            warnings.accept("chivato: dnstap: the collector at unix:" + path + " did not finish the stream: "
                    + e.getMessage());
        }
        disconnect();
    }

    private void disconnect() {
        try {
            if (selector != null) {
                selector.close();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing what is already broken
        }
        selector = null;
        channel = null;
    }

    @Override
    public String describe() {
        return "unix:" + path;
    }
}
