package dev.chivato.server.network;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.AnswerCache;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Timers;
import dev.chivato.server.core.Transport;
import dev.chivato.server.forward.ForwardCache;
import dev.chivato.server.forward.ForwardKey;
import dev.chivato.server.forward.Forwarder;
import dev.chivato.server.forward.UpstreamAnswer;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.transfer.ZoneTransfer;
import dev.chivato.server.tsig.TransactionSignature;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One event loop's exchanges: a request comes in, is parsed once ({@link QueryView}), and goes to the producer that
 * answers it: the answer cache, the engine ({@link QueryHandler}: decode, check the signature, decide), the forward
 * cache or the forwarder, or a transfer stream; every answer ends in the loop's one {@link Completion}. Used on the
 * loop's thread only.
 *
 * <p>A request's failure costs its answer: whatever a producer throws becomes SERVFAIL (with a line on stderr and an
 * {@code internal-error} log entry), and the loop goes on.
 */
public final class ExchangePath {
    private static final TransactionSignature.Check UNSIGNED = new TransactionSignature.Check.Unsigned();

    private final Service service;
    private final Completion completion;
    /** Where the names we do not hold go; null when nothing is forwarded. */
    private final Forwarder forwarder;
    /** Where work that comes later is posted: the loop's task queue. */
    private final Executor loop;
    /** The loop's timers, for a test's delayed answers; null on a standalone path, which answers those at once. */
    private final Timers timers;
    /** The exchange every request answered in its own turn uses, so that answering allocates nothing. */
    private final Exchange reused = new Exchange();
    /** A request is in its turn: one received meanwhile (a test's, say) gets an exchange of its own. */
    private boolean inTurn;
    /**
     * For a path on a thread of its own beside the loop ({@link UdpReader}): the loop's path, to which a request
     * that waits (a test's delay) is handed, kept, to be completed on the loop. Null on the loop's own path.
     */
    private final ExchangePath owner;

    ExchangePath(Service service, Forwarder forwarder, Executor loop, Timers timers) {
        this(service, forwarder, loop, timers, null);
    }

    private ExchangePath(Service service, Forwarder forwarder, Executor loop, Timers timers, ExchangePath owner) {
        this.service = service;
        this.completion = new Completion(service);
        this.forwarder = forwarder;
        this.loop = loop;
        this.timers = timers;
        this.owner = owner;
    }

    /**
     * A path for a thread beside {@code loopPath}'s loop: it answers in turn, with a completion of its own, and hands
     * what waits to the loop. Only for a loop that does not forward: a forwarding loop reads its UDP sockets itself
     * (EventLoop#add), so that every miss does not cost a hand-over.
     */
    static ExchangePath beside(ExchangePath loopPath) {
        if (loopPath.forwarder != null) {
            throw new IllegalArgumentException("a forwarding loop reads its UDP sockets on its own thread");
        }
        return new ExchangePath(loopPath.service, null, loopPath.loop, null, loopPath);
    }

    /** A path with nothing forwarded and nothing posted later: for tests and benchmarks, which answer in turn. */
    public static ExchangePath standalone(Service service) {
        return new ExchangePath(service, null, Runnable::run, null);
    }

    /** Answers the message in {@code message} (position to limit), which came from {@code client}, to {@code to}. */
    public void receive(ByteBuffer message, Transport transport, InetSocketAddress client, Destination to) {
        long arrival = service.recordsTimes() ? System.nanoTime() : 0; // 26 ns a read, measured 2026-12-04
        boolean nested = inTurn;
        Exchange exchange = (nested ? new Exchange() : reused).begin(message, transport, client, arrival,
                service.version(), to);
        inTurn = true;
        try {
            produce(exchange);
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error answering " + LogFormat.address(client) + ": " + bug);
            completion.complete(exchange, new Answer.Failure(Rcode.SERVFAIL, bug));
        } finally {
            inTurn = nested;
        }
    }

    /** Logs what rate limiting dropped and slipped lately, when it did and the last such entry is a second old. */
    void summarizeRateLimiting() {
        completion.logRateSummary();
    }

