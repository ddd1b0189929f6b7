package dev.chivato.server.forward;

import dev.chivato.protocol.Header;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * One TCP connection to an upstream, kept and reused (RFC 7766 section 6.2.1): queries are written as they come
 * (pipelined), answers are read as they complete and told apart by ID. Owned by one event loop.
 *
 * <p>An upstream cannot hold the loop: at most {@link #FRAMES_PER_TURN} answers are read per turn (what is left
 * wakes the level-triggered selector again, after the loop's other sockets had theirs), and a frame shorter than a
 * header ends the connection.
 *
 * @param <T> what waits for an answer
 */
final class UpstreamStream<T> {
    static final int FRAMES_PER_TURN = 64;

    final InetSocketAddress upstream;
    /** What waits on this connection, by the ID its query was sent with. */
    final IdTable<T> waiting = new IdTable<>();
    long lastUsed;
    /** Answers read on it: a connection that has answered before is a kept one, worth one reconnect if it dies. */
    int answered;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final ArrayDeque<ByteBuffer> outgoing = new ArrayDeque<>();
    private final ByteBuffer length = ByteBuffer.allocate(2);
    /** The answer being read, or null while its length is. */
    private ByteBuffer message;
    private boolean connected;
    private boolean closed;

    private UpstreamStream(InetSocketAddress upstream, SocketChannel channel, SelectionKey key, boolean connected) {
        this.upstream = upstream;
        this.channel = channel;
        this.key = key;
        this.connected = connected;
    }

    /** Starts connecting; the connection registers itself on the selector. */
    static <T> UpstreamStream<T> open(Selector selector, InetSocketAddress upstream) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            boolean connected = channel.connect(upstream);
            SelectionKey key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT);
            UpstreamStream<T> stream = new UpstreamStream<>(upstream, channel, key, connected);
            key.attach(stream);
            return stream;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** An ID nothing on this connection waits with. */
    int freeId(KeystreamRandom random) {
        return freeId(waiting, random);
    }

    /** A random ID that is not a key of {@code taken}. */
    static int freeId(IdTable<?> taken, KeystreamRandom random) {
        int id;
        do {
            id = random.nextInt(0x10000);
        } while (taken.containsId(id));
        return id;
    }

    /** Our end of the connection (null before it is bound), for dnstap and the capture. */
    InetSocketAddress local() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    /** Queues a query (its 2 octets of length first) for {@code waiter}, which waits under {@code id}. */
    void send(int id, T waiter, ByteBuffer framedQuery, long now) {
        waiting.put(id, waiter);
        outgoing.add(framedQuery);
        lastUsed = now;
        interest();
    }

    /** Connects, writes what is queued, and hands each whole answer read (at most a turn's) to {@code answers}. */
    void onReady(Consumer<ByteBuffer> answers) throws IOException {
        if (key.isConnectable() && channel.finishConnect()) {
            connected = true;
        }
        while (connected && !outgoing.isEmpty()) {
            channel.write(outgoing.peek());
            if (outgoing.peek().hasRemaining()) {
                break;
            }
            outgoing.poll();
        }
        if (connected && key.isReadable()) {
            read(answers);
        }
        interest();
    }

    private void read(Consumer<ByteBuffer> answers) throws IOException {
        for (int frames = 0; frames < FRAMES_PER_TURN; ) {
            ByteBuffer into = message == null ? length : message;
            int read = channel.read(into);
            if (read < 0) {
                throw new IOException("the upstream closed the connection");
            }
            if (into.hasRemaining()) {
                return;
            }
            if (message == null) {
                int size = length.getShort(0) & 0xffff;
                if (size < Header.LENGTH) {
                    throw new IOException("the upstream sent a frame of " + size + " octets, shorter than a header");
                }
                message = ByteBuffer.allocate(size); // at most 65535: the format's bound
                length.clear();
            } else {
                frames++;
                answered++;
                ByteBuffer answer = message.flip();
                message = null;
                answers.accept(answer);
                if (closed) {
                    return;
                }
            }
        }
    }

    private void interest() {
        int ops = !connected ? SelectionKey.OP_CONNECT
                : SelectionKey.OP_READ | (outgoing.isEmpty() ? 0 : SelectionKey.OP_WRITE);
        if (key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }
}
