package dev.chivato.server.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.forward.Forwarding;
import dev.chivato.server.log.QueryLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One TCP connection on a real loopback socket pair, driven by hand: no event loop, no sleeps. */
class TcpConnectionTest {
    private ServerSocketChannel listener;
    private SocketChannel client;
    private SocketChannel accepted;
    private Selector selector;
    private final List<Runnable> posted = new ArrayList<>();
    private final List<TcpConnection> closed = new ArrayList<>();
    private TcpConnection connection;

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(listener.getLocalAddress());
        accepted = listener.accept();
        accepted.configureBlocking(false);
        selector = Selector.open();
        SelectionKey key = accepted.register(selector, SelectionKey.OP_READ);
        ExchangePath path = ExchangePath.standalone(new Service(new QueryHandler(RecordStore.defaults(),
                QueryHandler.UnknownPolicy.NXDOMAIN, false, 300), QueryLog.off()));
        connection = new TcpConnection(accepted, key, (InetSocketAddress) client.getLocalAddress(), path,
                ByteBuffer.allocate(2 + 0xffff), new MemoryBudget(1 << 20), System.nanoTime(), 0, posted::add,
                closed::add);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        accepted.close();
        listener.close();
        selector.close();
    }

    @Test
    void answersOwedByUpstreamsCountAgainstTheOutputCap() {
        List<Destination> kept = new ArrayList<>();
        for (int i = 0; i < Forwarding.MAX_PER_CONNECTION - 1; i++) {
            kept.add(connection.keep());
            assertTrue(connection.reading(), "still room with " + (i + 1) + " answers owed");
        }
        kept.add(connection.keep());
        assertFalse(connection.reading(), "no more reading: the owed answers fill the cap");
        assertEquals(TcpConnection.MAX_PENDING_OUTPUT / Forwarding.MAX_PER_CONNECTION,
                TcpConnection.RESERVED_PER_FORWARD);
        kept.get(0).release();
        assertTrue(connection.reading());
    }

    @Test
    void anAnswerThatCameLaterIsQueuedAndTheConnectionGoesOnInATaskOfItsOwn() throws IOException {
        Destination kept = connection.keep();
        ByteBuffer answer = ByteBuffer.allocate(2 + 12).position(2).put(new byte[12]);
        assertTrue(kept.send(answer, 12).isEmpty());
        kept.release();
        assertEquals(1, posted.size(), "the connection goes on in a task posted to the loop");
        assertEquals(0, client.socket().getInputStream().available(), "nothing was written inside the completion");
        posted.remove(0).run();
        ByteBuffer received = ByteBuffer.allocate(14);
        while (received.hasRemaining()) {
            client.read(received);
        }
        assertEquals(12, received.getShort(0), "the framed answer, written by the task");
        assertTrue(closed.isEmpty());
    }

    @Test
    void aStreamThatCannotMakeItsNextMessageEndsWithWhyAndTheConnectionIsDone() throws IOException {
        List<String> finished = new ArrayList<>();
        connection.stream(new MessageStream() {
            @Override
            public int next(ByteBuffer out) {
                throw new IllegalStateException("a record of example.org. does not fit in a message");
            }

            @Override
            public void finished(String failure) {
                finished.add(failure);
            }
        });
        assertFalse(connection.flush(System.nanoTime()), "the connection must close: the transfer cannot be whole");
        assertEquals(List.of("failed after 0 messages: a record of example.org. does not fit in a message"),
                finished);
    }
}
