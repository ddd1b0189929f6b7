package dev.chivato.server.network;

import dev.chivato.protocol.Header;
import dev.chivato.server.core.Transport;
import dev.chivato.server.forward.Forwarding;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One TCP client (RFC 1035 section 4.2.2, RFC 7766): messages framed by a 2-octet length, any number of them
 * pipelined, answered as their answers are ready (a forwarded one may come after later ones, section 6.2.1.1). Owned
 * by one event loop thread; nothing here is shared but the memory budget.
 *
 * <p>Memory is bounded before anything is answered: a message is answered only while the unsent answers, with
 * {@link #RESERVED_PER_FORWARD} octets set aside for each answer still owed by an upstream, are under
 * {@link #MAX_PENDING_OUTPUT}, and reading stops until they drain, so a client that never reads holds at most about
 * that plus one answer plus one message being read. Whole messages already read wait in the input buffer, which
 * shrinks back once a large message is gone.
 *
 * <p>An answer that comes later is queued by the completion path ({@link #send}); the connection then goes on with
 * what waited in a task of its own ({@link #release}), never inside the completion.
 */
final class TcpConnection implements Destination {
    /** Stop answering (and reading) while a client's unsent answers are at least this. */
    static final int MAX_PENDING_OUTPUT = 128 * 1024;
    /** Octets of the output cap set aside for each answer an upstream still owes: the cap covers those too. */
    static final int RESERVED_PER_FORWARD = MAX_PENDING_OUTPUT / Forwarding.MAX_PER_CONNECTION;
    /** Octets per second a client must take, over each I/O timeout, while answers wait for it. */
    static final int MIN_OUTPUT_RATE = 1024;
    private static final int INITIAL_INPUT = 4096;

    final SocketChannel channel;
    final SelectionKey key;
    final InetSocketAddress client;
    /** Its place in the order its event loop accepted connections. */
    final long serial;
    private final ExchangePath path;
    /** The loop's buffer a stream writes each message into before it is copied to the queue. */
    private final ByteBuffer scratch;
    private final MemoryBudget budget;
    /** Bytes read and not yet handled, in write mode. */
    private ByteBuffer input = ByteBuffer.allocate(INITIAL_INPUT);
    private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
    private int pendingOutput;
    /** The octets this connection has charged to the budget. */
    private int charged;
    /** The client half-closed: answer what was read, send it all, then close. */
    private boolean inputClosed;
    private long lastActivityNanos;
    /** When the unfinished message at the head of {@link #input} started, or -1 when none is unfinished. */
    private long partialSinceNanos = -1;
    /** Start of the current window in which a client with answers waiting must take enough of them, or -1. */
    private long outputWindowStartNanos = -1;
    private long writtenInWindow;
    /** The loop's task queue: where the connection goes on after an answer that came later. */
    private final Executor loop;
    /** How the loop closes this connection when an answer that came later finds it done. */
    private final Consumer<TcpConnection> closer;
    /** Forwarded queries whose answers are still owed; reading stops at {@link Forwarding#MAX_PER_CONNECTION}. */
    private int awaiting;
    private boolean closed;
    /** A test's fault closes it without an answer: nothing more is read or answered. */
    private boolean abandoned;
    /** A transfer being sent, or null. */
    private MessageStream stream;
    private int streamed;
    /** Unsent octets below which a stream's next message is made: a few 16 KiB messages. */
    static final int STREAM_QUEUED = 64 * 1024;

    TcpConnection(SocketChannel channel, SelectionKey key, InetSocketAddress client, ExchangePath path,
            ByteBuffer scratch, MemoryBudget budget, long nowNanos, long serial, Executor loop,
            Consumer<TcpConnection> closer) {
        this.loop = loop;
        this.closer = closer;
        this.channel = channel;
        this.key = key;
        this.client = client;
        this.serial = serial;
        this.path = path;
        this.scratch = scratch;
        this.budget = budget;
        this.lastActivityNanos = nowNanos;
        account();
    }

    /** Reads what is there and answers whole messages while there is room; false when the connection is done. */
    boolean onReadable(long nowNanos) throws IOException {
        while (!inputClosed && mayAnswer() && !hasWholeMessage()) {
            if (!input.hasRemaining()) {
                return false; // cannot happen: the buffer is grown to hold the message at its head
            }
            int read = channel.read(input);
            if (read < 0) {
                inputClosed = true; // half-closed: what was read is still answered (RFC 7766 section 6.2.4)
                break;
            }
            if (read == 0) {
                break;
            }
            lastActivityNanos = nowNanos;
            if (!answerWholeMessages(nowNanos)) {
                return false;
            }
        }
        return flush(nowNanos);
    }

    /** Answers the whole messages at the head of the input while the unsent answers are under the cap. */
    private boolean answerWholeMessages(long nowNanos) {
        boolean answered = false;
        input.flip();
        try {
            while (mayAnswer() && input.remaining() >= 2) {
                int length = input.getShort(input.position()) & 0xffff;
                if (length < Header.LENGTH) {
                    return false; // not even a header: nothing sensible can follow on this stream
                }
                if (input.remaining() < 2 + length) {
                    break;
                }
                ByteBuffer message = input.slice(input.position() + 2, length);
                input.position(input.position() + 2 + length);
                path.receive(message, Transport.TCP, client, this);
                answered = true;
                if (abandoned) {
                    return false;
                }
            }
        } finally {
            input.compact();
        }
        fitInput();
        if (answered || inputClosed || !hasPartialMessage()) {
            partialSinceNanos = -1;
        }
        if (!inputClosed && hasPartialMessage() && partialSinceNanos < 0) {
            partialSinceNanos = nowNanos;
        }
        account();
        return true;
    }

    /** Queues an answer: the {@code length} octets that end at {@code out}'s position, its length put before them. */
    @Override
    public Optional<String> send(ByteBuffer out, int length) {
        if (closed) {
            return Optional.of("the connection was closed before the answer came");
        }
        int start = out.position() - length - 2;
        out.putShort(start, (short) length);
        ByteBuffer copy = ByteBuffer.allocate(2 + length).put(0, out, start, 2 + length);
        if (output.isEmpty()) {
            outputWindowStartNanos = lastActivityNanos;
            writtenInWindow = 0;
        }
        output.add(copy);
        pendingOutput += copy.remaining();
        return Optional.empty();
    }

    /**
     * Writes what the socket takes, answers messages already read as room frees up, and sets what to wait for.
     * False when the connection is done: the client half-closed and has been sent everything it was owed.
     */
    boolean flush(long nowNanos) throws IOException {
        if (abandoned) {
            return false;
        }
        while (true) {
            if (!fillFromStream()) {
                return false;
            }
            write(nowNanos);
            if (stream != null) {
                if (!output.isEmpty()) {
                    break; // the socket is full: more when it takes some
                }
                continue;
            }
            if (!mayAnswer() || !hasWholeMessage()) {
                break;
            }
            if (!answerWholeMessages(nowNanos)) {
                return false;
            }
        }
        if (inputClosed && output.isEmpty() && !hasWholeMessage() && awaiting == 0 && stream == null) {
            return false;
        }
        boolean wantsInput = !inputClosed && mayAnswer() && !hasWholeMessage();
        int interest = (output.isEmpty() ? 0 : SelectionKey.OP_WRITE) | (wantsInput ? SelectionKey.OP_READ : 0);
        if (key.interestOps() != interest) {
            key.interestOps(interest);
        }
        account();
        return true;
    }

    private void write(long nowNanos) throws IOException {
        while (!output.isEmpty()) {
            ByteBuffer head = output.peek();
            int written = channel.write(head);
            if (written > 0) {
                lastActivityNanos = nowNanos;
                pendingOutput -= written;
                writtenInWindow += written;
            }
            if (head.hasRemaining()) {
                break;
            }
            output.poll();
        }
        if (output.isEmpty()) {
            outputWindowStartNanos = -1;
        }
    }

    /**
     * Room for one more answer: few enough unsent (with room set aside for those upstreams still owe), few enough
     * owed, and no stream under way.
     */
    private boolean mayAnswer() {
        return pendingOutput + awaiting * RESERVED_PER_FORWARD < MAX_PENDING_OUTPUT
                && awaiting < Forwarding.MAX_PER_CONNECTION && stream == null;
    }

    /** Whether another message would be answered now: tests watch a connection stop reading at its cap. */
    boolean reading() {
        return !inputClosed && mayAnswer();
    }

    @Override
    public InetSocketAddress local() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    /** For a forwarded query: this connection is owed its answer, which {@link #send} queues when it comes. */
    @Override
    public Destination keep() {
        awaiting++;
        return this;
    }

    /**
     * The answer owed came (and was queued) or never will: the connection goes on, in a task of its own, with what
     * waited behind the cap, and writes what was queued.
     */
    @Override
    public void release() {
        awaiting--;
        if (!closed) {
            loop.execute(this::resume);
        }
    }

    /** Closed without an answer: at once when in its own turn (the read stops), else in a task of its own. */
    @Override
    public void abandon() {
        abandoned = true;
        if (!closed) {
            loop.execute(this::resume);
        }
    }

    private void resume() {
        if (closed) {
            return;
        }
        try {
            if (!flush(System.nanoTime())) {
                closer.accept(this);
            }
        } catch (IOException | RuntimeException e) {
            closer.accept(this);
        }
    }

    /** The loop closed it: answers still owed are dropped when they come, and a stream stops. */
    void markClosed() {
        closed = true;
        if (stream != null) {
            MessageStream stopped = stream;
            stream = null;
            stopped.finished("the connection closed after " + streamed + " messages");
        }
    }

    /** Many messages for the query just read: they are made as the client takes them; reading waits meanwhile. */
    @Override
    public boolean stream(MessageStream messages) {
        stream = messages;
        streamed = 0;
        return true;
    }

    /**
     * Queues the stream's next messages while less than {@link #STREAM_QUEUED} waits unsent, so a slow reader holds
     * a few messages, not the stream; ends the stream after its last. False when the stream failed (a message it could
     * not make): it is ended with why, and the connection must close, as the transfer cannot be whole.
     */
    private boolean fillFromStream() {
        while (stream != null && pendingOutput < STREAM_QUEUED) {
            scratch.clear().position(2);
            int length;
            try {
                length = stream.next(scratch);
            } catch (RuntimeException failure) {
                MessageStream failed = stream;
                stream = null;
                failed.finished("failed after " + streamed + " messages: " + failure.getMessage());
                return false;
            }
            if (length < 0) {
                MessageStream done = stream;
                stream = null;
                done.finished(null);
                return true;
            }
            streamed++;
            send(scratch, length);
        }
        return true;
    }

    /** Grows the input to hold the message at its head, or shrinks it back once a large message is gone. */
    private void fitInput() {
        int held = input.position();
        int needed = Math.max(INITIAL_INPUT, held);
        if (held >= 2) {
            needed = Math.max(needed, 2 + (input.getShort(0) & 0xffff));
        }
        if (input.capacity() < needed || input.capacity() > INITIAL_INPUT && needed == INITIAL_INPUT) {
            input = ByteBuffer.allocate(needed).put(input.flip());
        }
    }

    /** Whether a whole message waits at the head of the input. */
    private boolean hasWholeMessage() {
        return input.position() >= 2 && input.position() >= 2 + (input.getShort(0) & 0xffff);
    }

    private boolean hasPartialMessage() {
        return input.position() > 0 && !hasWholeMessage();
    }

    boolean hasPendingOutput() {
        return !output.isEmpty();
    }

    /** Nothing half-read and nothing unsent: closing it loses nothing. */
    boolean isIdle() {
        return output.isEmpty() && input.position() == 0 && awaiting == 0 && stream == null;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** The octets this connection holds in buffers. */
    int footprint() {
        return input.capacity() + pendingOutput;
    }

    private void account() {
        int now = footprint();
        budget.add(now - charged);
        charged = now;
    }

    /** Gives back what this connection charged to the budget; called once, when it is closed. */
    void releaseMemory() {
        budget.add(-charged);
        charged = 0;
    }

    /**
     * Whether to close: a message left half-sent for the I/O timeout (slow-loris), a client that took less than
     * {@link #MIN_OUTPUT_RATE} of its waiting answers over an I/O timeout (a stalled reader; a slow but steady one
     * is served), or nothing to do for the idle timeout.
     */
    boolean timedOut(long nowNanos, long idleNanos, long ioNanos) {
        if (partialSinceNanos >= 0 && nowNanos - partialSinceNanos > ioNanos) {
            return true;
        }
        if (!output.isEmpty()) {
            if (nowNanos - outputWindowStartNanos > ioNanos) {
                if (writtenInWindow < MIN_OUTPUT_RATE * (ioNanos / 1_000_000_000.0)) {
                    return true;
                }
                outputWindowStartNanos = nowNanos;
                writtenInWindow = 0;
            }
            return false;
        }
        return !hasWholeMessage() && awaiting == 0 && nowNanos - lastActivityNanos > idleNanos;
    }
}
