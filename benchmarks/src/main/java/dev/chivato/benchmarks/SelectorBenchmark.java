package dev.chivato.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The event loop's turn around one ready socket: a UDP socket with a datagram left in it, so the (level-triggered)
 * selector finds it ready every time. Handled through the selected-key set and its iterator, as the loop did, or
 * handed to an action as the selector finds it ({@code select(Consumer)}), as it does now. The system call is in
 * both; the difference is the set.
 */
@State(Scope.Thread)
public class SelectorBenchmark extends NanosecondBenchmark {
    private Selector selector;
    private DatagramChannel ready;
    private long handled;
    private final Consumer<SelectionKey> action = key -> handled += key.readyOps();

    @Setup
    public void oneReadySocket() throws IOException {
        selector = Selector.open();
        ready = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ready.configureBlocking(false);
        ready.register(selector, SelectionKey.OP_READ);
        try (DatagramChannel sender = DatagramChannel.open()) {
            sender.send(ByteBuffer.wrap(new byte[] {1}), ready.getLocalAddress());
        }
        while (selector.selectNow() == 0) {
            Thread.onSpinWait(); // until the datagram is there
        }
        selector.selectedKeys().clear();
    }

    @TearDown
    public void close() throws IOException {
        selector.close();
        ready.close();
    }

    @Benchmark
    public long selectedKeySet() throws IOException {
        selector.selectNow();
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            handled += key.readyOps();
        }
        return handled;
    }

    @Benchmark
    public long action() throws IOException {
        selector.selectNow(action);
        return handled;
    }
}