    /**
     * Answers {@code query} as if it came from {@code client} over {@code transport}, and writes what would be sent
     * into {@code out} from its position (for tests and benchmarks); returns its length, or -1 when nothing is sent.
     * The answer is logged, counted and tapped as any other.
     */
    public int answer(ByteBuffer query, ByteBuffer out, Transport transport, InetSocketAddress client) {
        Recorder recorder = new Recorder();
        receive(query, transport, client, recorder);
        if (recorder.sent().isEmpty()) {
            return -1;
        }
        byte[] answer = recorder.sent().get(0);
        out.put(answer);
        return answer.length;
    }

    private void produce(Exchange exchange) {
        try {
            exchange.readView();
        } catch (WireFormatException malformed) {
            completion.complete(exchange, new Answer.Failure(Rcode.FORMERR, malformed));
            return;
        }
        Injected fault = service.faults().take(exchange.query, exchange.view, exchange.transport);
        if (fault != null && injected(exchange, fault)) {
            return;
        }
        answer(exchange);
    }

    /**
     * Acts on a test's fault; false when the request is answered as usual after all (a truncation over TCP). A
     * delayed request is kept, and answered from a timer of the loop when its time comes.
     */
    private boolean injected(Exchange exchange, Injected fault) {
        exchange.note = "fault set by the test: " + describe(fault);
        if (fault instanceof Injected.Truncate && exchange.transport != Transport.UDP) {
            exchange.note = null;
            return false;
        }
        if (fault instanceof Injected.Delay delay) {
            if (owner != null) {
                Exchange waiting = exchange.keep(owner.completion);
                loop.execute(() -> owner.delayed(waiting, delay));
                return true;
            }
            if (timers == null) {
                return false;
            }
            Exchange waiting = exchange.keep(completion);
            timers.schedule(System.nanoTime() + delay.delay().toNanos(), now -> answerLate(waiting));
            return true;
        }
        completion.complete(exchange, new Answer.Faulted(fault));
        if (fault instanceof Injected.CloseTcp) {
            exchange.destination.abandon();
        }
        return true;
    }

    /** A delayed request handed over by a path beside this loop's. */
    private void delayed(Exchange waiting, Injected.Delay delay) {
        timers.schedule(System.nanoTime() + delay.delay().toNanos(), now -> answerLate(waiting));
    }

