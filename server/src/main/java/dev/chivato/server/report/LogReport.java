package dev.chivato.server.report;

import dev.chivato.server.core.Cidr;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a JSON Lines query log says, read once from start to end in bounded memory: totals, the time span, and
 * counters of rcodes, sources, types, clients, names and pairs that stay exact while the distinct values fit the
 * budget and then become Space-Saving approximations (see {@link TopCounter}).
 */
public final class LogReport {
    /** Which entries count: those from {@code since} (inclusive) to {@code until} (exclusive), from {@code client}. */
    public record Filter(Instant since, Instant until, Cidr client) {
        public static final Filter ALL = new Filter(null, null, null);

        boolean timed() {
            return since != null || until != null;
        }
    }

    /** A line that was not a log entry: its number and why. */
    public record Skipped(long line, String reason) {
    }

    /** Skipped lines listed by number; the others are only counted. */
    static final int SKIPPED_LISTED = 10;

    final Filter filter;
    final int distinct;
    long lines;
    long entries;
    long queries;
    long malformed;
    /** Responses rate limiting dropped and slipped, from its summary entries. */
    long rateDropped;
    long rateSlipped;
    long filteredOut;
    long skippedCount;
    final List<Skipped> skipped = new ArrayList<>();
    /** The last line ended without a line end and was not an entry: a log cut short, or being written. */
    boolean truncatedLast;
    Instant first;
    Instant last;
    final TopCounter kinds;
    final TopCounter rcodes;
    final TopCounter sources;
    final TopCounter types;
    final TopCounter clients;
    final TopCounter names;
    final TopCounter pairs;
    final TopCounter nxdomainClients;
    final TopCounter nxdomainPairs;
    final TopCounter malformedReasons;
    final MinuteCounts perMinute = new MinuteCounts();

    /** The octets each table's values may take: ten tables, 80 MiB at most, whatever the values' lengths. */
    static final long TABLE_OCTETS = 8L << 20;

    private LogReport(Filter filter, int distinct) {
        this.filter = filter;
        this.distinct = distinct;
        kinds = new TopCounter(distinct, TABLE_OCTETS);
        rcodes = new TopCounter(distinct, TABLE_OCTETS);
        sources = new TopCounter(distinct, TABLE_OCTETS);
        types = new TopCounter(distinct, TABLE_OCTETS);
        clients = new TopCounter(distinct, TABLE_OCTETS);
        names = new TopCounter(distinct, TABLE_OCTETS);
        pairs = new TopCounter(distinct, TABLE_OCTETS);
        nxdomainClients = new TopCounter(distinct, TABLE_OCTETS);
        nxdomainPairs = new TopCounter(distinct, TABLE_OCTETS);
        malformedReasons = new TopCounter(distinct, TABLE_OCTETS);
    }

    /**
     * Reads the whole log.
     *
     * @param distinct distinct values each counter keeps exactly before it approximates
     */
    public static LogReport read(InputStream in, Filter filter, int distinct) throws IOException {
        LogReport report = new LogReport(filter, distinct);
        LineReader reader = new LineReader(in);
        for (LineReader.Line line; (line = reader.next()) != null; ) {
            report.lines++;
            report.accept(line);
        }
        return report;
    }

    private void accept(LineReader.Line line) {
        if (line.tooLong()) {
            skip(line.number(), "longer than " + LineReader.MAX_LINE + " octets");
            return;
        }
        if (line.text().isBlank()) {
            return;
        }
        Map<String, Object> entry;
        try {
            entry = JsonLine.parseObject(line.text());
        } catch (JsonLine.NotJsonException e) {
            if (!line.terminated()) {
                truncatedLast = true; // the last line, cut short: not an error in the log
            } else {
                skip(line.number(), "not JSON: " + e.getMessage());
            }
            return;
        }
        if (!(entry.get("kind") instanceof String kind)) {
            skip(line.number(), "JSON, but not a log entry (no \"kind\")");
            return;
        }
        Instant time;
        try {
            time = entry.get("ts") instanceof String ts ? Instant.parse(ts) : null;
        } catch (DateTimeParseException e) {
            skip(line.number(), "its \"ts\" is not a time: " + entry.get("ts"));
            return;
        }
        if (!wanted(time, entry)) {
            filteredOut++;
            return;
        }
        count(kind, time, entry);
    }

