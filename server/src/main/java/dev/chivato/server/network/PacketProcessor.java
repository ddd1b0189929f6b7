package dev.chivato.server.network;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.AnswerCache;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.dnstap.ExchangeTap;
import dev.chivato.server.forward.Answers;
import dev.chivato.server.forward.Forwarder;
import dev.chivato.server.log.LogClock;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.metrics.Metrics;
import dev.chivato.server.transfer.ZoneTransfer;
import dev.chivato.server.tsig.TransactionSignature;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Bytes in, bytes out, for both transports. A query asked before is answered from the {@link AnswerCache}; every other
 * one is decoded, handed to the {@link QueryHandler} and encoded within the size the client allows, and its answer is
 * kept in the cache. The one place where a
 * {@link WireFormatException} becomes FORMERR. Every message is logged once, after its answer was handed to the
 * transport, so the log says whether it really went out.
 */
public final class PacketProcessor {
    /** Returned instead of a length when nothing is to be sent. */
    public static final int DROP = -1;

    /** Where an answer goes: a datagram sent at once, or a connection's queue. */
    public interface Responder {
        /**
         * Sends or queues the {@code length} octets of answer that end at {@code out}'s position.
         *
         * @return empty when they went out (or were queued), else why they did not
         */
        Optional<String> respond(ByteBuffer out, int length);

        /** The address and port the message came to (for dnstap), or null when not known. */
        default InetSocketAddress local() {
            return null;
        }

        /** The address a socket is bound to, or null once it is closed. */
        static InetSocketAddress localOf(NetworkChannel channel) {
            try {
                return (InetSocketAddress) channel.getLocalAddress();
            } catch (IOException closed) {
                return null;
            }
        }

        /** Takes many messages for this query (a zone transfer); false when this transport cannot. */
        default boolean stream(MessageStream messages) {
            return false;
        }

        /** Where the answers to this message go when they come later (a forwarded query's, say). */
        default Answers later() {
            throw new UnsupportedOperationException("this transport answers only at once");
        }
    }

    /** Returned instead of a length when the answer comes later (the query went upstream). */
    public static final int PENDING = -2;

    /** For callers that send the answer themselves (tests, benchmarks). */
    private static final Responder KEEP = (out, length) -> Optional.empty();

    /** The current data's handler (with its cache): read once per message, so each answer is one version's. */
    private volatile QueryHandler handler;
    private final QueryLog log;
    private final Metrics metrics;
    /** The TSIG keys signed requests are checked against ({@code --tsig-key}); none by default. */
    private volatile List<TransactionSignature.Key> keys = List.of();
    /** Where each exchange is recorded (dnstap, the capture), when one is on. */
    private final ExchangeTap dnstap;
    /** Where a line for the operator goes when the server fails on a message: stderr, or a test's list. */
    private final Consumer<String> warnings;

    public PacketProcessor(QueryHandler handler, QueryLog log) {
        this(handler, log, System.err::println);
    }

    public PacketProcessor(QueryHandler handler, QueryLog log, Consumer<String> warnings) {
        this(handler, log, warnings, null);
    }

    /** As above, counting what it does in {@code metrics} (null for none). */
    public PacketProcessor(QueryHandler handler, QueryLog log, Consumer<String> warnings, Metrics metrics) {
        this(handler, log, warnings, metrics, ExchangeTap.OFF);
    }

    /** As above, also handing every exchange to {@code dnstap} (dnstap frames, the capture's packets). */
    public PacketProcessor(QueryHandler handler, QueryLog log, Consumer<String> warnings, Metrics metrics,
            ExchangeTap dnstap) {
        this.dnstap = dnstap;
        this.metrics = metrics;
        this.handler = handler;
        this.log = log;
        this.warnings = warnings;
    }

    private void count(ByteBuffer packet, ByteBuffer out, Transport transport, int length, Object outcome,
            long startNanos) {
        metrics.request(transport, qtypeOf(packet), packet.remaining());
        if (outcome instanceof WireFormatException) {
            metrics.malformed();
        }
        if (length != DROP) {
            metrics.response(transport, rcodeSent(out, length, outcome), sourceOf(out, length, outcome), length,
                    System.nanoTime() - startNanos);
        }
    }

    /** What is counted for {@code --metrics}, or null. */
    public Metrics metrics() {
        return metrics;
    }

    /** Checks signed requests against {@code keys} and signs their answers with the key they used. */
    public void signWith(List<TransactionSignature.Key> keys) {
        this.keys = List.copyOf(keys);
    }

    /** Where exchanges go as dnstap frames (a forwarder's too). */
    public ExchangeTap dnstap() {
        return dnstap;
    }

