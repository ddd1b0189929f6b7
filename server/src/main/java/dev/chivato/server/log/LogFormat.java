package dev.chivato.server.log;

import dev.chivato.protocol.Addresses;
import dev.chivato.protocol.Explainer;
import dev.chivato.protocol.Hex;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The ways the query log writes an entry: a line for people, JSON Lines for programs, or the line with both messages
 * byte by byte.
 */
public enum LogFormat {
    TEXT {
        @Override
        public void appendTo(LogLine line, LogEntry entry) {
            appendTimestamp(line, entry.timeMillis());
            line.append(' ');
            if (entry instanceof LogEntry.Reload reload) {
                line.append("reload ").append(reload.result()).append(" zones=")
                        .append(reload.zones().isEmpty() ? "-" : String.join(",", reload.zones()).replace(' ', '/'))
                        .append(" records=").append(reload.records()).append(' ').append(reload.millis()).append("ms");
                reload.failures().forEach(f -> quoted(line.append(" failed="), f));
                return;
            }
            if (entry instanceof LogEntry.RateLimited r) {
                line.append("rate-limit dropped=").append(r.dropped()).append(" slipped=").append(r.slipped())
                        .append(" seconds=").append(r.seconds());
                return;
            }
            if (entry instanceof LogEntry.Notify n) {
                line.append(n.transport().label()).append(' ').append(address(n.target())).append(" notify ")
                        .append(n.zone()).append(" serial=").append(n.serial()).append(" tries=").append(n.tries())
                        .append(' ').append(n.millis()).append("ms ")
                        .append(n.failure().isEmpty() ? "acknowledged" : "failed=" + quoted(n.failure().get()));
                return;
            }
            if (entry instanceof LogEntry.Transfer t) {
                line.append(t.transport().label()).append(' ').append(address(t.client())).append(" transfer ")
                        .append(t.type()).append(' ').append(t.zone())
                        .append(t.fromSerial() < 0 ? " full" : " from=" + t.fromSerial()).append(" serial=")
                        .append(t.serial())
                        .append(" messages=").append(t.messages()).append(" records=").append(t.records())
                        .append(" size=").append(t.size()).append(' ').append(t.millis()).append("ms ")
                        .append(t.failure().isEmpty() ? "ok" : "failed=" + quoted(t.failure().get()));
                return;
            }
            LogEntry.Exchange exchange = (LogEntry.Exchange) entry;
            line.append(exchange.transport().label()).append(' ');
            appendAddress(line, exchange.client());
            line.append(' ');
            if (entry instanceof LogEntry.Query q) {
                line.append("id=").append(q.view().id()).append(' ');
                appendQuestionPart(line, q.query(), q.view());
                if (q.rcode() < 0) {
                    line.append(" -> dropped");
                } else {
                    line.append(" -> ").append(rcodeName(q.rcode())).append(" answers=").append(q.answerCount())
                            .append(" from=").append(q.source().label()).append(q.truncated() ? " tc" : "")
                            .append(" size=").append(q.responseSize());
                    q.unsent().ifPresent(why -> quoted(line.append(" unsent="), why));
                }
                q.upstream().ifPresent(u -> line.append(" upstream=").append(address(u.address()))
                        .append(" upstream_rcode=").append(u.rcode() < 0 ? "-" : new Rcode(u.rcode()).toString())
                        .append(" upstream_us=").append(u.micros()).append(" tries=").append(u.tries()));
                q.note().ifPresent(why -> quoted(line.append(" note="), why));
                line.append(' ').append(q.micros()).append("us");
            } else {
                LogEntry.Malformed m = (LogEntry.Malformed) entry;
                line.append(m.internal() ? "INTERNAL-ERROR size=" : "MALFORMED size=").append(m.query().length);
                if (m.id() >= 0) {
                    line.append(" id=").append(m.id());
                }
                quoted(line.append(" at=").append(m.offset()).append(" reason="), m.reason()).append(" bytes=")
                        .append(firstBytesHex(m.query()))
                        .append(m.answered() ? " -> " + Rcode.of(m.rcode()) : " -> dropped");
                m.unsent().ifPresent(why -> quoted(line.append(" unsent="), why));
                line.append(' ').append(m.micros()).append("us");
            }
        }
    },
    JSON {
        @Override
        public void appendTo(LogLine json, LogEntry entry) {
            json.appendConstant("{\"ts\":\"");
            appendTimestamp(json, entry.timeMillis());
            json.appendConstant("\",");
            if (entry instanceof LogEntry.Reload reload) {
                field(json, "kind", "reload");
                bool(json, "ok", reload.failures().isEmpty());
                field(json, "result", reload.result());
                strings(json, "zones", reload.zones());
                number(json, "records", reload.records());
                number(json, "ms", reload.millis());
                strings(json, "failures", reload.failures());
                endObject(json);
                return;
            }
            if (entry instanceof LogEntry.RateLimited r) {
                field(json, "kind", "rate-limit");
                number(json, "dropped", r.dropped());
                number(json, "slipped", r.slipped());
                number(json, "seconds", r.seconds());
                endObject(json);
                return;
            }
            if (entry instanceof LogEntry.Notify n) {
                field(json, "transport", n.transport().label());
                field(json, "target", address(n.target()));
                field(json, "kind", "notify");
                field(json, "zone", n.zone());
                number(json, "serial", n.serial());
                number(json, "tries", n.tries());
                number(json, "ms", n.millis());
                bool(json, "ok", n.failure().isEmpty());
                field(json, "failure", n.failure().orElse(null));
                endObject(json);
                return;
            }
            if (entry instanceof LogEntry.Transfer t) {
                field(json, "transport", t.transport().label());
                field(json, "client", address(t.client()));
                field(json, "kind", "transfer");
                field(json, "zone", t.zone());
                field(json, "type", t.type());
                if (t.fromSerial() < 0) {
                    json.append("\"from_serial\":null,");
                } else {
                    number(json, "from_serial", t.fromSerial());
                }
                number(json, "serial", t.serial());
                number(json, "messages", t.messages());
                number(json, "records", t.records());
                number(json, "size", t.size());
                number(json, "ms", t.millis());
                bool(json, "ok", t.failure().isEmpty());
                field(json, "failure", t.failure().orElse(null));
                endObject(json);
                return;
            }
            LogEntry.Exchange exchange = (LogEntry.Exchange) entry;
            field(json, "transport", exchange.transport().label());
            json.appendConstant("\"client\":\"");
            appendAddress(json, exchange.client());
            json.appendConstant("\",");
            if (entry instanceof LogEntry.Query q) {
                field(json, "kind", "query");
                number(json, "id", q.view().id());
                appendQuestionPart(json, q.query(), q.view());
                field(json, "rcode", q.rcode() < 0 ? null : rcodeName(q.rcode()));
                number(json, "answers", q.answerCount());
                field(json, "source", q.source().label());
                bool(json, "tc", q.truncated());
                number(json, "size", q.responseSize());
                number(json, "us", q.micros());
                field(json, "unsent", q.unsent().orElse(null));
                if (q.upstream().isPresent()) {
                    LogEntry.Upstream u = q.upstream().get();
                    field(json, "upstream", address(u.address()));
                    field(json, "upstream_rcode", u.rcode() < 0 ? null : new Rcode(u.rcode()).toString());
                    number(json, "upstream_us", u.micros());
                    number(json, "tries", u.tries());
                }
                q.note().ifPresent(why -> field(json, "note", why));
            } else {
                LogEntry.Malformed m = (LogEntry.Malformed) entry;
                field(json, "kind", m.internal() ? "internal-error" : "malformed");
                if (m.id() >= 0) {
                    number(json, "id", m.id());
                } else {
                    json.append("\"id\":null,");
                }
                number(json, "size", m.query().length);
                field(json, "reason", m.reason());
                number(json, "offset", m.offset());
                field(json, "bytes", firstBytesHex(m.query()));
                field(json, "rcode", m.answered() ? Rcode.of(m.rcode()).toString() : null);
                number(json, "us", m.micros());
                field(json, "unsent", m.unsent().orElse(null));
            }
            endObject(json);
        }
    },

