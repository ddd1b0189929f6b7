package dev.chivato.server.core;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * One event loop's timers: actions due at a time ({@link System#nanoTime}), run by that loop between its turns, in
 * the order they fall due. A binary heap that knows each timer's place, so cancelling one (an upstream answered before
 * its try timed out: nearly every try) takes it out at once instead of leaving it to be skipped later. Used by the
 * owning loop's thread only.
 */
public final class Timers {
    /** An action due at a time; armed until it has run or been cancelled. */
    public static final class Timer {
        private final long due;
        /** Takes the time it is run at: what the loop's turn says now is, so every step of a turn sees one time. */
        private final LongConsumer action;
        /** Its place in the heap, or -1 once it has run or been cancelled. */
        private int index = -1;

        private Timer(long due, LongConsumer action) {
            this.due = due;
            this.action = action;
        }

        /** Whether it is still to run. */
        public boolean armed() {
            return index >= 0;
        }

        public long due() {
            return due;
        }
    }

    private Timer[] heap = new Timer[64];
    private int size;

    /** Runs {@code action} once {@code dueNanos} has come, with the time it is run at. */
    public Timer schedule(long dueNanos, LongConsumer action) {
        Timer timer = new Timer(dueNanos, action);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        timer.index = size;
        heap[size++] = timer;
        up(timer.index);
        return timer;
    }

    /** Takes the timer out if it is still armed; nothing happens otherwise. */
    public void cancel(Timer timer) {
        if (timer == null || timer.index < 0) {
            return;
        }
        int at = timer.index;
        Timer last = heap[--size];
        heap[size] = null;
        timer.index = -1;
        if (at < size) {
            last.index = at;
            heap[at] = last;
            down(at);
            up(last.index);
        }
    }

    /**
     * Runs every action due by {@code now}, in the order due (an action may schedule more: those due by then run too);
     * an action that throws is reported to {@code failed} and the others still run. Returns the nanoseconds until the
     * next is due, or -1 when none is armed.
     */
    public long runDue(long now, Consumer<RuntimeException> failed) {
        while (size > 0 && heap[0].due - now <= 0) {
            Timer first = heap[0];
            cancel(first);
            try {
                first.action.accept(now);
            } catch (RuntimeException e) {
                failed.accept(e);
            }
        }
        return size == 0 ? -1 : heap[0].due - now;
    }

    /** Timers armed. */
    public int size() {
        return size;
    }

    private void up(int at) {
        Timer timer = heap[at];
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (heap[parent].due - timer.due <= 0) {
                break;
            }
            place(heap[parent], at);
            at = parent;
        }
        place(timer, at);
    }

    private void down(int at) {
        Timer timer = heap[at];
        while (true) {
            int child = 2 * at + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1].due - heap[child].due < 0) {
                child++;
            }
            if (timer.due - heap[child].due <= 0) {
                break;
            }
            place(heap[child], at);
            at = child;
        }
        place(timer, at);
    }

    private void place(Timer timer, int at) {
        heap[at] = timer;
        timer.index = at;
    }
}
