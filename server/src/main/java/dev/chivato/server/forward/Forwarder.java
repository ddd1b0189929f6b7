package dev.chivato.server.forward;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Timers;
import dev.chivato.server.core.Transport;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.LogFormat;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The questions one event loop waits on upstream servers for: a state machine per question, driven by that loop's
 * selector and timers, so nothing blocks and nothing is locked but the shared cache.
 *
 * <p>A question ({@link Pending}) is asked of its upstreams in turn: each try goes out with a random ID from a random
 * port ({@link PortPool}); a try not answered within the try timeout makes way for the next upstream (its socket stays
 * open: a late answer is still taken); SERVFAIL, REFUSED or a network error moves on at once to an upstream not yet
 * asked; a truncated answer is asked again over TCP ({@link UpstreamStream}, kept and reused, reconnected once when a
 * kept connection turns out dead); FORMERR or NOTIMP to a query with EDNS, from an upstream that sent no OPT back,
 * is asked again without EDNS (RFC 6891 section 7). An answer is taken only from the address and port asked, with the
 * ID and the question sent, the name compared case for case (so {@code --forward-0x20} can randomize the case);
 * anything else is dropped, counted, and reported at most once a second. Identical questions in flight are asked once
 * (RFC 5452 section 5).
 *
 * <p><b>Invariant</b>: a question not finished has its deadline timer armed, so every client gets an answer by the
 * deadline at the latest ({@link #unfinishedWithoutDeadline()} is 0; tests hold it).
 *
 * <p>The outcome goes to each waiting client through the loop's {@code executor}: a task posted to the loop, never a
 * call made from inside the forwarder. The forwarder builds no log entry, metric or dnstap event of the client's
 * exchange; what it does with upstreams it tells its {@link Observer}.
 */
public final class Forwarder {
    /** The EDNS payload size we offer upstream (the DNS flag day's 1232). */
    static final int UPSTREAM_PAYLOAD_SIZE = QueryHandler.OUR_UDP_PAYLOAD_SIZE;
    private static final long WARNING_INTERVAL_NANOS = 1_000_000_000L;

    /** A client query waiting for its question's outcome. */
    public interface Waiter {
        /** The outcome; called once, in a task posted to the loop. */
        void finished(Outcome outcome);

        /** The octets the waiting query holds, counted against {@link Forwarding#MAX_PENDING_OCTETS}. */
        int octets();

        /** Who asked: a client at an upstream's address asking what we ask that upstream is a forwarding loop. */
        InetAddress client();
    }

    /**
     * How a question ended: the upstream's answer (null: none came, SERVFAIL), how it went upstream (the server that
     * answered last or was asked last, its rcode, the round trip, the tries), and why there is no answer.
     */
    public record Outcome(UpstreamAnswer answer, LogEntry.Upstream upstream, Optional<String> failure) {
    }

    /** Why an upstream try did not give the answer. */
    public enum TryFailed {
        /** No answer within the try's time. */
        TIMEOUT,
        /** The upstream answered SERVFAIL or REFUSED. */
        ERROR_RCODE,
        /** The socket or connection failed. */
        NETWORK
    }

    /** What the forwarder tells of its own traffic with upstreams: for dnstap, the capture and the metrics. */
    public interface Observer {
        /** Whether {@link #sent} and {@link #received} want the messages (copies are made only then). */
        boolean wantsMessages();

        /** A query went to {@code upstream} from {@code local}; {@code query} from position to limit. */
        void sent(Transport transport, InetSocketAddress local, InetSocketAddress upstream, ByteBuffer query,
                long nanos);

        /** An answer from {@code upstream} was taken; {@code answer} from position to limit. */
        void received(Transport transport, InetSocketAddress local, InetSocketAddress upstream, ByteBuffer answer,
                long sentNanos, long nanos);

        void tryFailed(TryFailed why);

        /** An answer dropped: from elsewhere, with another ID or question, or not DNS. */
        void dropped();

        Observer NONE = new Observer() {
            @Override
            public boolean wantsMessages() {
                return false;
            }

            @Override
            public void sent(Transport transport, InetSocketAddress local, InetSocketAddress upstream,
                    ByteBuffer query, long nanos) {
            }

            @Override
            public void received(Transport transport, InetSocketAddress local, InetSocketAddress upstream,
                    ByteBuffer answer, long sentNanos, long nanos) {
            }

            @Override
            public void tryFailed(TryFailed why) {
            }

            @Override
            public void dropped() {
            }
        };
    }

    /** One question asked upstream, for every client that asked it meanwhile. */
    private final class Pending {
        final ForwardKey key;
        final Question asked;
        final List<InetSocketAddress> upstreams;
        final long deadline;
        final List<Waiter> waiters = new ArrayList<>(1);
        /** The tries whose sockets are open: the latest, and earlier ones whose answer may still come. */
        final List<Try> open = new ArrayList<>(1);
        /** Armed until the question is finished: the invariant above. */
        Timers.Timer deadlineTimer;
        int next;
        int tries;
        boolean withoutEdns;
        InetSocketAddress asking;
        int lastRcode = -1;
        long lastMicros;
        /** The last SERVFAIL or REFUSED an upstream gave: passed on if nothing better comes. */
        UpstreamAnswer lastRefusal;
        String failure;
        boolean finished;

        Pending(ForwardKey key, Question asked, List<InetSocketAddress> upstreams, long deadline) {
            this.key = key;
            this.asked = asked;
            this.upstreams = upstreams;
            this.deadline = deadline;
        }

        /** Whether some try is still within its time (its answer is the one waited for). */
        boolean aTryIsWaited() {
            for (Try attempt : open) {
                if (attempt.timeout != null && attempt.timeout.armed()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One sending of the question: to one upstream, with its own ID, over UDP from a pool port or over TCP. */
    private static final class Try {
        final Pending pending;
        final InetSocketAddress upstream;
        final long sentAt;
        /** A TCP try that already went once on a kept connection that died. */
        final boolean reconnected;
        int id;
        PortPool.Port<Try> port;
        UpstreamStream<Try> stream;
        Timers.Timer timeout;
        boolean closed;

        Try(Pending pending, InetSocketAddress upstream, long sentAt, boolean reconnected) {
            this.pending = pending;
            this.upstream = upstream;
            this.sentAt = sentAt;
            this.reconnected = reconnected;
        }

        Transport transport() {
            return stream == null ? Transport.UDP : Transport.TCP;
        }
    }

    private final Selector selector;
    private final Forwarding config;
    private final ForwardCache cache;
    private final Timers timers;
    private final Executor loop;
    /** Where upstream answers are encoded again in their kept form: one per loop, reused. */
    private final ByteBuffer encoding = ByteBuffer.allocate(Message.MAX_LENGTH);
    private final Observer observer;
    private final Consumer<String> warnings;
    /** IDs, ports and 0x20 letters: a ChaCha20 keystream keyed from SecureRandom (see KeystreamRandom). */
    private final KeystreamRandom random = new KeystreamRandom();
    private final PortPool<Try> ports;
    private final Map<ForwardKey, Pending> inFlight = new HashMap<>();
    /** One TCP connection per upstream, kept while used. */
    private final Map<InetSocketAddress, UpstreamStream<Try>> streams = new HashMap<>();
    private final ByteBuffer out = ByteBuffer.allocate(2 + Message.MAX_LENGTH);
    private final ByteBuffer in = ByteBuffer.allocate(Message.MAX_LENGTH);
    /** The frame of the upstream answer in {@link #in}: one view per loop, reused. */
    private final QueryView responseView = new QueryView();
    /** Client queries waiting, and the octets they hold. */
    private int waiting;
    private long waitingOctets;
    private long droppedSinceWarning;
    private long lastWarningNanos = System.nanoTime() - WARNING_INTERVAL_NANOS;

    /**
     * A forwarder for one event loop: its {@code selector}, {@code timers} and {@code loop} (where outcomes are
     * posted); {@code cache} is shared by all loops; at most {@code ports} upstream sockets.
     */
    public Forwarder(Selector selector, Forwarding config, ForwardCache cache, Timers timers, Executor loop,
            Observer observer, Consumer<String> warnings, int ports) {
        this.selector = selector;
        this.config = config;
        this.cache = cache;
        this.timers = timers;
        this.loop = loop;
        this.observer = observer;
        this.warnings = warnings;
        this.ports = new PortPool<>(selector, random, ports);
    }

    /** Upstream sockets each of {@code threads} loops may open: see {@link PortPool#sizeFor}. */
    public static int portsPerLoop(int threads, int listeners, int maxConnections) {
        return PortPool.sizeFor(threads, listeners, maxConnections);
    }

    /** Whether we forward for this client ({@code --allow-recursion}). */
    public boolean allows(InetAddress client) {
        return config.allows(client);
    }

    /**
     * What the cache holds for {@code key}: an {@link UpstreamAnswer}, {@link ForwardCache#FAILURE}, or null (then
     * the query is to be {@link #forward forwarded}).
     */
    public Object cached(ForwardKey key, long now) {
        return cache.enabled() ? cache.find(key, now) : null;
    }

    /** Why one more client query holding {@code octets} may not wait now, or null when it may. */
    public String noRoomFor(int octets) {
        if (waiting >= config.maxPending()) {
            return "too many forwarded queries wait already (" + config.maxPending() + ")";
        }
        if (waitingOctets + octets > Forwarding.MAX_PENDING_OCTETS) {
            return "the forwarded queries waiting hold " + waitingOctets + " octets already";
        }
        return null;
    }

    /** Whether this key is one of the upstream sockets. */
    public boolean owns(SelectionKey key) {
        return key.attachment() instanceof UpstreamStream || key.attachment() instanceof PortPool.Port;
    }

    /**
     * Asks {@code key}'s question upstream, or joins the same question already asked; {@code waiter} learns the
     * outcome by the deadline at the latest. The caller checked {@link #noRoomFor} and that a route covers the name.
     */
    public void forward(ForwardKey key, Waiter waiter, long now) {
        waiting++;
        waitingOctets += waiter.octets();
        Pending pending = inFlight.get(key);
        if (pending != null) {
            pending.waiters.add(waiter);
            return;
        }
        List<InetSocketAddress> upstreams = config.upstreamsFor(key.name()).orElseThrow();
        Name name = config.randomizeCase() ? randomCase(key.name()) : key.name();
        pending = new Pending(key, new Question(name, RRType.of(key.type()), RRClass.of(key.qclass())), upstreams,
                now + config.deadline().toNanos());
        pending.waiters.add(waiter);
        inFlight.put(key, pending);
        Pending armed = pending;
        pending.deadlineTimer = timers.schedule(pending.deadline, at -> expire(armed, at));
        send(pending, now);
    }

    /** Reads what came on an upstream socket (or connects and writes, over TCP). */
    @SuppressWarnings("unchecked")
    public void onReady(SelectionKey key, long now) {
        if (key.attachment() instanceof UpstreamStream<?> stream) {
            onStreamReady((UpstreamStream<Try>) stream, now);
            return;
        }
        // One datagram a turn: reading on until the socket is empty would cost a receive that finds nothing for
        // nearly every answer; anything left wakes the (level-triggered) selector again at once.
        PortPool.Port<Try> port = (PortPool.Port<Try>) key.attachment();
        in.clear();
        try {
            if (port.channel.read(in) <= 0) {
                return;
            }
        } catch (IOException e) {
            unreachable(port, e, now);
            return;
        }
        in.flip();
        Try attempt = in.remaining() >= 2 ? port.waiting.get(in.getShort(0) & 0xffff) : null;
        if (attempt == null) {
            dropped(port.upstream, "no query with its ID waits on that port");
        } else {
            received(attempt, now);
        }
    }

    /** Closes idle upstream sockets; the loop calls it between turns. */
    public void sweep(long now) {
        ports.closeIdle(now);
        for (UpstreamStream<Try> stream : List.copyOf(streams.values())) {
            if (stream.waiting.isEmpty() && now - stream.lastUsed > PortPool.IDLE_NANOS) {
                streams.remove(stream.upstream);
                stream.close();
            }
        }
    }

    /** Every waiting client gets SERVFAIL (posted: the loop stops), and every upstream socket is closed. */
    public void close() {
        long now = System.nanoTime();
        for (Pending pending : List.copyOf(inFlight.values())) {
            pending.failure = "the server is stopping";
            finish(pending, null, now);
        }
        ports.retireAll();
        streams.values().forEach(UpstreamStream::close);
        streams.clear();
    }

    /** Questions in flight. */
    public int pending() {
        return inFlight.size();
    }

    /** Client queries waiting. */
    public int waiting() {
        return waiting;
    }

    /** The octets the client queries waiting hold. */
    public long waitingOctets() {
        return waitingOctets;
    }

    /** The questions not finished whose deadline timer is not armed: 0, always (the invariant). */
    public int unfinishedWithoutDeadline() {
        int broken = 0;
        for (Pending pending : inFlight.values()) {
            if (pending.finished || pending.deadlineTimer == null || !pending.deadlineTimer.armed()) {
                broken++;
            }
        }
        return broken;
    }

    /** Upstream sockets this loop may open at most. */
    public int ports() {
        return ports.size();
    }

    /** Upstream sockets open now. */
    public int openPorts() {
        return ports.open();
    }

    /**
     * The kernel reported an error from the upstream (an ICMP port or host unreachable, on a connected socket):
     * every try waiting on that socket has failed and moves on at once. The socket is closed.
     */
    private void unreachable(PortPool.Port<Try> port, IOException e, long now) {
        String why = LogFormat.address(port.upstream) + " is unreachable"
                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        List<Try> failed = port.waiting.values();
        ports.closeNow(port);
        for (Try attempt : failed) {
            networkFailure(attempt, why, now);
        }
    }

    private void networkFailure(Try attempt, String why, long now) {
        Pending pending = attempt.pending;
        closeTry(attempt);
        if (pending.finished) {
            return;
        }
        pending.failure = why;
        observer.tryFailed(TryFailed.NETWORK);
        afterFailure(pending, now);
    }

    /** The try's time is over: the next upstream is asked, if there is time. Its socket stays open. */
    private void timedOut(Try attempt, long now) {
        Pending pending = attempt.pending;
        if (pending.finished || attempt.closed) {
            return;
        }
        pending.failure = LogFormat.address(attempt.upstream) + " did not answer in "
                + config.tryTimeout().toMillis() + " ms";
        observer.tryFailed(TryFailed.TIMEOUT);
        if (now - pending.deadline < 0) {
            send(pending, now);
        }
    }

    /** The deadline came: every client waiting gets what there is, SERVFAIL at best. */
    private void expire(Pending pending, long now) {
        if (pending.finished) {
            return;
        }
        for (Try attempt : pending.open) {
            if (attempt.timeout != null && attempt.timeout.armed()) { // its time ends with the deadline's
                pending.failure = LogFormat.address(attempt.upstream) + " did not answer by the deadline";
                observer.tryFailed(TryFailed.TIMEOUT);
            }
        }
        finish(pending, pending.lastRefusal, now);
    }

    /**
     * A try failed (an error rcode, a network error): an upstream not yet asked is asked now while there is time;
     * else, unless an earlier try is still waited for, the question ends with what there is.
     */
    private void afterFailure(Pending pending, long now) {
        if (pending.next < pending.upstreams.size() && now - pending.deadline < 0) {
            send(pending, now);
        } else if (!pending.aTryIsWaited()) {
            finish(pending, pending.lastRefusal, now);
        }
    }

    /** The answer in {@link #in}, from the try's upstream (its socket is connected, or the stream is to it). */
    private void received(Try attempt, long now) {
        Pending pending = attempt.pending;
        QueryView response = responseView;
        try {
            response.read(in);
        } catch (WireFormatException e) {
            drop(attempt, "it is not a DNS message: " + e.getMessage());
            return;
        }
        if (response.id() != attempt.id || !response.qr()) {
            drop(attempt, "its ID is not the one sent, or it is not a response");
            return;
        }
        if (response.questionCount() != 1 || !sameQuestion(response, pending.asked)) {
            drop(attempt, "its question is not the one asked, case for case");
            return;
        }
        UpstreamAnswer answer = UpstreamAnswer.asWritten(in, response, pending.asked, now, config.cache().maxTtl());
        Message decoded = null;
        if (answer == null) { // not a plain positive answer: through the codec
            try {
                decoded = Message.decode(in);
            } catch (WireFormatException e) {
                drop(attempt, "it is not a DNS message: " + e.getMessage());
                return;
            }
        }
        if (observer.wantsMessages()) {
            observer.received(attempt.transport(), local(attempt), attempt.upstream, in.duplicate().position(0),
                    attempt.sentAt, now);
        } else {
            observer.received(attempt.transport(), null, attempt.upstream, null, attempt.sentAt, now);
        }
        closeTry(attempt);
        if (pending.finished) {
            return; // a late answer to a question already ended
        }
        pending.asking = attempt.upstream;
        int rcode = response.flags() & 0xf | response.extendedRcode() << 4;
        pending.lastRcode = rcode;
        pending.lastMicros = (now - attempt.sentAt) / 1000;
        if (answer == null) {
            answer = completed(attempt, pending, decoded, now);
            if (answer == null) {
                return;
            }
        }
        if (rcode == Rcode.SERVFAIL.value() || rcode == Rcode.REFUSED.value()) {
            pending.lastRefusal = answer;
            observer.tryFailed(TryFailed.ERROR_RCODE);
            afterFailure(pending, now);
            return;
        }
        finish(pending, answer, now);
    }

    /**
     * The answer in its kept form from a decoded response that is not a plain positive one, or null when the try
     * goes on (truncated: over TCP; an upstream without EDNS: asked again without; one we cannot pass on).
     */
    private UpstreamAnswer completed(Try attempt, Pending pending, Message response, long now) {
        Rcode rcode = response.rcode();
        if (response.header().tc() && attempt.stream == null) {
            sendOverTcp(pending, attempt.upstream, now, false); // truncated: the same upstream, over TCP
            return null;
        }
        if ((rcode.equals(Rcode.FORMERR) || rcode.equals(Rcode.NOTIMP)) && !pending.withoutEdns
                && response.edns().isEmpty()) {
            pending.withoutEdns = true; // an upstream that does not know EDNS (RFC 6891 section 7)
            sendUdp(pending, attempt.upstream, now);
            return null;
        }
        try {
            return UpstreamAnswer.of(response, pending.asked, now, config.cache().maxTtl(), encoding);
        } catch (IllegalArgumentException e) {
            pending.failure = LogFormat.address(attempt.upstream) + " sent an answer we cannot pass on: "
                    + e.getMessage();
            observer.tryFailed(TryFailed.NETWORK);
            afterFailure(pending, now);
            return null;
        }
    }

    private boolean sameQuestion(QueryView answered, Question asked) {
        return answered.nameEquals(in, asked.name()) && answered.qtype() == asked.type().value()
                && answered.qclass() == asked.qclass().value();
    }

    /** Sends the question to the next upstream in turn. */
    private void send(Pending pending, long now) {
        InetSocketAddress upstream = pending.upstreams.get(pending.next++ % pending.upstreams.size());
        sendUdp(pending, upstream, now);
    }

    /** Sends the question to {@code upstream} over UDP with a new ID, from a pool port. */
    private void sendUdp(Pending pending, InetSocketAddress upstream, long now) {
        Try attempt = begin(pending, upstream, now, false);
        try {
            PortPool.Port<Try> port = ports.portFor(upstream, now);
            attempt.port = port;
            attempt.id = ports.freeId(port);
            port.waiting.put(attempt.id, attempt);
            out.clear();
            upstreamQuery(pending, attempt.id).encode(out, Message.MAX_LENGTH);
            out.flip();
            port.channel.write(out); // a full send buffer drops it: the try then times out
            observer.sent(Transport.UDP, port.local, upstream, out.flip(), now);
        } catch (IOException e) {
            networkFailure(attempt, "cannot send to " + LogFormat.address(upstream) + ": " + e.getMessage(), now);
            return;
        }
        arm(attempt, now);
    }

    /**
     * Asks {@code upstream} again over TCP (RFC 7766 section 5), on the connection to it that is open or a new one,
     * with a new ID; it is one more try, with the same timeout.
     */
    private void sendOverTcp(Pending pending, InetSocketAddress upstream, long now, boolean reconnected) {
        Try attempt = begin(pending, upstream, now, reconnected);
        try {
            UpstreamStream<Try> stream = streams.get(upstream);
            if (stream == null) {
                stream = UpstreamStream.open(selector, upstream);
                streams.put(upstream, stream);
            }
            attempt.stream = stream;
            attempt.id = stream.freeId(random);
            out.clear().position(2);
            int length = upstreamQuery(pending, attempt.id).encode(out, Message.MAX_LENGTH);
            out.putShort(0, (short) length).flip();
            ByteBuffer framed = ByteBuffer.allocate(out.remaining()).put(out).flip();
            stream.send(attempt.id, attempt, framed, now);
            observer.sent(Transport.TCP, stream.local(), upstream, framed.duplicate().position(2), now);
        } catch (IOException e) {
            networkFailure(attempt, "cannot connect to " + LogFormat.address(upstream) + ": " + e.getMessage(), now);
            return;
        }
        arm(attempt, now);
    }

    private Try begin(Pending pending, InetSocketAddress upstream, long now, boolean reconnected) {
        Try attempt = new Try(pending, upstream, now, reconnected);
        pending.asking = upstream;
        pending.tries++;
        pending.open.add(attempt);
        return attempt;
    }

    /** A try sent now is waited for until the try timeout, or the deadline if sooner. */
    private void arm(Try attempt, long now) {
        long end = now + config.tryTimeout().toNanos();
        long due = end - attempt.pending.deadline < 0 ? end : attempt.pending.deadline;
        attempt.timeout = timers.schedule(due, at -> timedOut(attempt, at));
    }

    /** Reads and writes on a connection to an upstream; if it fails, every try waiting on it has failed. */
    private void onStreamReady(UpstreamStream<Try> stream, long now) {
        try {
            stream.onReady(answer -> {
                in.clear();
                in.put(answer).flip();
                Try attempt = in.remaining() >= 2 ? stream.waiting.get(in.getShort(0) & 0xffff) : null;
                if (attempt == null) {
                    dropped(stream.upstream, "over TCP: no query with its ID waits on that connection");
                } else {
                    received(attempt, now);
                }
            });
        } catch (IOException e) {
            streamFailed(stream, e, now);
        }
    }

    /**
     * A connection to an upstream failed: its tries are sent once more on a new connection when it was a kept one
     * that had answered before (RFC 7766 section 6.2.3: the upstream may have closed it while idle), else they fail.
     */
    private void streamFailed(UpstreamStream<Try> stream, IOException e, long now) {
        streams.remove(stream.upstream, stream);
        stream.close();
        boolean kept = stream.answered > 0;
        for (Try attempt : stream.waiting.values()) {
            Pending pending = attempt.pending;
            closeTry(attempt);
            if (pending.finished) {
                continue;
            }
            if (kept && !attempt.reconnected && now - pending.deadline < 0) {
                sendOverTcp(pending, attempt.upstream, now, true);
            } else {
                pending.failure = LogFormat.address(stream.upstream) + " over TCP: " + e.getMessage();
                observer.tryFailed(TryFailed.NETWORK);
                afterFailure(pending, now);
            }
        }
    }

    /** The question as it goes upstream: a fresh ID, the client's RD and CD, EDNS with our size and its DO. */
    private static Message upstreamQuery(Pending pending, int id) {
        Header header = new Header(id, false, Opcode.QUERY, false, false, pending.key.rd(), false, false, false,
                pending.key.cd(), Rcode.NOERROR);
        Optional<Edns> edns = pending.withoutEdns ? Optional.empty()
                : Optional.of(Edns.of(UPSTREAM_PAYLOAD_SIZE, pending.key.dnssecOk()));
        return new Message(header, List.of(pending.asked), List.of(), List.of(), List.of(), edns);
    }

    /**
     * Ends the question: every upstream socket of it closed, the answer (or the failure) kept, and the outcome posted
     * to each client waiting.
     */
    private void finish(Pending pending, UpstreamAnswer answer, long now) {
        pending.finished = true;
        timers.cancel(pending.deadlineTimer);
        List.copyOf(pending.open).forEach(this::closeTry);
        inFlight.remove(pending.key, pending);
        waiting -= pending.waiters.size();
        for (Waiter waiter : pending.waiters) {
            waitingOctets -= waiter.octets();
        }
        cache.store(pending.key, answer, now);
        Optional<String> failure = answer != null ? Optional.empty() : Optional.of(failureNote(pending));
        Outcome outcome = new Outcome(answer, new LogEntry.Upstream(pending.asking, pending.lastRcode,
                pending.lastMicros, pending.tries), failure);
        for (Waiter waiter : pending.waiters) {
            loop.execute(() -> waiter.finished(outcome));
        }
    }

    /**
     * Why there is no answer. A client that joined the question while it was upstream, from the address of an
     * upstream we asked, may be that upstream asking us back: a forwarding loop, named as one (a guess, so with a
     * question mark).
     */
    private String failureNote(Pending pending) {
        String why = pending.failure != null ? pending.failure : "no answer by the deadline";
        for (Waiter waiter : pending.waiters.subList(1, pending.waiters.size())) {
            for (InetSocketAddress upstream : pending.upstreams) {
                if (upstream.getAddress().equals(waiter.client())) {
                    return why + "; a forwarding loop? " + LogFormat.address(upstream)
                            + " asked us the question we asked it";
                }
            }
        }
        return why;
    }

    /** Ends a try: it is no longer waited for, and a socket with nothing left to wait for is closed. */
    private void closeTry(Try attempt) {
        if (attempt.closed) {
            return;
        }
        attempt.closed = true;
        timers.cancel(attempt.timeout);
        attempt.pending.open.remove(attempt);
        if (attempt.stream != null) {
            attempt.stream.waiting.remove(attempt.id, attempt); // the connection stays for the next
        }
        if (attempt.port != null) {
            ports.release(attempt.port, attempt.id, attempt);
        }
    }

    private InetSocketAddress local(Try attempt) {
        return attempt.port != null ? attempt.port.local : attempt.stream.local();
    }

    private void drop(Try attempt, String reason) {
        Question asked = attempt.pending.asked;
        dropped(attempt.upstream, "to the query for " + asked.name() + " " + asked.type() + ": " + reason);
    }

    private void dropped(InetSocketAddress from, String why) {
        observer.dropped();
        droppedSinceWarning++;
        long now = System.nanoTime();
        if (now - lastWarningNanos >= WARNING_INTERVAL_NANOS) {
            warnings.accept("chivato: dropped an answer from " + LogFormat.address(from) + " " + why
                    + (droppedSinceWarning > 1 ? " (" + (droppedSinceWarning - 1) + " more dropped since the "
                    + "last such line)" : ""));
            lastWarningNanos = now;
            droppedSinceWarning = 0;
        }
    }

    /** The name with each letter's case chosen at random (draft-vixie-dnsext-dns0x20). */
    private Name randomCase(Name name) {
        byte[] wire = name.wire();
        for (int i = 0; i < wire.length; i++) {
            byte b = wire[i];
            if ((b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') && random.nextBoolean()) {
                wire[i] = (byte) (b ^ 0x20);
            }
        }
        return new Name(wire);
    }
}
