package dev.chivato.server.report;

import dev.chivato.server.log.LogFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Writes a {@link LogReport} for people (aligned tables and a chart) or for programs (one JSON object). */
public final class ReportPrinter {
    /** Rows of the per-minute chart, at most; longer spans are shown in wider steps. */
    static final int CHART_ROWS = 30;
    static final int BAR_WIDTH = 40;
    private static final long[] STEPS_MINUTES = {1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440};
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private ReportPrinter() {
    }

    /** The report as text, {@code top} rows per table. */
    public static String text(LogReport report, String source, int top) {
        StringBuilder out = new StringBuilder();
        out.append("chivato report of ").append(source).append('\n');
        out.append("  ").append(number(report.lines)).append(" lines: ").append(number(report.queries))
                .append(" queries, ").append(number(report.malformed)).append(" malformed, ")
                .append(number(report.entries - report.queries - report.malformed)).append(" other entries");
        if (report.filteredOut > 0) {
            out.append(", ").append(number(report.filteredOut)).append(" outside the filter");
        }
        out.append('\n');
        if (report.first != null) {
            out.append("  from ").append(report.first).append(" to ").append(report.last).append(" (")
                    .append(span(Duration.between(report.first, report.last))).append(")\n");
        }
        if (report.skippedCount > 0) {
            out.append("  ").append(number(report.skippedCount)).append(report.skippedCount == 1 ? " line" : " lines")
                    .append(" skipped, not log entries:\n");
            for (LogReport.Skipped skipped : report.skipped) {
                out.append("    line ").append(skipped.line()).append(": ").append(skipped.reason()).append('\n');
            }
            if (report.skippedCount > report.skipped.size()) {
                out.append("    and ").append(number(report.skippedCount - report.skipped.size())).append(" more\n");
            }
        }
        if (report.truncatedLast) {
            out.append("  the last line is cut short (no line end, not whole JSON): ignored\n");
        }
        if (report.rateDropped + report.rateSlipped > 0) {
            out.append("  rate limiting (--rrl): ").append(number(report.rateDropped)).append(" responses dropped, ")
                    .append(number(report.rateSlipped)).append(" slipped (sent empty with TC); not in the tables\n");
        }
        long answered = report.queries + report.malformed;
        table(out, "Answers by rcode", report.rcodes, top, answered);
        table(out, "Answers by source", report.sources, top, report.queries);
        table(out, "Queries by type", report.types, top, report.queries);
        table(out, "Top clients (messages received)", report.clients, top, answered);
        table(out, "Top names", report.names, top, report.queries);
        table(out, "Top client, name pairs", report.pairs, top, report.queries);
        nxdomainPerClient(out, report, top);
        table(out, "Malformed messages by reason", report.malformedReasons, top, report.malformed);
        chart(out, report);
        return out.toString();
    }

    private static void table(StringBuilder out, String title, TopCounter counter, int top, long total) {
        out.append('\n').append(title);
        if (counter.total() == 0) {
            out.append(": none\n");
            return;
        }
        out.append(approximation(counter)).append('\n');
        rows(out, counter.top(top), total, "  ");
        if (counter.kept() > top) {
            out.append("  (").append(number(counter.kept() - top)).append(counter.exact() ? " more)" : " more kept)")
                    .append('\n');
        }
    }

    private static void rows(StringBuilder out, List<TopCounter.Count> rows, long total, String indent) {
        int width = rows.stream().mapToInt(r -> r.value().length()).max().orElse(0);
        int countWidth = rows.stream().mapToInt(r -> count(r).length()).max().orElse(0);
        for (TopCounter.Count row : rows) {
            out.append(indent).append(row.value()).append(" ".repeat(width - row.value().length() + 2))
                    .append(" ".repeat(countWidth - count(row).length())).append(count(row));
            if (total > 0) {
                out.append(String.format(Locale.ROOT, " %6.1f%%", 100.0 * row.count() / total));
            }
            out.append('\n');
        }
    }

    /** A count, or an approximate one with how far over it may be. */
    private static String count(TopCounter.Count row) {
        return row.error() == 0 ? number(row.count()) : "~" + number(row.count()) + " (-" + number(row.error()) + ")";
    }

    /** What the title says of a counter that had to approximate. */
    private static String approximation(TopCounter counter) {
        if (counter.exact()) {
            return "";
        }
        return " (approximate: more than " + number(counter.capacity()) + " distinct values; a count shown as ~N "
                + "(-E) is between N-E and N, and any value seen more than " + number(counter.total()
                / counter.capacity()) + " times is listed)";
    }

    private static void nxdomainPerClient(StringBuilder out, LogReport report, int top) {
        out.append("\nNames answered NXDOMAIN, per client");
        if (report.nxdomainClients.total() == 0) {
            out.append(": none\n");
            return;
        }
        out.append(approximation(report.nxdomainPairs)).append('\n');
        Map<String, List<TopCounter.Count>> byClient = namesByClient(report.nxdomainPairs);
        for (TopCounter.Count client : report.nxdomainClients.top(top)) {
            out.append("  ").append(client.value()).append(": ").append(count(client)).append('\n');
            List<TopCounter.Count> names = byClient.getOrDefault(client.value(), List.of());
            rows(out, names.subList(0, Math.min(top, names.size())), 0, "    ");
        }
    }

    /** The kept (client, name) counts grouped by client, each client's names largest first. */
    private static Map<String, List<TopCounter.Count>> namesByClient(TopCounter pairs) {
        Map<String, List<TopCounter.Count>> byClient = new TreeMap<>();
        for (TopCounter.Count pair : pairs.top(pairs.kept())) {
            int space = pair.value().indexOf(' ');
            byClient.computeIfAbsent(pair.value().substring(0, space), c -> new ArrayList<>())
                    .add(new TopCounter.Count(pair.value().substring(space + 1), pair.count(), pair.error()));
        }
        return byClient;
    }

