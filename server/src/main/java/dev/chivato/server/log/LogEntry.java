package dev.chivato.server.log;

import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * One entry of the query log. The event loop only copies the query's bytes and notes what it answered, with the view
 * it made of the query; the log's writer thread reads the name, type and flags through that view, off the hot path.
 */
public sealed interface LogEntry {
    long timeMillis();

    /** About what the entry holds in memory, for the log's bound in octets. */
    long octets();

    /** A message received and what became of it. */
    sealed interface Exchange extends LogEntry {
        Transport transport();

        InetSocketAddress client();

        /** The packet as received. */
        byte[] query();

        /** The answer as sent, kept only for {@code --log explain}. */
        Optional<byte[]> response();

        /** Why an answer did not go out (the socket refused it), or empty when it did or none was due. */
        Optional<String> unsent();

        @Override
        default long octets() {
            Optional<byte[]> response = response(); // (no lambda: this is on the event loop, per query)
            return 128 + query().length + (response.isPresent() ? response.get().length : 0);
        }
    }

    /**
     * The data was reloaded (SIGHUP or {@code --watch}).
     *
     * @param zones    each zone served now, with its serial ({@code example.org. 2026112601})
     * @param records  records served now, in all
     * @param failures for each source whose new version was refused (its old one stays): {@code FILE:LINE: reason}
     * @param read     the sources read well (whether they changed or not): with failures, a reload is partial when
     *                 some were, and failed when none was
     */
    record Reload(long timeMillis, List<String> zones, long records, long millis, List<String> failures, int read)
            implements LogEntry {
        public Reload {
            zones = List.copyOf(zones);
            failures = List.copyOf(failures);
        }

        /** {@code ok}, {@code partial} (some sources read well, others were refused) or {@code failed}. */
        public String result() {
            return failures.isEmpty() ? "ok" : read > 0 ? "partial" : "failed";
        }

        @Override
        public long octets() {
            return 128 + 64L * (zones.size() + failures.size());
        }
    }

    /**
     * A query with a view (its frame is whole), and what became of it.
     *
     * @param view          the view the event loop made of {@code query}: the writer reads the query through it
     * @param rcode         the full response code sent, or -1 when the message was dropped
     * @param responseSize  octets of the answer, 0 when dropped
     */
    record Query(long timeMillis, Transport transport, InetSocketAddress client, byte[] query, QueryView view,
                 int rcode, int answerCount, AnswerSource source, boolean truncated, int responseSize, long micros,
                 Optional<byte[]> response, Optional<String> unsent, Optional<Upstream> upstream,
                 Optional<String> note) implements Exchange {
        public Query {
            if (view.length() != query.length) {
                throw new IllegalArgumentException("the view is not of this query");
            }
        }

        /** A query answered here, from our data or with an error; its view made from it. */
        public Query(long timeMillis, Transport transport, InetSocketAddress client, byte[] query, int rcode,
                int answerCount, AnswerSource source, boolean truncated, int responseSize, long micros,
                Optional<byte[]> response, Optional<String> unsent) {
            this(timeMillis, transport, client, query, viewOf(query), rcode, answerCount, source, truncated,
                    responseSize, micros, response, unsent, Optional.empty(), Optional.empty());
        }

        private static QueryView viewOf(byte[] query) {
            try {
                return QueryView.of(query);
            } catch (WireFormatException e) {
                throw new IllegalArgumentException("a logged query has a view: " + e.getMessage(), e);
            }
        }
    }

    /**
     * A zone transfer, logged when it ended.
     *
     * @param type       {@code AXFR} or {@code IXFR}
     * @param fromSerial for an IXFR answered with differences, the client's serial they start from; else -1 (the
     *                   whole zone was sent)
     * @param serial   the serial of the zone version sent
     * @param size     octets of all its messages
     * @param failure  why it stopped before its end (the client went away, say), or empty when it was all queued
     */
    record Transfer(long timeMillis, Transport transport, InetSocketAddress client, String zone, String type,
                    long fromSerial, long serial, int messages, long records, long size, long millis,
                    Optional<String> failure)
            implements LogEntry {
        @Override
        public long octets() {
            return 192 + zone.length();
        }
    }

    /**
     * A NOTIFY we sent to a secondary after a reload, logged when it was acknowledged or given up.
     *
     * @param failure why it was not acknowledged with NOERROR, or empty when it was
     */
    record Notify(long timeMillis, Transport transport, InetSocketAddress target, String zone, long serial, int tries,
                  long millis, Optional<String> failure) implements LogEntry {
        @Override
        public long octets() {
            return 160 + zone.length();
        }
    }

    /**
     * What response rate limiting did over the last {@code seconds}: responses dropped, and slipped (sent empty with
     * TC). Written at most once a second, for as long as it limits: a flood is summed up, never logged again.
     */
    record RateLimited(long timeMillis, long dropped, long slipped, int seconds) implements LogEntry {
        @Override
        public long octets() {
            return 96;
        }
    }

    /**
     * How a forwarded query went upstream: the server that answered last (or was asked last), its response code
     * (-1 when none answered), the round trip of that answer, and how many times the query was sent.
     */
    record Upstream(InetSocketAddress address, int rcode, long micros, int tries) {
    }

    /**
     * A packet that did not decode, or that the server failed on (a bug).
     *
     * @param id       the header's id, or -1 when not even the header was there
     * @param internal true when the server failed, not the packet
     * @param rcode    what went back (FORMERR, or SERVFAIL after an internal error), or -1 when it was dropped
     */
    record Malformed(long timeMillis, Transport transport, InetSocketAddress client, byte[] query, int id,
                     String reason, int offset, boolean internal, int rcode, long micros, Optional<byte[]> response,
                     Optional<String> unsent) implements Exchange {
        boolean answered() {
            return rcode >= 0;
        }
    }
}