    /** Where answers are logged (a forwarder logs its answers there too). */
    public QueryLog log() {
        return log;
    }

    /** Keeps an upstream's answer, as sent, in the current data's answer cache (it goes with a reload). */
    public void keepForwarded(ByteBuffer query, Transport transport, ByteBuffer answer, int length, long ttlSeconds) {
        handler.cache().storeForwarded(query, transport, answer, length, ttlSeconds);
    }

    /** From now on, answers come from {@code next} (a reload); a message being answered finishes with the old one. */
    public void use(QueryHandler next) {
        handler = next;
    }

    /** Answers into {@code out} and logs as if the answer was sent; returns its length or {@link #DROP}. */
    public int process(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client) {
        return process(packet, out, transport, client, KEEP);
    }

    /**
     * Answers the message in {@code packet} (position to limit) into {@code out} from its position, hands the
     * answer to {@code responder}, and logs what happened.
     *
     * @return the response length, or {@link #DROP}
     */
    public int process(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client,
            Responder responder) {
        return process(packet, out, transport, client, responder, null);
    }

    /**
     * As above; a query for a name we do not hold goes to {@code forwarder} (the event loop's, or null when nothing
     * is forwarded), and then {@link #PENDING} is returned: the forwarder answers and logs it later.
     */
    public int process(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client,
            Responder responder, Forwarder forwarder) {
        // only they read the clock
        long startNanos = log.enabled() || metrics != null || dnstap.enabled() ? System.nanoTime() : 0;
        int outStart = out.position();
        int length;
        Object outcome; // the cached answer's source, the handler's Reply, or the problem
        String note = null;
        QueryHandler handler = this.handler;
        AnswerCache cache = handler.cache();
        try {
            AnswerCache.Entry cached = cache.find(packet, transport);
            if (cached != null && cached.source() == AnswerSource.CACHE
                    && (forwarder == null || !forwarder.allows(client.getAddress()))) {
                cached = null; // an upstream's answer only for a client we forward for: the engine says what else
            }
            if (cached != null) {
                outcome = cached.source();
                length = AnswerCache.write(cached, packet, out);
            } else {
                try {
                    Message query = Message.decode(packet);
                    TransactionSignature.Check signature = query.additional().isEmpty()
                            ? UNSIGNED : TransactionSignature.check(packet, query, keys,
                                    System.currentTimeMillis() / 1000);
                    QueryHandler.Reply reply = handler.handle(query, transport, client.getAddress(), signature);
                    TransactionSignature.Signer signer = signerFor(signature);
                    if (reply.transfer().isPresent()) {
                        if (activeTransfers.incrementAndGet() > MAX_TRANSFERS) {
                            activeTransfers.decrementAndGet();
                            note = "transfer refused: " + MAX_TRANSFERS + " are under way";
                            reply = QueryHandler.refused(query);
                        } else if (responder.stream(transfer(reply.transfer().get(), transport, client, signer))) {
                            if (metrics != null) { // a request; its messages are the stream's, not counted as responses
                                metrics.request(transport, qtypeOf(packet), packet.remaining());
                            }
                            return PENDING;
                        } else {
                            activeTransfers.decrementAndGet();
                            reply = QueryHandler.refused(query); // a transport that cannot stream (not reached)
                        }
                    }
                    boolean local = !reply.forwarded();
                    if (!local) {
                        note = refuseToForward(client, forwarder);
                        if (note == null) {
                            Optional<Message> kept = forwarder.cached(query, System.nanoTime());
                            if (kept.isEmpty()) {
                                forwarder.forward(query, copy(packet), transport, client, responder.local(),
                                        responder.later(), System.nanoTime());
                                if (metrics != null) { // its response is the forwarder's
                                    metrics.request(transport, qtypeOf(packet), packet.remaining());
                                }
                                return PENDING;
                            }
                            reply = QueryHandler.Reply.of(kept.get(), AnswerSource.CACHE);
                        } else {
                            reply = note.startsWith(NOT_ALLOWED) ? QueryHandler.refused(query)
                                    : QueryHandler.serverFailure(query);
                        }
                    }
                    outcome = reply;
                    int limit = QueryHandler.responseLimit(query.edns(), transport)
                            - (signer == null ? 0 : signer.overhead());
                    length = reply.response().isPresent() ? reply.response().get().encode(out, limit) : DROP;
                    if (length != DROP && signer != null) {
                        length = signer.sign(out, out.position() - length, length);
                    } else if (length != DROP && local && signature == UNSIGNED) {
                        cache.store(packet, transport, out, length, reply.source()); // our own answers only
                    }
                } catch (WireFormatException problem) {
                    outcome = problem;
                    length = refusal(packet, out, Rcode.FORMERR);
                }
            }
        } catch (RuntimeException bug) {
            // A bug must cost one answer, never the event loop: SERVFAIL, and a loud line for the operator.
            warnings.accept("chivato: internal error answering " + LogFormat.address(client) + ": " + bug);
            out.position(outStart);
            outcome = bug;
            length = refusal(packet, out, Rcode.SERVFAIL);
        }
        Optional<String> unsent = length == DROP ? Optional.empty() : responder.respond(out, length);
        if (metrics != null) {
            count(packet, out, transport, length, outcome, startNanos);
        }
        if (log.enabled()) {
            log.log(entry(packet, out, transport, client, length, outcome, unsent, startNanos, note));
        }
        if (dnstap.enabled()) {
            tap(packet, out, transport, client, responder.local(), length, outcome, startNanos);
        }
        return length;
    }