    /** The text line, then both messages byte by byte, as {@code chivato explain} shows them. */
    EXPLAIN {
        @Override
        public void appendTo(LogLine text, LogEntry entry) {
            TEXT.appendTo(text, entry);
            if (entry instanceof LogEntry.Exchange exchange) {
                text.append('\n');
                text.append(";; received\n");
                appendExplained(text, exchange.query());
                exchange.response().ifPresent(r -> appendExplained(text.append(";; sent\n"), r));
            }
        }
    };

    /**
     * Characters of explanation per message, at most: a 64 KiB message of empty records would otherwise take more
     * than a megabyte and a half of text per entry.
     */
    public static final int MAX_EXPLAINED_CHARS = 64 * 1024;

    private static void appendExplained(LogLine text, byte[] message) {
        String explained = Explainer.render(Explainer.explain(message));
        if (explained.length() <= MAX_EXPLAINED_CHARS) {
            text.append(explained);
            return;
        }
        int cut = explained.lastIndexOf('\n', MAX_EXPLAINED_CHARS) + 1;
        text.append(explained, 0, cut).append(";; (explanation cut after ").append(cut)
                .append(" characters; the message has ").append(message.length).append(" octets)\n");
    }

    /** A line about the log itself (an entry it could not write), in this format. */
    public void appendNote(LogLine out, String note) {
        if (this == JSON) {
            out.append('{');
            field(out, "kind", "log-note");
            field(out, "note", note);
            endObject(out);
        } else {
            out.append("# query log: ").append(note);
        }
    }

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Appends the entry, without a line end, to {@code out}. */
    public abstract void appendTo(LogLine out, LogEntry entry);


