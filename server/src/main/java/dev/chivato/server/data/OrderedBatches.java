package dev.chivato.server.data;

import dev.chivato.server.core.FileProblem;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Work on items done by helper threads in batches, the results handed on in the order the items came: reading a
 * large zone, one thread splits the text and keeps the records while the others parse them (a million signed names,
 * benchmarks/load/signed.sh's file on two cores: 14.4 to 17.9 s to answering in one thread, 11.5 to 12.6 so).
 * Few batches wait at a time: more of them, alive through each young collection, made G1 grow the heap (and the
 * page faults of its new memory) until the load was slower than in one thread. Input that fits in one batch is
 * worked on by the calling thread alone, so a small zone starts no thread. At most {@link #IN_FLIGHT} batches wait
 * for a helper: the text is never held whole.
 *
 * <p>Not thread-safe: one thread adds, finishes and closes; {@code work} must touch nothing but its item.
 */
final class OrderedBatches<T, R> implements AutoCloseable {
    static final int BATCH = 1024;
    static final int IN_FLIGHT = 2;

    /** Takes each result, in order; a problem stops the reading. */
    interface Sink<R> {
        void accept(R result) throws FileProblem;
    }

    private final Function<T, R> work;
    private final Sink<R> sink;
    private final int helpers;
    private final ArrayDeque<Future<List<R>>> inFlight = new ArrayDeque<>();
    private List<T> batch = new ArrayList<>();
    private ExecutorService pool;
    private boolean stopped;

    /** With {@code helpers} threads at most, started when the first batch is full; none works in this thread. */
    OrderedBatches(Function<T, R> work, Sink<R> sink, int helpers) {
        this.work = work;
        this.sink = sink;
        this.helpers = helpers;
    }

    /** As many helpers as there are processors besides this thread's. */
    static int helpersForThisMachine() {
        return Runtime.getRuntime().availableProcessors() - 1;
    }

    void add(T item) throws FileProblem {
        batch.add(item);
        if (batch.size() == BATCH) {
            List<T> items = batch;
            batch = new ArrayList<>();
            if (helpers <= 0) {
                deliver(apply(items));
                return;
            }
            if (pool == null) {
                pool = Executors.newFixedThreadPool(helpers, runnable -> {
                    Thread thread = new Thread(runnable, "zone-parse");
                    thread.setDaemon(true);
                    return thread;
                });
            }
            inFlight.add(pool.submit(() -> apply(items)));
            if (inFlight.size() > IN_FLIGHT) {
                deliver(await(inFlight.poll()));
            }
        }
    }

    /** Hands on every result still to come, the last batch worked on here. */
    void finish() throws FileProblem {
        while (!inFlight.isEmpty()) {
            deliver(await(inFlight.poll()));
        }
        List<T> items = batch;
        batch = new ArrayList<>();
        deliver(apply(items));
    }

    private List<R> apply(List<T> items) {
        List<R> results = new ArrayList<>(items.size());
        for (T item : items) {
            results.add(work.apply(item));
        }
        return results;
    }

    /** Hands results on; after the first problem, nothing more (a later one must not hide it). */
    private void deliver(List<R> results) throws FileProblem {
        if (stopped) {
            return;
        }
        try {
            for (R result : results) {
                sink.accept(result);
            }
        } catch (FileProblem | RuntimeException e) {
            stopped = true;
            inFlight.forEach(future -> future.cancel(true));
            inFlight.clear();
            throw e;
        }
    }

    private static <R> List<R> await(Future<List<R>> future) throws FileProblem {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FileProblem("interrupted while reading");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            throw (Error) e.getCause();
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
