package dev.chivato.server.web;

import dev.chivato.server.report.TopCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the Stats view shows, counted by the feed's thread as exchanges come: queries per minute over the last three
 * hours (every query), and from the exchanges the feed took in full (all of them below its rate; a sample above it)
 * the top names and clients (Space-Saving counters, as {@code chivato report} keeps them, bounded in entries
 * and octets), rcodes, sources, and the time forwarded answers took. Bounded: the minutes are a ring, the rcodes at
 * most 4,096 and the sources a handful.
 */
final class PageStats {
    static final int MINUTES = 180;
    private static final int TOP_KEPT = 1_000;
    private static final long TOP_OCTETS = 1L << 20;

    private final long[] perMinute = new long[MINUTES];
    private long lastMinute = -1;
    private long total;
    private final TopCounter names = new TopCounter(TOP_KEPT, TOP_OCTETS);
    private final TopCounter clients = new TopCounter(TOP_KEPT, TOP_OCTETS);
    private final Map<String, Long> rcodes = new TreeMap<>();
    private final Map<String, Long> sources = new TreeMap<>();
    private long notShown;
    private long forwarded;
    private long forwardedMicros;

    synchronized void count(long timeMillis, String name, String client, String rcode, String source, long micros) {
        long minute = timeMillis / 60_000;
        advanceTo(minute);
        if (minute > lastMinute - MINUTES) {
            perMinute[(int) Math.floorMod(minute, (long) MINUTES)]++;
        }
        total++;
        names.add(name == null ? "(malformed)" : name.toLowerCase(java.util.Locale.ROOT));
        clients.add(client);
        rcodes.merge(rcode == null ? "(no answer)" : rcode, 1L, Long::sum);
        sources.merge(source, 1L, Long::sum);
        if ("forwarded".equals(source) && micros >= 0) {
            forwarded++;
            forwardedMicros += micros;
        }
    }

    /** Exchanges that came faster than the feed shows them: in the minute's count and the total, nowhere else. */
    synchronized void countNotShown(long timeMillis, long count) {
        long minute = timeMillis / 60_000;
        advanceTo(minute);
        perMinute[(int) Math.floorMod(minute, (long) MINUTES)] += count;
        total += count;
        notShown += count;
    }

    /** Clears the minutes between the last one counted and {@code minute}. */
    private void advanceTo(long minute) {
        if (lastMinute < 0) {
            lastMinute = minute;
            return;
        }
        for (long m = lastMinute + 1; m <= minute && m <= lastMinute + MINUTES; m++) {
            perMinute[(int) Math.floorMod(m, (long) MINUTES)] = 0;
        }
        lastMinute = Math.max(lastMinute, minute);
    }

    /** The figures as JSON, at {@code nowMillis}, with what the feed and the pages dropped and the pages open. */
    synchronized String json(long nowMillis, long droppedByFeed, long droppedByPage, int pages) {
        advanceTo(nowMillis / 60_000);
        List<String> minutes = new ArrayList<>();
        for (long m = lastMinute - MINUTES + 1; m <= lastMinute; m++) {
            minutes.add(Long.toString(perMinute[(int) Math.floorMod(m, (long) MINUTES)]));
        }
        return new Json().number("total", total).number("lastMinute", lastMinute * 60_000)
                .raw("perMinute", Json.array(minutes)).number("notShown", notShown).raw("names", top(names)).raw("clients", top(clients))
                .raw("rcodes", counts(rcodes)).raw("sources", counts(sources)).number("forwarded", forwarded)
                .number("forwardedMeanMicros", forwarded == 0 ? 0 : forwardedMicros / forwarded)
                .number("droppedByFeed", droppedByFeed).number("droppedByPage", droppedByPage).number("pages", pages).toString();
    }

    private static String top(TopCounter counter) {
        List<String> rows = new ArrayList<>();
        for (TopCounter.Count count : counter.top(10)) {
            rows.add(new Json().string("value", count.value()).number("count", count.count()).toString());
        }
        return Json.array(rows);
    }

    private static String counts(Map<String, Long> counts) {
        List<String> rows = new ArrayList<>();
        counts.forEach((value, count) -> rows.add(new Json().string("value", value).number("count", count)
                .toString()));
        return Json.array(rows);
    }
}