    /**
     * The part of a query's line that its octets after the id decide (opcode, flags, question, EDNS), read by the
     * writer thread from the query through the view the event loop made of it: nothing is decoded again. Hosts ask the
     * same few questions over and over, and the name's text costs more than the rest of the line, so each writer
     * thread keeps what it last wrote for the same octets.
     */
    void appendQuestionPart(LogLine line, byte[] query, QueryView view) {
        WriterMemory memory = WriterMemory.OF_THREAD.get();
        QuestionParts parts = memory.questionParts[ordinal()];
        int slot = parts.slotOf(query);
        if (slot >= 0 && parts.appendKnown(line, query, slot)) {
            return;
        }
        int start = line.length();
        QueryFacts f = QueryFacts.of(query, view);
        if (this == JSON) {
            field(line, "opcode", f.opcode().toString());
            bool(line, "rd", f.rd());
            bool(line, "cd", f.cd());
            bool(line, "do", f.dnssecOk());
            field(line, "qname", f.question().map(x -> x.name().toString()).orElse(null));
            field(line, "qtype", f.question().map(x -> x.type().toString()).orElse(null));
            field(line, "qclass", f.question().map(x -> x.qclass().toString()).orElse(null));
            if (f.ednsSize() >= 0) {
                number(line, "edns_size", f.ednsSize());
            } else {
                line.append("\"edns_size\":null,");
            }
        } else {
            line.append(f.opcode()).append(' ');
            line.append(f.question().map(x -> x.name().toString()).orElse("-")).append(' ')
                    .append(f.question().map(x -> x.qclass().toString()).orElse("-")).append(' ')
                    .append(f.question().map(x -> x.type().toString()).orElse("-"));
            line.append(" flags=").append(f.flagsText().isEmpty() ? "-" : f.flagsText());
            line.append(" edns=").append(f.ednsSize() < 0 ? "-" : Integer.toString(f.ednsSize()));
        }
        if (slot >= 0) {
            parts.remember(query, slot, line.copyFrom(start));
        }
    }