    private static String describe(Injected fault) {
        if (fault instanceof Injected.Rcode rcode) {
            return Rcode.of(rcode.value()).toString();
        }
        return fault.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /** A delayed request's turn: answered as any other, its failure costing its answer only. */
    private void answerLate(Exchange waiting) {
        waiting.note = null;
        try {
            answer(waiting);
        } catch (RuntimeException bug) {
            service.warn("chivato: internal error answering " + LogFormat.address(waiting.client) + ": " + bug);
            completion.complete(waiting, new Answer.Failure(Rcode.SERVFAIL, bug));
        }
    }

    /** The producers, for a request with a view: the answer cache, the engine, the forwarder, a transfer. */
    private void answer(Exchange exchange) {
        if (exchange.view.cookieOffset() != QueryView.ABSENT && !cookieAccepted(exchange)) {
            return;
        }
        long key = QueryHandler.cacheKey(exchange.view, exchange.transport);
        AnswerCache.Entry kept = exchange.version.cache().find(exchange.query, key);
        if (kept != null) {
            if (kept.forwarded()) {
                forward(exchange);
            } else {
                completion.complete(exchange, new Answer.Cached(kept));
            }
            return;
        }
        Message query;
        try {
            query = Message.decode(exchange.query);
        } catch (WireFormatException malformed) {
            exchange.view = null;
            completion.complete(exchange, new Answer.Failure(Rcode.FORMERR, malformed));
            return;
        }
        TransactionSignature.Check signature = exchange.view.signed()
                ? TransactionSignature.check(exchange.query, exchange.view, query, service.keys(),
                        System.currentTimeMillis() / 1000)
                : UNSIGNED;
        QueryHandler.Reply reply = exchange.version.handle(query, exchange.transport, exchange.client.getAddress(),
                signature);
        if (reply.transfer().isPresent()) {
            transfer(exchange, query, reply.transfer().get(), signerFor(signature));
        } else if (reply.forwarded()) {
            exchange.version.cache().storeForwarded(exchange.query, key);
            forward(exchange);
        } else {
            completion.complete(exchange, new Answer.Engine(reply, signerFor(signature),
                    signature == UNSIGNED ? key : AnswerCache.NOT_CACHEABLE));
        }
    }

    /**
     * Reads the query's COOKIE option (RFC 7873 section 5.2); false when the query was answered BADCOOKIE for it:
     * a UDP query without a good server cookie, under {@code --require-cookie}. Over TCP the sender is proven by the
     * handshake, and is never refused for a cookie.
     */
    private boolean cookieAccepted(Exchange exchange) {
        exchange.cookie = service.cookies().check(exchange.query, exchange.view, exchange.client.getAddress(),
                System.currentTimeMillis() / 1000);
        if (!exchange.cookie.proven() && service.requireCookie() && exchange.transport == Transport.UDP) {
            exchange.note = "BADCOOKIE: no good server cookie over UDP (--require-cookie)";
            completion.complete(exchange, new Answer.Failure(Rcode.BADCOOKIE, null));
            return false;
        }
        return true;
    }

    /**
     * A name the engine says is not ours: REFUSED for a client we do not forward for, the forward cache's answer,
     * or the question goes upstream (the query kept, its destination kept, its answer posted back when it comes).
     */
    private void forward(Exchange exchange) {
        if (forwarder == null) {
            exchange.note = "no forwarder on this path";
            completion.complete(exchange, new Answer.Failure(Rcode.SERVFAIL, null));
            return;
        }
        if (!forwarder.allows(exchange.client.getAddress())) {
            exchange.note = "not forwarded: the client is outside --allow-recursion";
            completion.complete(exchange, new Answer.Failure(Rcode.REFUSED, null));
            return;
        }
        ForwardKey key = ForwardKey.of(exchange.query, exchange.view);
        long now = System.nanoTime();
        Object cached = forwarder.cached(key, now);
        if (cached != null) {
            UpstreamAnswer answer = cached == ForwardCache.FAILURE ? null : (UpstreamAnswer) cached;
            completion.complete(exchange, new Answer.Upstream(answer, null, Optional.empty()));
            return;
        }
        upstream(exchange.kept() ? exchange : exchange.keep(completion), key, now); // kept already when delayed
    }

    /** The question goes upstream, unless too many wait already. */
    private void upstream(Exchange waiting, ForwardKey key, long now) {
        String noRoom = forwarder.noRoomFor(waiting.octets());
        if (noRoom != null) {
            waiting.note = noRoom;
            completion.complete(waiting, new Answer.Failure(Rcode.SERVFAIL, null));
            return;
        }
        completion.tapQuery(waiting);
        forwarder.forward(key, waiting, now);
    }

    /** A zone transfer: a stream of messages the connection asks for as the client takes them, logged at its end. */
    private void transfer(Exchange exchange, Message query, QueryHandler.Transfer plan,
            TransactionSignature.Signer signer) {
        if (!service.beginTransfer()) {
            exchange.note = "transfer refused: " + Service.MAX_TRANSFERS + " are under way";
            completion.complete(exchange, new Answer.Engine(QueryHandler.refused(query), signer,
                    AnswerCache.NOT_CACHEABLE));
            return;
        }
        String type = plan.query().questions().get(0).type().toString();
        long fromSerial = plan.diffs().map(d -> d.get(0).fromSerial()).orElse(-1L);
        Exchange streaming = exchange.detached(); // logged at the end, long after this turn
        ZoneTransfer stream = plan.diffs()
                .map(d -> new ZoneTransfer(plan.query(), plan.zone(), ZoneTransfer.incremental(plan.zone().soa(), d),
                        signer, outcome -> ended(streaming, type, fromSerial, outcome)))
                .orElseGet(() -> new ZoneTransfer(plan.query(), plan.zone(), signer,
                        outcome -> ended(streaming, type, fromSerial, outcome)));
        if (!exchange.destination.stream(stream)) {
            service.endTransfer();
            completion.complete(exchange, new Answer.Engine(QueryHandler.refused(query), signer,
                    AnswerCache.NOT_CACHEABLE)); // a transport that cannot stream
        } else if (exchange.kept()) {
            exchange.destination.release(); // a delayed transfer: the stream is what it was owed
        }
    }

    /** A transfer ended: its slot is given back and it is logged and counted, in a task of its own. */
    private void ended(Exchange exchange, String type, long fromSerial, ZoneTransfer.Outcome outcome) {
        loop.execute(() -> completion.transferEnded(exchange, type, fromSerial, outcome));
    }

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
}