    private static void chart(StringBuilder out, LogReport report) {
        TreeMap<Long, Long> buckets = report.perMinute.buckets();
        if (buckets.isEmpty()) {
            return;
        }
        long step = step(buckets.firstKey(), buckets.lastKey(), report.perMinute.widthMinutes());
        TreeMap<Long, Long> rows = new TreeMap<>();
        for (long start = Math.floorDiv(buckets.firstKey(), step) * step; start <= buckets.lastKey(); start += step) {
            rows.put(start, 0L);
        }
        buckets.forEach((minute, count) -> rows.merge(Math.floorDiv(minute, step) * step, count, Long::sum));
        long max = rows.values().stream().mapToLong(Long::longValue).max().orElse(1);
        out.append("\nMessages per ").append(step == 1 ? "minute" : span(Duration.ofMinutes(step))).append(" (UTC)\n");
        rows.forEach((start, count) -> {
            int bar = count == 0 ? 0 : (int) Math.max(1, Math.round((double) BAR_WIDTH * count / max));
            out.append("  ").append(MINUTE.format(Instant.ofEpochSecond(start * 60))).append("  ")
                    .append("#".repeat(bar)).append(" ".repeat(BAR_WIDTH - bar)).append("  ").append(number(count))
                    .append('\n');
        });
    }

    /** The smallest step (a multiple of the buckets' width) that shows the span in at most {@link #CHART_ROWS}. */
    static long step(long firstMinute, long lastMinute, long bucketWidth) {
        long span = lastMinute - firstMinute + 1;
        for (long candidate : STEPS_MINUTES) {
            if (candidate % bucketWidth == 0 && (span + candidate - 1) / candidate + 1 <= CHART_ROWS) {
                return candidate;
            }
        }
        long days = Math.max(1, (span + 1440L * (CHART_ROWS - 1) - 1) / (1440L * (CHART_ROWS - 1)));
        long step = days * 1440;
        return (step + bucketWidth - 1) / bucketWidth * bucketWidth;
    }

    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String span(Duration d) {
        long s = d.getSeconds();
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        if (s < 86_400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86_400 + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + s % 86_400 / 3600 + " h");
    }

    /** The report as one JSON object, {@code top} values per counter. */
    public static String json(LogReport report, String source, int top) {
        StringBuilder json = new StringBuilder("{");
        key(json, "source");
        LogFormat.appendJsonString(json, source);
        json.append(",\"lines\":").append(report.lines).append(",\"entries\":").append(report.entries)
                .append(",\"queries\":").append(report.queries).append(",\"malformed\":").append(report.malformed)
                .append(",\"rate_limited\":{\"dropped\":").append(report.rateDropped).append(",\"slipped\":")
                .append(report.rateSlipped).append('}')
                .append(",\"outside_filter\":").append(report.filteredOut)
                .append(",\"skipped_lines\":").append(report.skippedCount)
                .append(",\"last_line_cut\":").append(report.truncatedLast);
        key(json.append(','), "from");
        instant(json, report.first);
        key(json.append(','), "to");
        instant(json, report.last);
        json.append(",\"skipped\":[");
        for (int i = 0; i < report.skipped.size(); i++) {
            json.append(i > 0 ? "," : "").append("{\"line\":").append(report.skipped.get(i).line())
                    .append(",\"reason\":");
            LogFormat.appendJsonString(json, report.skipped.get(i).reason());
            json.append('}');
        }
        json.append(']');
        counter(json, "rcodes", report.rcodes, top);
        counter(json, "sources", report.sources, top);
        counter(json, "types", report.types, top);
        counter(json, "clients", report.clients, top);
        counter(json, "names", report.names, top);
        counter(json, "pairs", report.pairs, top);
        counter(json, "nxdomain_clients", report.nxdomainClients, top);
        counter(json, "nxdomain_pairs", report.nxdomainPairs, top);
        counter(json, "malformed_reasons", report.malformedReasons, top);
        json.append(",\"per_minute\":{\"width_minutes\":").append(report.perMinute.widthMinutes())
                .append(",\"buckets\":[");
        String separator = "";
        for (Map.Entry<Long, Long> bucket : report.perMinute.buckets().entrySet()) {
            json.append(separator).append("{\"start\":\"").append(Instant.ofEpochSecond(bucket.getKey() * 60))
                    .append("\",\"count\":").append(bucket.getValue()).append('}');
            separator = ",";
        }
        return json.append("]}}\n").toString();
    }

    private static void counter(StringBuilder json, String name, TopCounter counter, int top) {
        json.append(",\"").append(name).append("\":{\"total\":").append(counter.total()).append(",\"exact\":")
                .append(counter.exact()).append(",\"kept\":").append(counter.kept()).append(",\"top\":[");
        List<TopCounter.Count> rows = counter.top(top);
        for (int i = 0; i < rows.size(); i++) {
            json.append(i > 0 ? "," : "").append("{\"value\":");
            LogFormat.appendJsonString(json, rows.get(i).value());
            json.append(",\"count\":").append(rows.get(i).count()).append(",\"error\":").append(rows.get(i).error())
                    .append('}');
        }
        json.append("]}");
    }

    private static void key(StringBuilder json, String name) {
        json.append('"').append(name).append("\":");
    }

    private static void instant(StringBuilder json, Instant instant) {
        if (instant == null) {
            json.append("null");
        } else {
            json.append('"').append(instant).append('"');
        }
    }
}