    /** What one writer thread keeps from line to line (formats are shared; their writers are not). */
    private static final class WriterMemory {
        static final ThreadLocal<WriterMemory> OF_THREAD = ThreadLocal.withInitial(WriterMemory::new);

        /** The second last formatted, and its text up to the dot ("2026-11-25T23:01:40."). */
        long second = Long.MIN_VALUE;
        byte[] secondText = new byte[0];
        final QuestionParts[] questionParts = new QuestionParts[values().length];

        WriterMemory() {
            Arrays.setAll(questionParts, i -> new QuestionParts());
        }
    }

    /**
     * Question parts by the query's octets after its id, one per slot of a table the octets' hash picks: a cache of
     * what the format wrote, bounded (a query of more than {@link #MAX_KEY} octets is not kept).
     */
    private static final class QuestionParts {
        static final int SLOT_BITS = 8;
        static final int SLOTS = 1 << SLOT_BITS;
        static final int MAX_KEY = 512;
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
                ByteOrder.LITTLE_ENDIAN);
        private final byte[][] keys = new byte[SLOTS][];
        private final byte[][] texts = new byte[SLOTS][];

        /** The slot for this query, or -1 when it is not one to keep. */
        int slotOf(byte[] query) {
            int length = query.length;
            if (length < 2 || length > MAX_KEY + 2) {
                return -1;
            }
            long hash = length;
            int at = 2;
            for (; at + 8 <= length; at += 8) {
                hash = (hash ^ (long) LONGS.get(query, at)) * 0x9e3779b97f4a7c15L;
            }
            for (; at < length; at++) {
                hash = (hash ^ query[at]) * 0x9e3779b97f4a7c15L;
            }
            return (int) (hash >>> (64 - SLOT_BITS)); // the best-mixed bits
        }

        boolean appendKnown(LogLine line, byte[] query, int slot) {
            byte[] key = keys[slot];
            if (key == null || !Arrays.equals(key, 0, key.length, query, 2, query.length)) {
                return false;
            }
            line.appendOctets(texts[slot]);
            return true;
        }

