package dev.chivato.server.network;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.EdnsOption;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.AnswerCache;
import dev.chivato.server.answer.ErrorReply;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.cookie.ServerCookies;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.forward.ClientReply;
import dev.chivato.server.log.LogClock;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.metrics.Metrics;
import dev.chivato.server.ratelimit.RateLimiter;
import dev.chivato.server.ratelimit.ResponseClass;
import dev.chivato.server.transfer.ZoneTransfer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way a request ends, for every producer (the engine, the answer cache, the forwarder and the forward cache,
 * errors): the answer is written within the size the engine allows, with this client's DNS cookie put in; rate
 * limiting may drop it or slip it (RRL); it is sent, and only then counted, logged and tapped (dnstap, the capture),
 * from copies. One per event loop, whose buffers it writes into; called on that loop's thread
 * only, in a request's own turn or from a task posted to the loop (an upstream's answer), never from inside another
 * component's callback, so no completion runs inside another.
 *
 * <p>Each step is guarded: a failure to write the answer costs that answer (SERVFAIL instead, a line on stderr, an
 * {@code internal-error} log entry); a failure to send, count, log or tap costs that step only.
 */
final class Completion {
    /** An OPT record without options: root owner, TYPE, CLASS, TTL, RDLENGTH 0. */
    private static final int EMPTY_OPT = 11;
    private final Service service;
    private final ByteBuffer datagramOut = ByteBuffer.allocateDirect(Message.MAX_LENGTH);
    private final ByteBuffer streamOut = ByteBuffer.allocate(2 + Message.MAX_LENGTH);

    Completion(Service service) {
        this.service = service;
    }

    /** Writes, sends, then counts, logs and taps the answer to {@code exchange}; releases a kept destination. */
    void complete(Exchange exchange, Answer answer) {
        ByteBuffer out = exchange.transport == Transport.UDP ? datagramOut.clear() : streamOut.clear().position(2);
        int start = out.position();
        int length;
        try {
            length = write(exchange, answer, out);
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error answering " + LogFormat.address(exchange.client) + ": " + bug);
            answer = new Answer.Failure(Rcode.SERVFAIL, bug);
            out.position(start);
            length = ErrorReply.write(exchange.query, exchange.view, Rcode.SERVFAIL.value(), true, false, out);
        }
        RateLimiter.Verdict limited = limit(exchange, answer, length);
        if (limited == RateLimiter.Verdict.DROP) {
            length = -1;
        } else if (limited == RateLimiter.Verdict.SLIP) {
            out.position(start);
            length = slip(exchange, out);
        }
        if (limited == RateLimiter.Verdict.SEND) {
            witness(exchange, answer, out, length);
        }
        Optional<String> unsent = length < 0 ? Optional.empty() : send(exchange, out, length);
        if (limited == RateLimiter.Verdict.SEND) {
            record(exchange, answer, out, length, unsent);
            logRateSummary(); // what was limited before this answer, once the flood has stopped
        } else {
            recordLimited(exchange, limited, length);
        }
        if (exchange.kept()) {
            try {
                exchange.destination.release();
            } catch (RuntimeException bug) {
                service.warn("chivato: internal error after answering " + LogFormat.address(exchange.client) + ": "
                        + bug);
            }
        }
    }

    /**
     * Rate limiting's verdict on an answer of {@code length} octets (RRL): only over UDP, and never for a client
     * that proved its address with a good server cookie, or in an exempt network.
     */
    private RateLimiter.Verdict limit(Exchange exchange, Answer answer, int length) {
        RateLimiter limiter = service.rateLimiter();
        if (limiter == null || length < 0 || exchange.transport != Transport.UDP || exchange.cookie.proven()
                || limiter.exempt(exchange.client.getAddress())) {
            return RateLimiter.Verdict.SEND;
        }
        RateLimiter.Verdict verdict = limiter.count(exchange.client.getAddress(), rateClass(exchange, answer),
                limiter.second());
        return verdict == RateLimiter.Verdict.SLIP && exchange.view == null ? RateLimiter.Verdict.DROP : verdict;
    }

