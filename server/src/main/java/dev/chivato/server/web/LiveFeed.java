package dev.chivato.server.web;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.network.ExchangeWitness;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The page's view of the exchange path: told of every exchange by the completion (as an {@link ExchangeWitness}), it
 * only queues it, never waiting (a full queue drops it and counts it), so the event loops never slow for the page. Its
 * own thread then numbers each exchange, keeps the last ones with their octets for the bytes view (bounded in count
 * and octets), counts them into the {@link PageStats}, and hands each open page its line, in a bounded queue per
 * page: a slow or hidden page loses lines (counted, and shown to it), no one else does.
 */
final class LiveFeed implements ExchangeWitness, AutoCloseable {
    /** Exchanges waiting for the feed's thread, at most. */
    static final int QUEUED = 10_000;
    /** Exchanges kept for the bytes view, at most, and their octets. */
    static final int KEPT = 1_000;
    static final long KEPT_OCTETS = 16L << 20;
    /** Lines waiting for one page, at most. */
    static final int PAGE_QUEUE = 1_000;
    /**
     * Exchanges a second the feed takes in full, at most; past it they are only counted ("not shown"). No one reads
     * more rows than that, and it bounds what the feed costs a server at saturation: measured with compare.sh
     * (chivato-web beside chivato), see benchmarks/README.md.
     */
    static final int SHOWN_PER_SECOND = 1_000;
    private static final long SECOND = 1_000_000_000L;

    /** One exchange as the page knows it: its number, its line, and its octets. */
    record Entry(long id, String json, byte[] query, byte[] answer) {
        long octets() {
            return 64 + json.length() * 2L + query.length + (answer == null ? 0 : answer.length);
        }
    }

    /** One open page's lines, and what it lost. */
    static final class Page {
        final BlockingQueue<String> lines = new ArrayBlockingQueue<>(PAGE_QUEUE);
        final AtomicLong dropped = new AtomicLong();

        /** The next line, waiting up to {@code millis}; null when none came. */
        String next(long millis) throws InterruptedException {
            return lines.poll(millis, TimeUnit.MILLISECONDS);
        }
    }

    private final BlockingQueue<Seen> queue = new ArrayBlockingQueue<>(QUEUED);
    private final AtomicLong droppedBeforeFeed = new AtomicLong();
    private final AtomicLong droppedByPages = new AtomicLong();
    /** The second being counted for {@link #SHOWN_PER_SECOND}, and the exchanges taken in it. */
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicLong takenInWindow = new AtomicLong();
    /** Exchanges passed over since the feed's thread last looked, and in all. */
    private final AtomicLong passedOver = new AtomicLong();
    private final AtomicLong notShown = new AtomicLong();
    private final ArrayDeque<Entry> kept = new ArrayDeque<>();
    private long keptOctets;
    private long nextId = 1;
    private final List<Page> pages = new CopyOnWriteArrayList<>();
    private final PageStats stats = new PageStats();
    private final Thread thread;
    private volatile boolean running = true;

    LiveFeed() {
        thread = new Thread(this::run, "chivato-web-feed");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public boolean wants(long nowNanos) {
        long start = windowStart.get();
        if (nowNanos - start >= SECOND && windowStart.compareAndSet(start, nowNanos)) {
            takenInWindow.set(0);
        }
        if (takenInWindow.incrementAndGet() <= SHOWN_PER_SECOND) {
            return true;
        }
        passedOver.incrementAndGet();
        return false;
    }

    @Override
    public void answered(Seen exchange) {
        if (!queue.offer(exchange)) {
            droppedBeforeFeed.incrementAndGet();
        }
    }

    private void run() {
        while (running) {
            try {
                long over = passedOver.getAndSet(0);
                if (over > 0) {
                    notShown.addAndGet(over);
                    stats.countNotShown(System.currentTimeMillis(), over);
                }
                Seen seen = queue.poll(200, TimeUnit.MILLISECONDS);
                if (seen != null) {
                    publish(seen);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException bug) {
                System.err.println("chivato: internal error in the web page's feed: " + bug);
            }
        }
    }

    private void publish(Seen seen) {
        String name = null;
        String type = null;
        try {
            QueryView view = QueryView.of(seen.query());
            if (view.hasQuestion()) {
                name = Name.fromWire(seen.query(), view.nameOffset(), view.nameLength()).toString();
                type = RRType.of(view.qtype()).toString();
            }
        } catch (WireFormatException malformed) {
            // shown without a name
        }
        String rcode = seen.answer() == null ? null : seen.answer().length < Header.LENGTH ? "garbage"
                : Rcode.of(seen.answer()[3] & 0xf).toString();
        long id;
        synchronized (this) {
            id = nextId++;
        }
        String json = new Json().number("id", id).number("time", seen.timeMillis())
                .string("client", LogFormat.address(seen.client())).string("transport", seen.transport().label())
                .string("name", name).string("type", type).string("rcode", rcode)
                .string("source", seen.source().label()).number("size", seen.answer() == null ? 0
                        : seen.answer().length).number("micros", seen.micros()).toString();
        keep(new Entry(id, json, seen.query(), seen.answer()));
        stats.count(seen.timeMillis(), name, seen.client().getAddress().getHostAddress(), rcode,
                seen.source().label(), seen.micros());
        for (Page page : pages) {
            if (!page.lines.offer(json)) {
                page.dropped.incrementAndGet();
                droppedByPages.incrementAndGet();
            }
        }
    }

    private synchronized void keep(Entry entry) {
        kept.addLast(entry);
        keptOctets += entry.octets();
        while (kept.size() > KEPT || keptOctets > KEPT_OCTETS) {
            keptOctets -= kept.removeFirst().octets();
        }
    }

    /** The exchange numbered {@code id}, when it is still kept. */
    synchronized Entry find(long id) {
        for (Iterator<Entry> each = kept.descendingIterator(); each.hasNext(); ) {
            Entry entry = each.next();
            if (entry.id() == id) {
                return entry;
            }
        }
        return null;
    }

    /** The last {@code n} exchanges' lines, oldest first: what a page opened now shows before the live ones. */
    synchronized List<String> recent(int n) {
        List<String> lines = new ArrayList<>();
        Iterator<Entry> each = kept.descendingIterator();
        while (each.hasNext() && lines.size() < n) {
            lines.add(0, each.next().json());
        }
        return lines;
    }

    Page open() {
        Page page = new Page();
        pages.add(page);
        return page;
    }

    void close(Page page) {
        pages.remove(page);
    }

    int openPages() {
        return pages.size();
    }

    PageStats stats() {
        return stats;
    }

    /** Exchanges the feed could not take because its queue was full. */
    long droppedBeforeFeed() {
        return droppedBeforeFeed.get();
    }

    /** Exchanges not shown because more than {@link #SHOWN_PER_SECOND} came in a second, in all. */
    long notShown() {
        return notShown.get();
    }

    /** Lines the open pages lost because they did not take them in time, in all. */
    long droppedByPages() {
        return droppedByPages.get();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