        void remember(byte[] query, int slot, byte[] text) {
            keys[slot] = Arrays.copyOfRange(query, 2, query.length);
            texts[slot] = text;
        }
    }

    /** The time in UTC to the millisecond, {@code 2026-11-25T23:01:40.123Z}; the date is formatted once a second. */
    static void appendTimestamp(LogLine line, long millis) {
        long second = Math.floorDiv(millis, 1000);
        WriterMemory memory = WriterMemory.OF_THREAD.get();
        if (memory.second != second) {
            String full = TIMESTAMP.format(Instant.ofEpochSecond(second));
            memory.second = second;
            memory.secondText = full.substring(0, full.length() - 4).getBytes(StandardCharsets.US_ASCII);
        }
        int ms = Math.floorMod(millis, 1000);
        line.appendOctets(memory.secondText).append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10))
                .append((char) ('0' + ms % 10)).append('Z');
    }

    /** The query's id, read from its first two octets. */
    private static int idOf(byte[] query) {
        return query.length >= 2 ? (query[0] & 0xff) << 8 | query[1] & 0xff : 0;
    }

    private static final String[] RCODE_NAMES = new String[32];

    static {
        Arrays.setAll(RCODE_NAMES, number -> Rcode.of(number).toString());
    }

    /** NOERROR, NXDOMAIN, ... or RCODE17: the name of a full response code. */
    private static String rcodeName(int rcode) {
        return rcode < RCODE_NAMES.length ? RCODE_NAMES[rcode] : Rcode.of(rcode).toString();
    }

    /** {@code 127.0.0.1:5353} or {@code [::1]:5353}, written without making a string. */
    static void appendAddress(LogLine line, InetSocketAddress address) {
        InetAddress host = address.getAddress();
        if (host instanceof Inet4Address) {
            byte[] octets = host.getAddress();
            line.append(octets[0] & 0xff).append('.').append(octets[1] & 0xff).append('.').append(octets[2] & 0xff)
                    .append('.').append(octets[3] & 0xff);
        } else {
            line.append('[').append(Addresses.formatIPv6(host.getAddress())).append(']');
        }
        line.append(':').append(address.getPort());
    }

    /** {@code 127.0.0.1:5353} or {@code [::1]:5353}. */
    public static String address(InetSocketAddress address) {
        LogLine text = new LogLine(48);
        appendAddress(text, address);
        return text.toString();
    }

    /** The first 32 octets in hex: enough to recognise what a malformed packet was. */
    private static String firstBytesHex(byte[] packet) {
        return Hex.format(packet, 0, Math.min(32, packet.length));
    }

    /** What the log says of a query, read from its bytes through its view by the writer thread. */
    private record QueryFacts(int id, Opcode opcode, boolean rd, boolean cd, boolean dnssecOk,
                              Optional<Question> question, int ednsSize) {
        static QueryFacts of(byte[] query, QueryView view) {
            Optional<Question> question = view.hasQuestion() ? Optional.of(new Question(view.name(query),
                    RRType.of(view.qtype()), RRClass.of(view.qclass()))) : Optional.empty();
            return new QueryFacts(view.id(), Opcode.of(view.opcode()), view.rd(), view.cd(), view.dnssecOk(),
                    question, view.hasEdns() ? view.udpPayloadSize() : -1);
        }

        String flagsText() {
            StringBuilder flags = new StringBuilder();
            if (rd) {
                flags.append("rd");
            }
            if (cd) {
                flags.append(flags.length() > 0 ? "," : "").append("cd");
            }
            if (dnssecOk) {
                flags.append(flags.length() > 0 ? "," : "").append("do");
            }
            return flags.toString();
        }
    }

    /**
     * A quoted value of the text format: the value between double quotes, with a quote, a backslash and a line end
     * escaped (\", \\, \n) and other control characters as \xHH, so a line stays one line and a reader can
     * tell where the value ends whatever a file name or an upstream put in it.
     */
    static LogLine quoted(LogLine line, String value) {
        return line.append(quoted(value));
    }

    static String quoted(String value) {
        StringBuilder text = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        text.append(String.format("\\x%02x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        return text.append('"').toString();
    }

    /** Closes an object whose fields each ended with a comma: the last comma becomes the brace. */
    private static void endObject(LogLine json) {
        json.setLength(json.length() - 1);
        json.append('}');
    }

    /** {@code "name":}, the name being one of the format's constants. */
    private static LogLine key(LogLine json, String name) {
        return json.append('"').appendConstant(name).append('"').append(':');
    }

    private static void field(LogLine json, String name, String value) {
        key(json, name);
        if (value == null) {
            json.append("null,");
            return;
        }
        appendJsonString(json, value);
        json.append(',');
    }

    /** A JSON string: quotes, backslashes and anything outside printable ASCII escaped. */
    public static void appendJsonString(StringBuilder json, String value) {
        json.append('"');
        if (!needsEscaping(value)) {
            json.append(value).append('"');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** The same into the log's own octets; the escaping is the one above. */
    static void appendJsonString(LogLine json, String value) {
        if (!needsEscaping(value)) {
            json.append('"').appendAscii(value).append('"');
            return;
        }
        StringBuilder escaped = new StringBuilder(value.length() + 16);
        appendJsonString(escaped, value);
        json.append(escaped.toString());
    }

    private static boolean needsEscaping(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static void strings(LogLine json, String name, List<String> values) {
        json.append('"').append(name).append("\":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            appendJsonString(json, values.get(i));
        }
        json.append("],");
    }

    private static void number(LogLine json, String name, long value) {
        key(json, name).append(value).append(',');
    }

    private static void bool(LogLine json, String name, boolean value) {
        key(json, name).appendConstant(value ? "true," : "false,");
    }
}