    /** The class rate limiting counts the answer in: the producer's, or every error together. */
    private static long rateClass(Exchange exchange, Answer answer) {
        if (answer instanceof Answer.Cached cached) {
            return cached.entry().rateClass();
        }
        if (answer instanceof Answer.Engine engine) {
            return ResponseClass.of(engine.reply().response().orElseThrow(), exchange.view.nameHash(),
                    exchange.view.qtype());
        }
        if (answer instanceof Answer.Upstream upstream && upstream.answer() != null) {
            return upstream.answer().rateClass();
        }
        return ResponseClass.ERROR;
    }

    /**
     * A slipped answer: empty, TC set, so that a client whose address is its own asks again over TCP (and with its
     * cookie, which the answer carries, is no longer limited over UDP).
     */
    private int slip(Exchange exchange, ByteBuffer out) {
        int start = out.position();
        int length = ErrorReply.write(exchange.query, exchange.view, Rcode.NOERROR.value(), true, false, out);
        out.put(start + 2, (byte) (out.get(start + 2) | 0x02)); // TC, in the flags' first octet
        return withCookie(exchange, out, length);
    }

    /**
     * A limited answer is counted, and summed into the log's next rate-limit entry (at most one a second), never
     * logged one by one: in a flood that would be the flood again, in the log.
     */
    private void recordLimited(Exchange exchange, RateLimiter.Verdict verdict, int length) {
        try {
            Metrics metrics = service.metrics();
            if (metrics != null) {
                metrics.request(exchange.transport, exchange.view == null ? -1 : exchange.view.qtype(), exchange.size);
                metrics.rateLimited(verdict == RateLimiter.Verdict.SLIP);
            }
            service.rateLimiter().limited(verdict);
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error counting a limited answer: " + bug);
        }
        logRateSummary();
    }

    /** Logs what rate limiting dropped and slipped since its last entry, when there is some and a second passed. */
    void logRateSummary() {
        RateLimiter limiter = service.rateLimiter();
        if (limiter == null || !limiter.unlogged() || !service.logging()) {
            return;
        }
        try {
            RateLimiter.Summary summary = limiter.takeSummary();
            if (summary != null) {
                service.log().log(new LogEntry.RateLimited(System.currentTimeMillis(), summary.dropped(),
                        summary.slipped(), summary.seconds()));
            }
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error logging rate limiting: " + bug);
        }
    }

    /** Writes the answer into {@code out} from its position; returns its length, or -1 for none. */
    private int write(Exchange exchange, Answer answer, ByteBuffer out) {
        if (answer instanceof Answer.Cached cached) {
            return withCookie(exchange, out, AnswerCache.write(cached.entry(), exchange.query, exchange.view, out));
        }
        if (answer instanceof Answer.Faulted faulted) {
            return writeFault(exchange, faulted.fault(), out);
        }
        int limit = QueryHandler.responseLimit(exchange.view, exchange.transport);
        if (answer instanceof Answer.Engine engine) {
            return writeEngine(exchange, engine, out, limit);
        }
        if (answer instanceof Answer.Upstream upstream) {
            return withCookie(exchange, out, ClientReply.write(exchange.query, exchange.view, upstream.answer(), out,
                    limit, System.nanoTime()));
        }
        Answer.Failure failure = (Answer.Failure) answer;
        boolean formatError = failure.rcode().equals(Rcode.FORMERR);
        return withCookie(exchange, out, ErrorReply.write(exchange.query, formatError ? null : exchange.view,
                failure.rcode().value(), !formatError, false, out));
    }

    /**
     * What a test's fault sends: an error rcode, an empty answer with TC (as a slip), octets that do not decode, or
     * nothing ({@link Injected.Drop}, {@link Injected.CloseTcp}).
     */
    private int writeFault(Exchange exchange, Injected fault, ByteBuffer out) {
        if (fault instanceof Injected.Rcode rcode) {
            return withCookie(exchange, out, ErrorReply.write(exchange.query, exchange.view, rcode.value(), true,
                    false, out));
        }
        if (fault instanceof Injected.Truncate) {
            return slip(exchange, out);
        }
        if (fault instanceof Injected.Garbage) {
            // the query's ID, QR and RD|RA, one question and one answer promised, then a label of 63 octets
            // that has 3: every decoder stops at the end of the message
            out.putShort((short) exchange.view.id()).putShort((short) 0x8180).putShort((short) 1)
                    .putShort((short) 1).putShort((short) 0).putShort((short) 0)
                    .put((byte) 63).put((byte) 'b').put((byte) 'a').put((byte) 'd');
            return Header.LENGTH + 4;
        }
        return -1;
    }