    /**
     * The exchange as dnstap sees it: AUTH_QUERY and AUTH_RESPONSE for what we answered ourselves (a dropped message
     * has only its query), CLIENT_QUERY and CLIENT_RESPONSE for an answer kept from upstream.
     */
    private void tap(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client,
            InetSocketAddress local, int length, Object outcome, long startNanos) {
        boolean fromUpstream = outcome == AnswerSource.CACHE
                || outcome instanceof QueryHandler.Reply reply && reply.source() == AnswerSource.CACHE;
        byte[] response = length == DROP ? null : sent(out, length);
        dnstap.offer(new DnstapEvent(fromUpstream ? DnstapEvent.Role.CLIENT : DnstapEvent.Role.AUTH, transport,
                client, local, startNanos, System.nanoTime(), copy(packet), response));
    }

    private static final String NOT_ALLOWED = "not forwarded: ";

    private static final TransactionSignature.Check UNSIGNED = new TransactionSignature.Check.Unsigned();

    /**
     * Transfers under way at once, at most: each holds the zone version it started on, so this bounds the versions
     * a slow secondary can keep alive through reloads (a transfer below 1 KiB/s is closed by the I/O timeout).
     */
    public static final int MAX_TRANSFERS = 10;
    private final AtomicInteger activeTransfers = new AtomicInteger();

    /** Who signs the answer: the request's key when it was good, or for BADTIME (section 5.2.3); else no one. */
    private static TransactionSignature.Signer signerFor(TransactionSignature.Check signature) {
        if (signature instanceof TransactionSignature.Check.Valid valid) {
            return new TransactionSignature.Signer(valid.key(), valid.mac());
        }
        if (signature instanceof TransactionSignature.Check.Failed failed && failed.key().isPresent()) {
            return TransactionSignature.badTime(failed.key().get(), failed.mac());
        }
        return null;
    }

    /** The transfer's messages as a stream (each signed when the request was), logged when it ends. */
    private ZoneTransfer transfer(QueryHandler.Transfer plan, Transport transport, InetSocketAddress client,
            TransactionSignature.Signer signer) {
        String type = plan.query().questions().get(0).type().toString();
        long fromSerial = plan.diffs().map(d -> d.get(0).fromSerial()).orElse(-1L);
        Consumer<ZoneTransfer.Outcome> logged = outcome -> {
            activeTransfers.decrementAndGet();
            if (log.enabled()) {
                log.log(new LogEntry.Transfer(System.currentTimeMillis(), transport, client,
                        outcome.zone().origin().toString(), type, fromSerial, outcome.zone().serial(),
                        outcome.messages(), outcome.records(), outcome.octets(), outcome.nanos() / 1_000_000,
                        Optional.ofNullable(outcome.failure())));
            }
        };
        return plan.diffs().map(d -> new ZoneTransfer(plan.query(), plan.zone(),
                        ZoneTransfer.incremental(plan.zone().soa(), d), signer, logged))
                .orElseGet(() -> new ZoneTransfer(plan.query(), plan.zone(), signer, logged));
    }

    /** Why a query for a name we do not hold is not forwarded for this client, or null when it is. */
    private static String refuseToForward(InetSocketAddress client, Forwarder forwarder) {
        if (forwarder == null) {
            return "no forwarder on this path";
        }
        if (!forwarder.allows(client.getAddress())) {
            return NOT_ALLOWED + "the client is outside --allow-recursion";
        }
        if (!forwarder.hasRoom()) {
            return "too many forwarded queries wait already (" + forwarder.maxPending() + ")";
        }
        return null;
    }