    private boolean wanted(Instant time, Map<String, Object> entry) {
        if (filter.timed() && (time == null || filter.since() != null && time.isBefore(filter.since())
                || filter.until() != null && !time.isBefore(filter.until()))) {
            return false;
        }
        if (filter.client() != null) {
            String client = clientAddress(entry);
            return client != null && contains(filter.client(), client);
        }
        return true;
    }

    private static boolean contains(Cidr network, String address) {
        try {
            return network.contains(InetAddress.getByName(address)); // a literal: no lookup
        } catch (UnknownHostException | RuntimeException notAnAddress) {
            return false;
        }
    }

    private void count(String kind, Instant time, Map<String, Object> entry) {
        entries++;
        kinds.add(kind);
        if (time != null) {
            first = first == null || time.isBefore(first) ? time : first;
            last = last == null || time.isAfter(last) ? time : last;
        }
        if (kind.equals("rate-limit")) {
            rateDropped += entry.get("dropped") instanceof Number n ? n.longValue() : 0;
            rateSlipped += entry.get("slipped") instanceof Number n ? n.longValue() : 0;
            return;
        }
        boolean query = kind.equals("query");
        boolean broken = kind.equals("malformed") || kind.equals("internal-error");
        if (!query && !broken) {
            return; // reloads, listening lines: counted by kind only
        }
        String client = clientAddress(entry);
        String rcode = entry.get("rcode") instanceof String r ? r : "(no answer)";
        rcodes.add(rcode);
        if (client != null) {
            clients.add(client);
        }
        if (time != null) {
            perMinute.add(time);
        }
        if (broken) {
            malformed++;
            malformedReasons.add((kind.equals("internal-error") ? "internal error: " : "")
                    + reasonClass(String.valueOf(entry.get("reason"))));
            return;
        }
        queries++;
        sources.add(entry.get("source") instanceof String s ? s : "?");
        types.add(entry.get("qtype") instanceof String t ? t : "(none)");
        String name = entry.get("qname") instanceof String n ? n.toLowerCase(Locale.ROOT) : "(no question)";
        names.add(name);
        String pair = (client == null ? "?" : client) + " " + name;
        pairs.add(pair);
        if (rcode.equals("NXDOMAIN")) {
            nxdomainClients.add(client == null ? "?" : client);
            nxdomainPairs.add(pair);
        }
    }

    /** A reason with its numbers taken out, so that the same fault at other offsets or lengths counts as one. */
    static String reasonClass(String reason) {
        return reason.replaceAll("[0-9]+", "N");
    }

    /** The client's address without its port ({@code 127.0.0.1:5353} and {@code [::1]:5353}). */
    static String clientAddress(Map<String, Object> entry) {
        if (!(entry.get("client") instanceof String client)) {
            return null;
        }
        if (client.startsWith("[")) {
            int close = client.indexOf(']');
            return close > 0 ? client.substring(1, close) : client;
        }
        int colon = client.lastIndexOf(':');
        return colon > 0 ? client.substring(0, colon) : client;
    }

    /**
     * Whether the input is a text log rather than JSON: lines were read, no entry was, and every line set aside was
     * not JSON.
     */
    public boolean looksLikeTextLog() {
        return lines > 0 && entries == 0 && skippedCount == lines
                && skipped.stream().allMatch(s -> s.reason().startsWith("not JSON"));
    }

    private void skip(long line, String reason) {
        skippedCount++;
        if (skipped.size() < SKIPPED_LISTED) {
            skipped.add(new Skipped(line, reason));
        }
    }
}