    /**
     * The engine's response, within the size allowed (less a signature's room), kept in the answer cache as the
     * engine wrote it (a cookie is this client's alone), then given its cookie, and signed last.
     */
    private int writeEngine(Exchange exchange, Answer.Engine engine, ByteBuffer out, int limit) {
        if (engine.reply().response().isEmpty()) {
            return -1;
        }
        int reserved = engine.signer() == null ? 0 : engine.signer().overhead();
        Message response = engine.reply().response().get();
        if (endsWithTsig(response) && wantsCookie(exchange) && response.edns().isPresent()) {
            // a refused signature's answer (BADKEY, BADSIG): its TSIG record goes after OPT, so the cookie goes in
            // before it is written; never kept in the cache (a signed query is never)
            Edns edns = response.edns().get();
            List<EdnsOption> options = new ArrayList<>(edns.options());
            options.add(new EdnsOption(ServerCookies.OPTION_CODE, service.cookies().optionData(exchange.query,
                    exchange.view, exchange.client.getAddress(), System.currentTimeMillis() / 1000,
                    exchange.cookie)));
            int length = new Message(response.header(), response.questions(), response.answers(),
                    response.authority(), response.additional(), Optional.of(new Edns(edns.udpPayloadSize(),
                    edns.extendedRcode(), edns.version(), edns.dnssecOk(), edns.zFlags(), options)))
                    .encode(out, limit + ServerCookies.OPTION_LENGTH - reserved);
            return engine.signer() == null ? length : engine.signer().sign(out, out.position() - length, length);
        }
        int length = response.encode(out, limit - reserved);
        if (engine.signer() == null && engine.cacheKey() != AnswerCache.NOT_CACHEABLE) {
            exchange.version.cache().store(exchange.query, engine.cacheKey(), out, length, engine.reply().source(),
                    ResponseClass.of(engine.reply().response().get(), exchange.view.nameHash(),
                            exchange.view.qtype()));
        }
        length = withCookie(exchange, out, length);
        return engine.signer() == null ? length : engine.signer().sign(out, out.position() - length, length);
    }

    /** Whether the answer carries a COOKIE option: the query had one (and a view to find it by). */
    private static boolean wantsCookie(Exchange exchange) {
        return exchange.cookie != ServerCookies.Verdict.NONE && exchange.view != null;
    }

    private static boolean endsWithTsig(Message response) {
        List<ResourceRecord> additional = response.additional();
        return !additional.isEmpty() && additional.get(additional.size() - 1).type().equals(RRType.TSIG);
    }

    /**
     * Puts the COOKIE option (RFC 7873 section 5.2) into the answer of {@code length} octets that ends at
     * {@code out}'s position, when the query had one. Every answer written to a query with EDNS (the engine's, the
     * answer cache's, an upstream's, an error) ends with our OPT record, its options empty, and the size allowed
     * kept the option's room ({@link QueryHandler#responseLimit}); that is checked here, not assumed.
     */
    private int withCookie(Exchange exchange, ByteBuffer out, int length) {
        if (length < 0 || !wantsCookie(exchange)) {
            return length;
        }
        int end = out.position();
        if (length < Header.LENGTH + EMPTY_OPT || out.get(end - EMPTY_OPT) != 0
                || out.getShort(end - EMPTY_OPT + 1) != RRType.OPT.value() || out.getShort(end - 2) != 0) {
            throw new IllegalStateException("an answer to a query with a cookie does not end with an empty OPT");
        }
        out.putShort(end - 2, (short) ServerCookies.OPTION_LENGTH);
        service.cookies().writeOption(out, exchange.query, exchange.view, exchange.client.getAddress(),
                System.currentTimeMillis() / 1000, exchange.cookie);
        return length + ServerCookies.OPTION_LENGTH;
    }

