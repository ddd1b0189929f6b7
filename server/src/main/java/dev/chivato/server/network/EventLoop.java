package dev.chivato.server.network;

import dev.chivato.server.core.Timers;
import dev.chivato.server.core.Transport;
import dev.chivato.server.forward.ForwardCache;
import dev.chivato.server.forward.Forwarder;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.metrics.Metrics;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One thread and the selector it alone owns (as in the JDK's own HTTP server): its TCP listening sockets, the
 * connections they accepted, its upstream sockets, its timers and its task queue. Each turn it handles what the
 * selector found, then the tasks posted to it (answers that came later, a test's delayed requests its UDP readers
 * hand over, connections to go on with), then the timers due. Buffers are this loop's and reused for every message.
 *
 * <p>Its UDP sockets are read each by a thread of its own that blocks in {@code receive} ({@link UdpReader}), or
 * in {@code recvmmsg} for every datagram waiting on a JDK 22 or later ({@link BatchedDatagrams}):
 * a selector woken for each datagram cost 6 % more CPU per query at saturation (benchmarks/load/compare.sh, rows
 * chivato and chivato-readers of the same run, 2026-12-06). A loop that forwards reads them on its selector
 * instead, beside its upstream sockets (see {@link #add(DatagramChannel)}).
 *
 * <p>Failure policy: whatever one request, connection, socket or task throws (a {@link RuntimeException}) costs that
 * one thing, with a line on stderr; only a JVM {@link Error} (or a selector that fails) stops the loop, and with it
 * the whole server, loudly. Running out of descriptors on accept pauses accepting for {@link #ACCEPT_PAUSE_NANOS}, as
 * NSD's slow accept does, while UDP and the open connections go on.
 */
final class EventLoop implements Runnable, Executor {
    private static final long SWEEP_INTERVAL_MILLIS = 250;
    /** How long accepting stops after accept() failed (EMFILE, ENFILE). */
    static final long ACCEPT_PAUSE_NANOS = 500_000_000L;
    private static final long ACCEPT_WARNING_INTERVAL_NANOS = 10_000_000_000L;

    private final Selector selector;
    private final Service service;
    private final ServerConfig config;
    private final AtomicInteger openConnections;
    private final MemoryBudget tcpMemory;
    /** Told when this loop cannot go on, so the whole server stops instead of living on half-deaf. */
    private final Consumer<Throwable> onFailure;
    /** Where a transfer writes each of its messages before the connection queues it. */
    private final ByteBuffer streamScratch = ByteBuffer.allocate(2 + 0xffff);
    private final Set<TcpConnection> connections = new HashSet<>();
    /** Numbers connections in the order they were accepted: of two idle since the same wake-up, the older goes. */
    private long accepted;
    private static final Comparator<TcpConnection> IDLEST_FIRST =
            Comparator.comparingLong(TcpConnection::lastActivityNanos).thenComparingLong(c -> c.serial);
    private final List<SelectableChannel> listeners = new ArrayList<>();
    private final Timers timers = new Timers();
    /** Tasks posted from this loop's own thread, and from others (those wake the selector). */
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Runnable> posted = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;
    /** This loop's queries waiting for upstream servers; null when nothing is forwarded. */
    private final Forwarder forwarder;
    private final ExchangePath path;
    private volatile boolean running = true;
    private final List<DatagramReader> readers = new ArrayList<>();
    /** The most datagrams one UDP socket's turn reads on the selector, so that one socket cannot starve the rest. */
    private static final int DATAGRAMS_PER_TURN = 64;
    /** Where the selector's UDP sockets receive, and how they answer: reused for every datagram. */
    private final ByteBuffer datagramIn = ByteBuffer.allocateDirect(0xffff);
    private final DatagramDestination datagramDestination = new DatagramDestination();
    private final List<Thread> readerThreads = new ArrayList<>();
    private long lastAcceptWarning = System.nanoTime() - ACCEPT_WARNING_INTERVAL_NANOS;
    private long acceptFailuresSinceWarning;

    /** {@code forwardCache} is the one all loops share, or null when nothing is forwarded. */
    EventLoop(Service service, ServerConfig config, AtomicInteger openConnections, MemoryBudget tcpMemory,
            ForwardCache forwardCache, int upstreamPorts, Consumer<Throwable> onFailure) throws IOException {
        this.selector = Selector.open();
        this.service = service;
        this.config = config;
        this.openConnections = openConnections;
        this.tcpMemory = tcpMemory;
        this.onFailure = onFailure;
        this.forwarder = config.forwarding().enabled()
                ? new Forwarder(selector, config.forwarding(), forwardCache, timers, this,
                        new UpstreamTap(service), service::warn, upstreamPorts) : null;
        this.path = new ExchangePath(service, forwarder, this, timers);
    }

    /**
     * A UDP socket: read by a thread of its own once the loop runs (in batches where the JVM can, see
     * {@link BatchedDatagrams}), or on this loop's selector when it forwards. A
     * forwarding loop wakes for its upstream answers anyway, and a reader would post every miss to it (one more
     * wake-up): reading on the selector cost 6 % less CPU per miss and 3 % more per cache hit
     * (benchmarks/load/forward.sh, the two builds side by side, 2026-12-06).
     */
    void add(DatagramChannel channel) throws IOException {
        if (forwarder != null) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ,
                    new DatagramSocket((InetSocketAddress) channel.getLocalAddress()));
        } else if (BatchedDatagrams.unavailable() == null) {
            readers.add(BatchedDatagrams.open(channel, ExchangePath.beside(path), service, onFailure));
        } else {
            readers.add(new UdpReader(channel, ExchangePath.beside(path), service, onFailure));
        }
        listeners.add(channel);
    }

    /** What a UDP socket's key carries: its address, and how many datagrams its next turn reads. */
    private static final class DatagramSocket {
        final InetSocketAddress local;
        /**
         * Reading until the socket is empty costs a receive that finds nothing on every turn: a third system call per
         * query when queries come one per wake-up, as they do below saturation. So a turn reads as many as the last
         * one found, twice that when the last one stopped with more perhaps waiting (the selector is level-triggered:
         * whatever is left wakes it again at once).
         */
        int datagrams = 1;

        DatagramSocket(InetSocketAddress local) {
            this.local = local;
        }
    }

    private void receiveDatagrams(DatagramChannel channel, DatagramSocket socket) {
        int turn = socket.datagrams;
        for (int i = 0; i < turn; i++) {
            datagramIn.clear();
            InetSocketAddress client;
            try {
                client = (InetSocketAddress) channel.receive(datagramIn);
            } catch (IOException e) {
                service.warn("chivato: cannot receive on " + LogFormat.address(socket.local) + ": " + e.getMessage());
                return;
            }
            if (client == null) {
                socket.datagrams = Math.max(1, i);
                return;
            }
            datagramIn.flip();
            datagramDestination.set(channel, socket.local, client);
            path.receive(datagramIn, Transport.UDP, client, datagramDestination);
        }
        socket.datagrams = Math.min(DATAGRAMS_PER_TURN, 2 * turn);
    }

    void add(ServerSocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_ACCEPT);
        listeners.add(channel);
    }

    /** Runs {@code task} on this loop's thread, after the work in hand: never inside whoever posts it. */
    @Override
    public void execute(Runnable task) {
        if (Thread.currentThread() == thread) {
            tasks.add(task);
        } else {
            posted.add(task);
            selector.wakeup();
        }
    }

    /** Asks the loop to stop; it finishes the message in hand, sends what is pending, and closes its sockets. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        for (DatagramReader reader : readers) {
            Thread reading = new Thread(reader, thread.getName() + "-udp");
            reading.setDaemon(true);
            readerThreads.add(reading);
            reading.start();
        }
        if (service.rateLimiter() != null) {
            summarizeRateLimitingEverySecond(System.nanoTime());
        }
        idleNanos = config.idleTimeout().toNanos();
        ioNanos = config.ioTimeout().toNanos();
        nextSweep = System.nanoTime();
        try {
            long wait = SWEEP_INTERVAL_MILLIS;
            while (running) {
                wait = turn(wait);
            }
        } catch (Throwable failure) {
            // An Error, or a selector that fails: this loop cannot serve any more.
            running = false;
            onFailure.accept(failure);
        } finally {
            shutDown();
        }
    }

    private long idleNanos;
    private long ioNanos;
    private long nextSweep;

    /**
     * One turn: the selector's ready keys (waiting up to {@code wait} ms for one when there is nothing else to do),
     * the tasks, the timers due, and the sweeps when their time comes. Returns how long the next turn may wait.
     *
     * <p>A method of its own, so that the JIT compiles it as a method after a few thousand turns: written inside
     * {@link #run}'s loop, it ran in the interpreter and then in C1's profiling code until the loop itself was
     * compiled on the stack, some 100,000 turns in (12 s at 20,000 forwarded queries a second, past the load
     * scripts' 5 s warm-up; seen with {@code -XX:+PrintCompilation}).
     */
    private long turn(long wait) throws IOException {
        selectedAt = NOT_YET;
        if (tasks.isEmpty() && posted.isEmpty()) {
            selector.select(onSelected, wait);
        } else {
            selector.selectNow(onSelected);
        }
        long now = selectedAt != NOT_YET ? selectedAt : System.nanoTime();
        runTasks();
        long due = timers.runDue(System.nanoTime(), this::taskFailed);
        runTasks();
        if (tcpMemory.exceeded()) {
            closeLargest();
        }
        if (now - nextSweep >= 0) {
            closeTimedOut(now, idleNanos, ioNanos);
            if (forwarder != null) {
                forwarder.sweep(now);
            }
            nextSweep = now + SWEEP_INTERVAL_MILLIS * 1_000_000;
        }
        return due < 0 ? SWEEP_INTERVAL_MILLIS : Math.max(1, Math.min(SWEEP_INTERVAL_MILLIS, due / 1_000_000));
    }

    /** The tasks posted so far (those they post run in the next round, after the selector had its turn). */
    private void runTasks() {
        for (Runnable task; (task = posted.poll()) != null; ) {
            tasks.add(task);
        }
        for (int n = tasks.size(); n > 0; n--) {
            Runnable task = tasks.poll();
            try {
                task.run();
            } catch (RuntimeException bug) {
                taskFailed(bug);
            }
        }
    }

    private void taskFailed(RuntimeException bug) {
        service.warn("chivato: internal error in a task of the event loop: " + bug);
    }

    /**
     * Each ready key is handed to {@link #onReady} as the selector finds it, not gathered into its selected-key set
     * first: no set to add each key to and take it out of again through an iterator (SelectorBenchmark, one ready
     * socket: 338 ns a turn against 354, 2026-12-07).
     */
    private final Consumer<SelectionKey> onSelected = this::onReady;
    private static final long NOT_YET = Long.MIN_VALUE;
    /** When the selector returned the first key of this turn (the time all of them are handled at), or NOT_YET. */
    private long selectedAt;

    private void onReady(SelectionKey key) {
        if (!running) {
            return;
        }
        if (selectedAt == NOT_YET) {
            selectedAt = System.nanoTime();
        }
        handleGuarded(key, selectedAt);
    }

    /** One key's turn; whatever goes wrong costs that socket or connection only. */
    private void handleGuarded(SelectionKey key, long now) {
        try {
            handle(key, now);
        } catch (RuntimeException bug) {
            if (key.attachment() instanceof TcpConnection connection) {
                service.warn("chivato: closing the TCP connection from " + LogFormat.address(connection.client)
                        + " after an internal error: " + bug);
                close(connection, Metrics.Closed.ERROR);
            } else {
                service.warn("chivato: internal error on a socket of the event loop: " + bug);
            }
        }
    }

    private void handle(SelectionKey key, long now) {
        if (!key.isValid()) {
            return;
        }
        if (forwarder != null && forwarder.owns(key)) {
            forwarder.onReady(key, now);
            return;
        }
        SelectableChannel channel = key.channel();
        if (channel instanceof DatagramChannel datagrams) {
            receiveDatagrams(datagrams, (DatagramSocket) key.attachment());
        } else if (channel instanceof ServerSocketChannel server) {
            accept(server, key, now);
        } else {
            serve((TcpConnection) key.attachment(), key, now);
        }
    }

    /** One connection's turn. Whatever goes wrong with it costs that connection only. */
    private void serve(TcpConnection connection, SelectionKey key, long now) {
        try {
            boolean open = true;
            if (key.isWritable()) {
                open = connection.flush(now);
            }
            if (open && key.isValid() && key.isReadable()) {
                open = connection.onReadable(now);
            }
            if (!open) {
                close(connection, Metrics.Closed.CLIENT);
            }
        } catch (IOException e) {
            close(connection, Metrics.Closed.CLIENT); // the client reset or vanished
        }
    }

    private void accept(ServerSocketChannel server, SelectionKey key, long now) {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                pauseAccepting(key, e, now); // out of descriptors (EMFILE, ENFILE), or out of memory for sockets
                return;
            }
            if (channel == null) {
                return;
            }
            if (openConnections.incrementAndGet() > config.maxConnections()) {
                openConnections.decrementAndGet();
                if (!closeIdlest()) {
                    closeQuietly(channel); // full of busy clients: refuse this one
                    continue;
                }
                openConnections.incrementAndGet();
            }
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                SelectionKey connectionKey = channel.register(selector, SelectionKey.OP_READ);
                TcpConnection connection = new TcpConnection(channel, connectionKey,
                        (InetSocketAddress) channel.getRemoteAddress(), path, streamScratch, tcpMemory, now,
                        accepted++, this, c -> close(c, Metrics.Closed.CLIENT));
                connectionKey.attach(connection);
                connections.add(connection);
                if (service.metrics() != null) {
                    service.metrics().connectionOpened();
                }
            } catch (IOException | RuntimeException e) {
                // the client left while being set up: give its place back
                openConnections.decrementAndGet();
                closeQuietly(channel);
            }
        }
    }

    /** What rate limiting did goes to the log within a second or so, even when nothing else comes to be answered. */
    private void summarizeRateLimitingEverySecond(long now) {
        timers.schedule(now + 1_000_000_000L, at -> {
            path.summarizeRateLimiting();
            summarizeRateLimitingEverySecond(at);
        });
    }

    /**
     * accept() failed: stop accepting on this socket for {@link #ACCEPT_PAUSE_NANOS} (the connection stays queued in
     * the kernel), and say so at most every ten seconds.
     */
    private void pauseAccepting(SelectionKey key, IOException why, long now) {
        key.interestOps(0);
        timers.schedule(now + ACCEPT_PAUSE_NANOS, at -> {
            if (key.isValid()) {
                key.interestOps(SelectionKey.OP_ACCEPT);
            }
        });
        acceptFailuresSinceWarning++;
        if (now - lastAcceptWarning >= ACCEPT_WARNING_INTERVAL_NANOS) {
            service.warn("chivato: cannot accept TCP connections (" + why.getMessage() + "); accepting again in "
                    + ACCEPT_PAUSE_NANOS / 1_000_000 + " ms" + (acceptFailuresSinceWarning > 1
                    ? " (" + (acceptFailuresSinceWarning - 1) + " more such pauses since the last such line)" : ""));
            lastAcceptWarning = now;
            acceptFailuresSinceWarning = 0;
        }
    }

    /** At the connection cap, makes room by closing this loop's longest-idle connection; false when it has none. */
    private boolean closeIdlest() {
        TcpConnection idlest = null;
        for (TcpConnection connection : connections) {
            if (connection.isIdle() && (idlest == null || IDLEST_FIRST.compare(connection, idlest) < 0)) {
                idlest = connection;
            }
        }
        if (idlest == null) {
            return false;
        }
        close(idlest, Metrics.Closed.CAP);
        return true;
    }

    /** Over the TCP memory budget: closes this loop's connections that hold the most until it is met. */
    private void closeLargest() {
        List<TcpConnection> bySize = new ArrayList<>(connections);
        bySize.sort(Comparator.comparingInt(TcpConnection::footprint).reversed());
        int closed = 0;
        long freed = 0;
        for (TcpConnection connection : bySize) {
            if (!tcpMemory.exceeded()) {
                break;
            }
            freed += connection.footprint();
            abort(connection, Metrics.Closed.MEMORY);
            closed++;
        }
        if (closed > 0) {
            service.warn("chivato: TCP buffers over their budget of " + tcpMemory.limit() + " octets: closed "
                    + closed + " connections holding " + freed + " octets");
        }
    }

    private void closeTimedOut(long now, long idleNanos, long ioNanos) {
        List<TcpConnection> expired = new ArrayList<>();
        for (TcpConnection connection : connections) {
            if (connection.timedOut(now, idleNanos, ioNanos)) {
                expired.add(connection);
            }
        }
        expired.forEach(c -> abort(c, Metrics.Closed.TIMEOUT));
    }

    /**
     * Closes with a reset (SO_LINGER 0): a client that would not take its answers, or holds too much, gets no more
     * of them, and the kernel drops what it still buffered for it instead of holding it until it reads.
     */
    private void abort(TcpConnection connection, Metrics.Closed why) {
        try {
            connection.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            // already gone: closing is all there is to do
        }
        close(connection, why);
    }

    private void close(TcpConnection connection, Metrics.Closed why) {
        connection.markClosed();
        if (connections.remove(connection)) {
            openConnections.decrementAndGet();
            connection.releaseMemory();
            if (service.metrics() != null) {
                service.metrics().connectionClosed(why);
            }
        }
        connection.key.cancel();
        closeQuietly(connection.channel);
    }

    private static void closeQuietly(Closeable channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** This loop's forwarder, or null: for tests that hold its invariants. */
    Forwarder forwarder() {
        return forwarder;
    }

    /** Stops reading, gives pending answers a moment to go out, and closes everything this loop owns. */
    void shutDown() {
        try {
            if (forwarder != null) {
                forwarder.close(); // every client still waiting gets SERVFAIL, posted: sent below with the rest
            }
            runTasks();
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error while stopping: " + bug);
        }
        listeners.forEach(EventLoop::closeQuietly);
        readers.forEach(EventLoop::closeQuietly); // a UDP reader's receive returns: it ends
        long deadline = System.nanoTime() + 1_000_000_000L;
        for (Thread reading : readerThreads) {
            try {
                reading.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)); // its last answer sent
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (TcpConnection connection : new ArrayList<>(connections)) {
            try {
                while (connection.hasPendingOutput() && System.nanoTime() < deadline
                        && connection.flush(System.nanoTime())) {
                    Thread.onSpinWait();
                }
            } catch (IOException | RuntimeException e) {
                // the client is gone
            }
            close(connection, Metrics.Closed.SHUTDOWN);
        }
        closeQuietly(selector);
    }
}
