package dev.chivato.server;

import dev.chivato.protocol.Explainer;
import dev.chivato.protocol.Question;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** The two ways the query log writes an entry: a line for people, or JSON Lines for programs. */
public enum LogFormat {
    TEXT {
        @Override
        String format(LogEntry entry) {
            StringBuilder line = new StringBuilder(160);
            line.append(timestamp(entry.timeMillis())).append(' ').append(entry.transport().label()).append(' ')
                    .append(address(entry.client())).append(' ');
            if (entry instanceof LogEntry.Query q) {
                line.append("id=").append(q.id()).append(' ').append(q.opcode()).append(' ');
                line.append(q.question().map(Question::name).map(Object::toString).orElse("-")).append(' ')
                        .append(q.question().map(x -> x.qclass().toString()).orElse("-")).append(' ')
                        .append(q.question().map(x -> x.type().toString()).orElse("-"));
                line.append(" flags=").append(flags(q).isEmpty() ? "-" : flags(q));
                line.append(" edns=").append(q.ednsSize() < 0 ? "-" : Integer.toString(q.ednsSize()));
                if (q.rcode().isEmpty()) {
                    line.append(" -> dropped");
                } else {
                    line.append(" -> ").append(q.rcode().get()).append(" answers=").append(q.answerCount())
                            .append(" from=").append(q.source().label()).append(q.truncated() ? " tc" : "")
                            .append(" size=").append(q.responseSize());
                }
                line.append(' ').append(q.micros()).append("us");
            } else {
                LogEntry.Malformed m = (LogEntry.Malformed) entry;
                line.append("MALFORMED size=").append(m.size());
                if (m.id() >= 0) {
                    line.append(" id=").append(m.id());
                }
                line.append(" at=").append(m.offset()).append(" reason=\"").append(m.reason()).append("\" bytes=")
                        .append(m.firstBytesHex()).append(m.answered() ? " -> FORMERR" : " -> dropped")
                        .append(' ').append(m.micros()).append("us");
            }
            return line.toString();
        }
    },
    JSON {
        @Override
        String format(LogEntry entry) {
            StringBuilder json = new StringBuilder(256).append('{');
            field(json, "ts", timestamp(entry.timeMillis()));
            field(json, "transport", entry.transport().label());
            field(json, "client", address(entry.client()));
            if (entry instanceof LogEntry.Query q) {
                field(json, "kind", "query");
                number(json, "id", q.id());
                field(json, "opcode", q.opcode().toString());
                bool(json, "rd", q.rd());
                bool(json, "cd", q.cd());
                bool(json, "do", q.dnssecOk());
                field(json, "qname", q.question().map(x -> x.name().toString()).orElse(null));
                field(json, "qtype", q.question().map(x -> x.type().toString()).orElse(null));
                field(json, "qclass", q.question().map(x -> x.qclass().toString()).orElse(null));
                if (q.ednsSize() >= 0) {
                    number(json, "edns_size", q.ednsSize());
                } else {
                    json.append("\"edns_size\":null,");
                }
                field(json, "rcode", q.rcode().map(Object::toString).orElse(null));
                number(json, "answers", q.answerCount());
                field(json, "source", q.source().label());
                bool(json, "tc", q.truncated());
                number(json, "size", q.responseSize());
                number(json, "us", q.micros());
            } else {
                LogEntry.Malformed m = (LogEntry.Malformed) entry;
                field(json, "kind", "malformed");
                if (m.id() >= 0) {
                    number(json, "id", m.id());
                } else {
                    json.append("\"id\":null,");
                }
                number(json, "size", m.size());
                field(json, "reason", m.reason());
                number(json, "offset", m.offset());
                field(json, "bytes", m.firstBytesHex());
                field(json, "rcode", m.answered() ? "FORMERR" : null);
                number(json, "us", m.micros());
            }
            json.setLength(json.length() - 1);
            return json.append('}').toString();
        }
    },

    /** The text line, then both messages byte by byte, as {@code chivato explain} shows them. */
    EXPLAIN {
        @Override
        String format(LogEntry entry) {
            StringBuilder text = new StringBuilder(TEXT.format(entry)).append('\n');
            Optional<LogEntry.Wire> wire = entry instanceof LogEntry.Query q ? q.wire()
                    : ((LogEntry.Malformed) entry).wire();
            wire.ifPresent(w -> {
                text.append(";; received\n").append(Explainer.render(Explainer.explain(w.query())));
                w.response().ifPresent(r -> text.append(";; sent\n").append(Explainer.render(Explainer.explain(r))));
            });
            return text.toString();
        }
    };

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    abstract String format(LogEntry entry);

    static String timestamp(long millis) {
        return TIMESTAMP.format(Instant.ofEpochMilli(millis));
    }

    /** {@code 127.0.0.1:5353} or {@code [::1]:5353}. */
    static String address(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static String flags(LogEntry.Query q) {
        StringBuilder flags = new StringBuilder();
        if (q.rd()) {
            flags.append("rd");
        }
        if (q.cd()) {
            flags.append(flags.length() > 0 ? "," : "").append("cd");
        }
        if (q.dnssecOk()) {
            flags.append(flags.length() > 0 ? "," : "").append("do");
        }
        return flags.toString();
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append('"').append(name).append("\":");
        if (value == null) {
            json.append("null,");
            return;
        }
        json.append('"');
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
        json.append("\",");
    }

    private static void number(StringBuilder json, String name, long value) {
        json.append('"').append(name).append("\":").append(value).append(',');
    }

    private static void bool(StringBuilder json, String name, boolean value) {
        json.append('"').append(name).append("\":").append(value).append(',');
    }
}