    /** Tells the witness (a test's recorder) of the exchange, before its answer goes out. */
    private void witness(Exchange exchange, Answer answer, ByteBuffer out, int length) {
        ExchangeWitness witness = service.witness();
        if (witness == null) {
            return;
        }
        try {
            if (!witness.wants(exchange.arrivalNanos == 0 ? System.nanoTime() : exchange.arrivalNanos)) {
                return;
            }
            witness.answered(new ExchangeWitness.Seen(System.currentTimeMillis(), exchange.transport,
                    exchange.client, exchange.queryCopy(), length < 0 ? null : sent(out, length), sourceOf(answer),
                    exchange.arrivalNanos == 0 ? -1 : (System.nanoTime() - exchange.arrivalNanos) / 1000));
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error recording an answer: " + bug);
        }
    }

    private Optional<String> send(Exchange exchange, ByteBuffer out, int length) {
        try {
            return exchange.destination.send(out, length);
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error sending to " + LogFormat.address(exchange.client) + ": " + bug);
            return Optional.of("internal error: " + bug);
        }
    }

    /** Counts, logs and taps what was done, each on its own: one failing does not stop the others. */
    private void record(Exchange exchange, Answer answer, ByteBuffer out, int length, Optional<String> unsent) {
        Metrics metrics = service.metrics();
        if (metrics != null) {
            try {
                count(metrics, exchange, answer, out, length);
                if (unsent.isPresent()) {
                    metrics.unsent();
                }
            } catch (RuntimeException bug) {
                service.warn("chivato: internal error counting an answer: " + bug);
            }
        }
        if (service.logging()) {
            try {
                service.log().log(entry(exchange, answer, out, length, unsent));
            } catch (RuntimeException bug) {
                service.warn("chivato: internal error logging an answer: " + bug);
            }
        }
        if (service.tapping()) {
            try {
                tap(exchange, answer, out, length);
            } catch (RuntimeException bug) {
                service.warn("chivato: internal error tapping an answer: " + bug);
            }
        }
    }

    private static void count(Metrics metrics, Exchange exchange, Answer answer, ByteBuffer out, int length) {
        metrics.request(exchange.transport, exchange.view == null ? -1 : exchange.view.qtype(), exchange.size);
        if (exchange.view == null) {
            metrics.malformed();
        }
        if (length >= 0) {
            metrics.response(exchange.transport, rcodeOf(exchange, answer, out, length), sourceOf(answer), length,
                    System.nanoTime() - exchange.arrivalNanos);
        }
    }

    /** The full rcode sent: the answer's own (which may use EDNS's upper bits), else the header's four. */
    private static int rcodeOf(Exchange exchange, Answer answer, ByteBuffer out, int length) {
        if (answer instanceof Answer.Engine engine) {
            return engine.reply().response().orElseThrow().rcode().value();
        }
        boolean edns = exchange.view != null && exchange.view.hasEdns();
        if (answer instanceof Answer.Upstream upstream && upstream.answer() != null
                && (upstream.answer().rcode() <= 0xf || edns)) {
            return upstream.answer().rcode();
        }
        if (answer instanceof Answer.Failure failure && failure.rcode().value() > 0xf && edns) {
            return failure.rcode().value();
        }
        return out.get(out.position() - length + 3) & 0xf;
    }

    private static AnswerSource sourceOf(Answer answer) {
        if (answer instanceof Answer.Cached cached) {
            return cached.entry().source();
        }
        if (answer instanceof Answer.Engine engine) {
            return engine.reply().source();
        }
        if (answer instanceof Answer.Upstream upstream) {
            return upstream.fromCache() ? AnswerSource.CACHE : AnswerSource.FORWARDED;
        }
        return AnswerSource.NONE;
    }

