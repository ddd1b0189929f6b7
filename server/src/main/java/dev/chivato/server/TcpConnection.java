package dev.chivato.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One TCP client (RFC 1035 section 4.2.2, RFC 7766): messages framed by a 2-octet length, any number of them
 * pipelined, answered in order. Owned by one event loop thread; nothing here is shared.
 */
final class TcpConnection {
    /** Stop reading from a client whose unread answers pass this; resume once they drain. */
    static final int MAX_PENDING_OUTPUT = 128 * 1024;
    private static final int INITIAL_INPUT = 4096;
    private static final int MAX_FRAME = 2 + 0xffff;

    final SocketChannel channel;
    final SelectionKey key;
    final InetSocketAddress client;
    /** Bytes read and not yet handled, in write mode. */
    private ByteBuffer input = ByteBuffer.allocate(INITIAL_INPUT);
    private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
    private int pendingOutput;
    private long lastActivityNanos;
    /** When the unfinished message in {@link #input} started, or -1 when none is unfinished. */
    private long partialSinceNanos = -1;
    /** Since when answers have been waiting for the client to take them, or -1 when all went out. */
    private long outputWaitingSinceNanos = -1;

    TcpConnection(SocketChannel channel, SelectionKey key, InetSocketAddress client, long nowNanos) {
        this.channel = channel;
        this.key = key;
        this.client = client;
        this.lastActivityNanos = nowNanos;
    }

    /** Reads what is there and answers every whole message; false when the connection is to be closed. */
    boolean onReadable(PacketProcessor processor, ByteBuffer scratch, long nowNanos) throws IOException {
        while (pendingOutput < MAX_PENDING_OUTPUT) {
            if (!input.hasRemaining()) {
                if (input.capacity() >= MAX_FRAME) {
                    return false; // cannot happen: a frame is at most MAX_FRAME and is consumed when whole
                }
                input = ByteBuffer.allocate(Math.min(MAX_FRAME, input.capacity() * 4)).put(input.flip());
            }
            int read = channel.read(input);
            if (read < 0) {
                return false;
            }
            if (read == 0) {
                break;
            }
            lastActivityNanos = nowNanos;
            if (!answerWholeMessages(processor, scratch)) {
                return false;
            }
        }
        partialSinceNanos = input.position() == 0 ? -1 : partialSinceNanos < 0 ? nowNanos : partialSinceNanos;
        return flush(nowNanos);
    }

    private boolean answerWholeMessages(PacketProcessor processor, ByteBuffer scratch) {
        input.flip();
        try {
            while (input.remaining() >= 2) {
                int length = input.getShort(input.position()) & 0xffff;
                if (length < dev.chivato.protocol.Header.LENGTH) {
                    return false; // not even a header: nothing sensible can follow on this stream
                }
                if (input.remaining() < 2 + length) {
                    if (input.capacity() < 2 + length) {
                        // make room for the whole frame on the next read
                        ByteBuffer larger = ByteBuffer.allocate(2 + length);
                        larger.put(input);
                        input = larger.flip();
                    }
                    break;
                }
                ByteBuffer message = input.slice(input.position() + 2, length);
                input.position(input.position() + 2 + length);
                scratch.clear();
                scratch.position(2);
                int answerLength = processor.process(message, scratch, Transport.TCP, client);
                if (answerLength != PacketProcessor.DROP) {
                    scratch.putShort(0, (short) answerLength);
                    scratch.flip();
                    ByteBuffer copy = ByteBuffer.allocate(scratch.remaining()).put(scratch).flip();
                    output.add(copy);
                    pendingOutput += copy.remaining();
                    if (outputWaitingSinceNanos < 0) {
                        outputWaitingSinceNanos = lastActivityNanos;
                    }
                }
                partialSinceNanos = -1;
            }
        } finally {
            input.compact();
        }
        return true;
    }

    /** Writes what the socket takes; asks for OP_WRITE while anything is left. False when the peer is gone. */
    boolean flush(long nowNanos) throws IOException {
        while (!output.isEmpty()) {
            ByteBuffer head = output.peek();
            int written = channel.write(head);
            if (written > 0) {
                lastActivityNanos = nowNanos;
                pendingOutput -= written;
            }
            if (head.hasRemaining()) {
                break;
            }
            output.poll();
        }
        if (output.isEmpty()) {
            outputWaitingSinceNanos = -1;
        }
        int interest = (output.isEmpty() ? 0 : SelectionKey.OP_WRITE)
                | (pendingOutput < MAX_PENDING_OUTPUT ? SelectionKey.OP_READ : 0);
        if (key.interestOps() != interest) {
            key.interestOps(interest);
        }
        return true;
    }

    boolean hasPendingOutput() {
        return !output.isEmpty();
    }

    /**
     * Whether a timeout has passed: idle, a message left half-sent, or answers the client has not taken for the
     * I/O timeout (a client that reads nothing, or reads a trickle, would otherwise hold its buffers forever).
     */
    boolean timedOut(long nowNanos, long idleNanos, long ioNanos) {
        if (partialSinceNanos >= 0 && nowNanos - partialSinceNanos > ioNanos) {
            return true;
        }
        if (outputWaitingSinceNanos >= 0 && nowNanos - outputWaitingSinceNanos > ioNanos) {
            return true;
        }
        return nowNanos - lastActivityNanos > idleNanos;
    }
}