    /**
     * The answer to a message that could not be handled: FORMERR or SERVFAIL with the same id, the question echoed
     * when it decodes, nothing else; {@link #DROP} when not even a header is there or it is a response.
     */
    private static int refusal(ByteBuffer packet, ByteBuffer out, Rcode rcode) {
        try {
            Header header = Message.decodeHeader(packet);
            if (header.qr()) {
                return DROP;
            }
            return QueryHandler.failure(header, rcode == Rcode.FORMERR ? List.of() : questionsOf(packet), rcode)
                    .encode(out, QueryHandler.CLASSIC_UDP_SIZE);
        } catch (WireFormatException shorterThanAHeader) {
            return DROP; // nothing to answer to
        }
    }

    /** The questions of a message that decodes, for a SERVFAIL to echo; none when it does not. */
    private static List<Question> questionsOf(ByteBuffer packet) {
        try {
            return Message.decode(packet.duplicate()).questions();
        } catch (WireFormatException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * The log entry. What was sent is read back from the header just written, so every path logs the same way; the
     * query's name and flags are left for the log's writer thread to read.
     */
    private LogEntry entry(ByteBuffer packet, ByteBuffer out, Transport transport, InetSocketAddress client,
            int length, Object outcome, Optional<String> unsent, long startNanos, String note) {
        long endNanos = System.nanoTime();
        long now = LogClock.millisAt(endNanos);
        long micros = (endNanos - startNanos) / 1000;
        int rcode = length == DROP ? -1 : rcodeSent(out, length, outcome);
        Optional<byte[]> response = response(out, length);
        if (outcome instanceof WireFormatException problem) {
            return new LogEntry.Malformed(now, transport, client, copy(packet), idOf(packet), problem.reason(),
                    problem.offset(), false, rcode, micros, response, unsent);
        }
        if (outcome instanceof RuntimeException bug) {
            return new LogEntry.Malformed(now, transport, client, copy(packet), idOf(packet), bug.toString(), 0,
                    true, rcode, micros, response, unsent);
        }
        int answers = 0;
        boolean truncated = false;
        AnswerSource source = AnswerSource.NONE;
        if (length != DROP) {
            int start = out.position() - length;
            truncated = (out.get(start + 2) & 0x02) != 0;
            answers = out.getShort(start + 6) & 0xffff;
            source = sourceOf(out, length, outcome);
        }
        return new LogEntry.Query(now, transport, client, copy(packet), rcode, answers, source, truncated,
                Math.max(length, 0), micros, response, unsent, Optional.empty(), Optional.ofNullable(note));
    }

    /** Where the answer's records came from; none when it has no answer records (NXDOMAIN, NODATA, errors). */
    private static AnswerSource sourceOf(ByteBuffer out, int length, Object outcome) {
        if (outcome instanceof RuntimeException || outcome instanceof WireFormatException) {
            return AnswerSource.NONE;
        }
        int answers = out.getShort(out.position() - length + 6) & 0xffff;
        AnswerSource answered = outcome instanceof QueryHandler.Reply reply ? reply.source() : (AnswerSource) outcome;
        return answers > 0 || answered == AnswerSource.CACHE ? answered : AnswerSource.NONE;
    }

    /** The question's type, read from the wire (its name skipped), or -1 when it cannot be read. */
    static int qtypeOf(ByteBuffer packet) {
        int at = packet.position() + 12;
        int end = packet.limit();
        if (end - packet.position() < 12 || packet.getShort(packet.position() + 4) == 0) {
            return -1;
        }
        while (at < end) {
            int length = packet.get(at) & 0xff;
            if (length == 0) {
                return at + 3 <= end ? packet.getShort(at + 1) & 0xffff : -1;
            }
            if (length > 63) {
                return -1;
            }
            at += 1 + length;
        }
        return -1;
    }

    /** The full rcode sent: the handler's decision (which may use EDNS's upper bits), else the header's four. */
    private static int rcodeSent(ByteBuffer out, int length, Object outcome) {
        if (outcome instanceof QueryHandler.Reply reply) {
            return reply.response().orElseThrow().rcode().value();
        }
        return out.get(out.position() - length + 3) & 0xf;
    }

    private static int idOf(ByteBuffer packet) {
        return packet.remaining() >= Header.LENGTH ? packet.getShort(packet.position()) & 0xffff : -1;
    }

    private static byte[] copy(ByteBuffer packet) {
        byte[] bytes = new byte[packet.remaining()];
        packet.get(packet.position(), bytes);
        return bytes;
    }

    /** A copy of the response just written, when the log prints it. */
    private Optional<byte[]> response(ByteBuffer out, int length) {
        if (!log.wantsWire() || length == DROP) {
            return Optional.empty();
        }
        return Optional.of(sent(out, length));
    }

    /** A copy of the {@code length} octets that end at {@code out}'s position. */
    public static byte[] sent(ByteBuffer out, int length) {
        byte[] bytes = new byte[length];
        out.get(out.position() - length, bytes);
        return bytes;
    }
}