    private LogEntry entry(Exchange exchange, Answer answer, ByteBuffer out, int length, Optional<String> unsent) {
        long endNanos = System.nanoTime();
        long now = LogClock.millisAt(endNanos);
        long micros = (endNanos - exchange.arrivalNanos) / 1000;
        int rcode = length < 0 ? -1 : rcodeOf(exchange, answer, out, length);
        Optional<byte[]> response = service.log().wantsWire() && length >= 0
                ? Optional.of(sent(out, length)) : Optional.empty();
        if (answer instanceof Answer.Failure failure && failure.problem() instanceof RuntimeException bug) {
            return new LogEntry.Malformed(now, exchange.transport, exchange.client, exchange.queryCopy(),
                    exchange.id(), bug.toString(), 0, true, rcode, micros, response, unsent);
        }
        if (exchange.view == null) {
            WireFormatException problem = (WireFormatException) ((Answer.Failure) answer).problem();
            return new LogEntry.Malformed(now, exchange.transport, exchange.client, exchange.queryCopy(),
                    exchange.id(), problem.reason(), problem.offset(), false, rcode, micros, response, unsent);
        }
        int answers = 0;
        boolean truncated = false;
        if (length >= 0) {
            int start = out.position() - length;
            truncated = (out.get(start + 2) & 0x02) != 0;
            answers = out.getShort(start + 6) & 0xffff;
        }
        Optional<LogEntry.Upstream> upstream = answer instanceof Answer.Upstream u
                ? Optional.ofNullable(u.upstream()) : Optional.empty();
        Optional<String> note = answer instanceof Answer.Upstream u && u.failure().isPresent() ? u.failure()
                : Optional.ofNullable(exchange.note);
        QueryView view = exchange.view.copy(); // the loop reads the next request into its own
        return new LogEntry.Query(now, exchange.transport, exchange.client, exchange.queryCopy(), view, rcode, answers,
                sourceOf(answer), truncated, Math.max(length, 0), micros, response, unsent, upstream, note);
    }

    /**
     * The exchange as dnstap and the capture see it: AUTH_QUERY and AUTH_RESPONSE for what we answered ourselves (a
     * dropped message has only its query), CLIENT_QUERY and CLIENT_RESPONSE for an upstream's answer; a forwarded
     * query was tapped when it went upstream, so here only its response is.
     */
    private void tap(Exchange exchange, Answer answer, ByteBuffer out, int length) {
        DnstapEvent.Role role = answer instanceof Answer.Upstream ? DnstapEvent.Role.CLIENT : DnstapEvent.Role.AUTH;
        byte[] response = length < 0 ? null : sent(out, length);
        byte[] query = exchange.queryTapped ? null : exchange.queryCopy();
        if (query == null && response == null) {
            return;
        }
        service.tap().offer(new DnstapEvent(role, exchange.transport, exchange.client, exchange.destination.local(),
                exchange.arrivalNanos, System.nanoTime(), query, response));
    }

    /** The query of an exchange that goes upstream, tapped now: it comes before the upstream's query and answer. */
    void tapQuery(Exchange exchange) {
        if (!service.tapping()) {
            return;
        }
        try {
            service.tap().offer(new DnstapEvent(DnstapEvent.Role.CLIENT, exchange.transport, exchange.client,
                    exchange.destination.local(), exchange.arrivalNanos, 0, exchange.queryCopy(), null));
            exchange.queryTapped = true;
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error tapping a query: " + bug);
        }
    }

    /** A transfer's stream ended: its slot is given back, and it is counted and logged (its messages were sent). */
    void transferEnded(Exchange exchange, String type, long fromSerial, ZoneTransfer.Outcome outcome) {
        service.endTransfer();
        Metrics metrics = service.metrics();
        try {
            if (metrics != null) { // a request; its messages are the stream's, not counted as responses
                metrics.request(exchange.transport, exchange.view.qtype(), exchange.size);
            }
            if (service.logging()) {
                service.log().log(new LogEntry.Transfer(System.currentTimeMillis(), exchange.transport,
                        exchange.client, outcome.zone().origin().toString(), type, fromSerial, outcome.zone().serial(),
                        outcome.messages(), outcome.records(), outcome.octets(), outcome.nanos() / 1_000_000,
                        Optional.ofNullable(outcome.failure())));
            }
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error logging a transfer: " + bug);
        }
    }

    /** A copy of the {@code length} octets that end at {@code out}'s position. */
    static byte[] sent(ByteBuffer out, int length) {
        byte[] bytes = new byte[length];
        out.get(out.position() - length, bytes);
        return bytes;
    }
}
