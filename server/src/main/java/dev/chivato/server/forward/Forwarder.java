package dev.chivato.server.forward;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.dnstap.ExchangeTap;
import dev.chivato.server.log.LogClock;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.metrics.Metrics;
import dev.chivato.server.network.PacketProcessor;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The queries of one event loop that wait for upstream servers. Everything runs on that loop's thread: each upstream
 * query has a socket of its own on the loop's selector, so nothing blocks.
 *
 * <p>Against spoofing (RFC 5452): every query sent has a random ID from {@link SecureRandom} and goes out from a port
 * drawn at random from a pool of up to {@link #MAX_PORTS} sockets on ports the kernel picked at random from the
 * ephemeral range, each replaced after {@link #USES_PER_PORT} uses; identical questions in flight are merged into
 * one upstream query (section 5, the birthday attack); an answer is taken only from the address and port asked (each
 * socket is connected to its upstream, so the kernel delivers nothing else), with the ID and the question sent, the
 * name compared case for case (so {@code --forward-0x20} can randomize the case). Anything else is dropped, counted,
 * and reported at most once a second.
 */
public final class Forwarder {
    /** The EDNS payload size we offer upstream (the DNS flag day's 1232). */
    static final int UPSTREAM_PAYLOAD_SIZE = QueryHandler.OUR_UDP_PAYLOAD_SIZE;
    private static final long WARNING_INTERVAL_NANOS = 1_000_000_000L;
    /** Upstream sockets open at once, per loop (as Unbound's outgoing-range). */
    static final int MAX_PORTS = 1024;
    static final int USES_PER_PORT = 64;
    /** A socket nothing was sent from for this long is closed (a quiet server holds no sockets). */
    private static final long PORT_IDLE_NANOS = 10_000_000_000L;

    private final Selector selector;
    private final Forwarding config;
    private final QueryLog log;
    private final Consumer<String> warnings;
    private final SecureRandom random = new SecureRandom();
    private final Map<Key, Pending> inFlight = new HashMap<>();
    private final ForwardCache cache;
    /**
     * The sockets new tries may use, by upstream (each is connected to its upstream); {@link #openPorts} counts
     * these and retired ones still waited on.
     */
    private final Map<InetSocketAddress, List<Port>> pools = new HashMap<>();
    /** One TCP connection per upstream, kept while used (truncated answers are asked again over it). */
    private final Map<InetSocketAddress, UpstreamStream<Try>> streams = new HashMap<>();
    private int openPorts;
    private long nextIdleSweep = System.nanoTime();
    /**
     * The tries waited for the whole try timeout, in the order sent, which is the order their waits end (to within
     * the microseconds between the clock readings of one turn): a queue, not a heap of every try of the last second.
     */
    private final ArrayDeque<Timeout> fullWaits = new ArrayDeque<>();
    /** The tries whose wait the deadline cuts short: these can end before tries sent earlier. */
    private final PriorityQueue<Timeout> shortWaits = new PriorityQueue<>((a, b) -> Long.compare(a.at - b.at, 0));
    private final ByteBuffer in = ByteBuffer.allocate(Message.MAX_LENGTH);
    private final ByteBuffer out = ByteBuffer.allocate(2 + Message.MAX_LENGTH);
    /** Client queries waiting. */
    private int waiting;
    private long droppedSinceWarning;
    private long lastWarningNanos = System.nanoTime() - WARNING_INTERVAL_NANOS;

    /** What makes two client queries the same upstream query. */
    private record Key(Name name, int type, int qclass, boolean rd, boolean cd, boolean dnssecOk) {
    }

    /** A client query waiting for the upstream answer. */
    private record Waiter(Message query, Transport transport, InetSocketAddress client, InetSocketAddress local,
                          byte[] queryBytes, Answers answers, long startNanos) {
    }

    /**
     * When a try stops being the one waited for (its socket stays open: a late answer is still taken). A try that
     * ends sooner lets go of it, so the queue holds no answered query for the rest of the try timeout (a second of
     * forwarded queries, which the collector would copy again and again).
     */
    private static final class Timeout {
        final long at;
        Try attempt;

        Timeout(Try attempt, long at) {
            this.attempt = attempt;
            this.at = at;
        }
    }

    /** One sending of the question: to one upstream, from its own socket, with its own ID. */
    private static final class Try {
        final Pending pending;
        final InetSocketAddress upstream;
        int id;
        final long sentAt;
        /** The datagram socket it went out on, or for a retry over TCP (the UDP answer was truncated) a stream. */
        Port port;
        UpstreamStream<Try> stream;
        Timeout timeout;
        boolean closed;

        Try(Pending pending, InetSocketAddress upstream, long sentAt) {
            this.pending = pending;
            this.upstream = upstream;
            this.sentAt = sentAt;
        }
    }

    /**
     * An upstream socket on a random port, connected to its upstream (the kernel then delivers nothing from anyone
     * else, skips the route lookup on each send, and reports the upstream's ICMP errors), shared by the tries drawn
     * to it (told apart by ID), used {@link #USES_PER_PORT} times at most so that the set of ports keeps changing,
     * and closed when idle.
     */
    private static final class Port {
        final DatagramChannel channel;
        final InetSocketAddress upstream;
        final Map<Integer, Try> tries = new HashMap<>();
        int uses;
        long lastUsed;
        boolean retired;

        Port(DatagramChannel channel, InetSocketAddress upstream) {
            this.channel = channel;
            this.upstream = upstream;
        }

        /** An ID no try on this socket has. */
        int freeId(SecureRandom random) {
            return UpstreamStream.freeId(tries, random);
        }
    }

    /** One question asked upstream, for every client that asked it meanwhile. */
    private static final class Pending {
        final Key key;
        final Question asked;
        final List<InetSocketAddress> upstreams;
        final long deadline;
        final List<Waiter> waiters = new ArrayList<>(1);
        int next;
        int tries;
        /** The tries whose sockets are open: the latest, and earlier ones whose answer may still come. */
        final List<Try> open = new ArrayList<>(1);
        InetSocketAddress asking;
        int lastRcode = -1;
        long lastMicros;
        String failure;
        boolean finished;

        Pending(Key key, Question asked, List<InetSocketAddress> upstreams, long deadline) {
            this.key = key;
            this.asked = asked;
            this.upstreams = upstreams;
            this.deadline = deadline;
        }
    }

    /** Where an answer as sent to a client is also kept in wire form, so that the same query costs no decoding. */
    public interface WireCache {
        void keep(ByteBuffer query, Transport transport, ByteBuffer answer, int length, long ttlSeconds);
    }

    private final WireCache wireCache;
    /** What is counted for {@code --metrics}, or null. */
    private final Metrics metrics;
    /** Where our queries upstream, their answers, and the clients' exchanges go as dnstap frames. */
    private final ExchangeTap dnstap;

    /** A forwarder for one event loop; {@code cache} is shared by all of them. */
    public Forwarder(Selector selector, Forwarding config, ForwardCache cache, QueryLog log, Consumer<String> warnings,
            WireCache wireCache, Metrics metrics, ExchangeTap dnstap) {
        this.dnstap = dnstap;
        this.wireCache = wireCache;
        this.metrics = metrics;
        this.selector = selector;
        this.config = config;
        this.log = log;
        this.warnings = warnings;
        this.cache = cache;
    }

    /**
     * The answer for this query from the cache, as the client should see it (its TTLs counted down), or empty when
     * none is kept: then the query is to be {@link #forward forwarded}.
     */
    public Optional<Message> cached(Message query, long now) {
        if (!cache.enabled()) {
            return Optional.empty();
        }
        return cache.find(keyOf(query), now)
                .map(kept -> replyFor(query, kept == ForwardCache.FAILURE ? null : kept));
    }

    private static Key keyOf(Message query) {
        Question question = query.questions().get(0);
        return new Key(question.name(), question.type().value(), question.qclass().value(), query.header().rd(),
                query.header().cd(), query.edns().map(Edns::dnssecOk).orElse(false));
    }

    /** Whether one more client query may wait ({@link Forwarding#maxPending()} per loop). */
    public boolean hasRoom() {
        return waiting < config.maxPending();
    }

    public int maxPending() {
        return config.maxPending();
    }

    /** Whether we forward for this client ({@code --allow-recursion}). */
    public boolean allows(java.net.InetAddress client) {
        return config.allows(client);
    }

    /** Whether this key is one of the upstream sockets. */
    public boolean owns(SelectionKey key) {
        return key.attachment() instanceof UpstreamStream || key.attachment() instanceof Port;
    }

    /**
     * Sends the query's question upstream, or joins the same question already there; the answer goes to
     * {@code answers} when it comes, or SERVFAIL at the deadline. The caller checked {@link #hasRoom()} and that a
     * route covers the name.
     */
    public void forward(Message query, byte[] queryBytes, Transport transport, InetSocketAddress client,
            InetSocketAddress local, Answers answers, long startNanos) {
        Question question = query.questions().get(0);
        Key key = keyOf(query);
        Waiter waiter = new Waiter(query, transport, client, local, queryBytes, answers, startNanos);
        waiting++;
        Pending pending = inFlight.get(key);
        if (pending != null) {
            pending.waiters.add(waiter);
            return;
        }
        List<InetSocketAddress> upstreams = config.upstreamsFor(question.name()).orElseThrow();
        Name name = config.randomizeCase() ? randomCase(question.name()) : question.name();
        pending = new Pending(key, new Question(name, question.type(), question.qclass()), upstreams,
                startNanos + config.deadline().toNanos());
        pending.waiters.add(waiter);
        inFlight.put(key, pending);
        send(pending, startNanos);
    }

    /** Reads what came on an upstream socket (or connects and writes, over TCP). */
    public void onReady(SelectionKey key, long now) {
        if (key.attachment() instanceof UpstreamStream<?> stream) {
            onStreamReady(streams.get(stream.upstream), now);
            return;
        }
        // One datagram a turn: reading on until the socket is empty would cost a receive that finds nothing for
        // nearly every answer; anything left wakes the (level-triggered) selector again at once.
        Port port = (Port) key.attachment();
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
        Try attempt = in.remaining() >= 2 ? port.tries.get(in.getShort(0) & 0xffff) : null;
        if (attempt == null) {
            dropped(port.upstream, "no query with its ID waits on that port");
        } else {
            received(attempt, now);
        }
    }

    /**
     * The kernel reported an error from the upstream (an ICMP port or host unreachable, on a connected socket):
     * every try waiting on that socket has failed, and moves on to the next upstream at once rather than after its
     * timeout. The socket is retired.
     */
    private void unreachable(Port port, IOException e, long now) {
        String why = LogFormat.address(port.upstream) + " is unreachable"
                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        retire(port);
        for (Try attempt : List.copyOf(port.tries.values())) {
            attempt.pending.failure = why;
            closeSocket(attempt);
            retryOrFinish(attempt.pending, null, now);
        }
    }

    /** Moves on from the tries whose time is over; returns the milliseconds until the next is due, or -1. */
    public long onTick(long now) {
        closeIdlePorts(now);
        for (Timeout due = nextDue(now); due != null; due = nextDue(now)) {
            Try attempt = due.attempt;
            if (attempt == null) {
                continue; // it ended
            }
            Pending pending = attempt.pending;
            if (pending.finished || attempt.closed || attempt != latest(pending)) {
                continue; // answered, failed, or already followed by another try
            }
            pending.failure = LogFormat.address(attempt.upstream) + " did not answer in "
                    + config.tryTimeout().toMillis() + " ms";
            if (metrics != null) {
                metrics.forwardTryFailed(Metrics.TryFailed.TIMEOUT);
            }
            if (now - pending.deadline >= 0) {
                finish(pending, null, now);
            } else {
                send(pending, now);
            }
        }
        Timeout first = fullWaits.peekFirst();
        Timeout second = shortWaits.peek();
        if (first == null || second != null && second.at - first.at < 0) {
            first = second;
        }
        return first == null ? -1 : Math.max(1, (first.at - now) / 1_000_000);
    }

    /** The wait that ended first, if one has ended by {@code now}, taken off its queue. */
    private Timeout nextDue(long now) {
        Timeout first = fullWaits.peekFirst();
        if (first != null && first.at - now <= 0) {
            return fullWaits.pollFirst();
        }
        Timeout second = shortWaits.peek();
        return second != null && second.at - now <= 0 ? shortWaits.poll() : null;
    }

    private static Try latest(Pending pending) {
        return pending.open.isEmpty() ? null : pending.open.get(pending.open.size() - 1);
    }

    /** Every waiting client gets SERVFAIL now (the loop stops), and every upstream socket is closed. */
    public void close() {
        long now = System.nanoTime();
        for (Pending pending : List.copyOf(inFlight.values())) {
            pending.failure = "the server is stopping";
            finish(pending, null, now);
        }
        for (List<Port> pool : List.copyOf(pools.values())) {
            List.copyOf(pool).forEach(this::retire);
        }
        streams.values().forEach(UpstreamStream::close);
        streams.clear();
    }


    /** The answer in {@link #in}, from the try's upstream (its socket is connected, or the stream is to it). */
    private void received(Try attempt, long now) {
        Pending pending = attempt.pending;
        Message response;
        try {
            response = Message.decode(in);
        } catch (WireFormatException e) {
            drop(attempt, "it is not a DNS message: " + e.getMessage());
            return;
        }
        if (response.header().id() != attempt.id || !response.header().qr()) {
            drop(attempt, "its ID is not the one sent, or it is not a response");
            return;
        }
        if (response.questions().size() != 1 || !sameQuestion(response.questions().get(0), pending.asked)) {
            drop(attempt, "its question is not the one asked, case for case");
            return;
        }
        if (dnstap.enabled()) { // FORWARDER_RESPONSE: the answer taken, as it came
            byte[] bytes = new byte[in.limit()];
            in.get(0, bytes);
            dnstap.offer(new DnstapEvent(DnstapEvent.Role.FORWARDER, attempt.stream == null ? Transport.UDP
                    : Transport.TCP, null, attempt.upstream, attempt.sentAt, now, null, bytes));
        }
        pending.asking = attempt.upstream;
        pending.lastRcode = response.rcode().value();
        pending.lastMicros = (now - attempt.sentAt) / 1000;
        if (metrics != null) {
            metrics.upstreamAnswered(attempt.stream == null ? Transport.UDP : Transport.TCP, now - attempt.sentAt);
        }
        closeSocket(attempt);
        if (response.header().tc() && attempt.stream == null) {
            sendOverTcp(pending, attempt.upstream, now); // truncated: the same upstream, over TCP
            return;
        }
        retryOrFinish(pending, response, now);
    }

    /**
     * Asks {@code upstream} again over TCP (RFC 7766 section 5), on the connection to it that is open or a new one,
     * with a new ID; it is one more try, with the same timeout.
     */
    private void sendOverTcp(Pending pending, InetSocketAddress upstream, long now) {
        Try attempt = new Try(pending, upstream, now);
        pending.tries++;
        pending.open.add(attempt);
        if (metrics != null) {
            metrics.forwardTry();
        }
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
            if (dnstap.enabled()) {
                tapSent(attempt, Transport.TCP, out, 2, null);
            }
            stream.send(attempt.id, attempt, ByteBuffer.allocate(out.remaining()).put(out).flip(), now);
        } catch (IOException e) {
            pending.failure = "cannot connect to " + LogFormat.address(upstream) + ": " + e.getMessage();
            closeSocket(attempt);
            retryOrFinish(pending, null, now);
            return;
        }
        waitFor(attempt, pending, now);
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
            streams.remove(stream.upstream);
            stream.close();
            for (Try attempt : List.copyOf(stream.waiting.values())) {
                attempt.pending.failure = LogFormat.address(stream.upstream) + " over TCP: " + e.getMessage();
                closeSocket(attempt);
                retryOrFinish(attempt.pending, null, now);
            }
        }
    }

    /**
     * SERVFAIL and REFUSED (or a socket error) move on to the next upstream not yet asked, while there is time; if
     * none is left, an earlier try may still answer; anything else is final.
     */
    private void retryOrFinish(Pending pending, Message response, long now) {
        boolean failed = response == null || response.rcode().equals(Rcode.SERVFAIL)
                || response.rcode().equals(Rcode.REFUSED);
        if (failed && metrics != null) {
            metrics.forwardTryFailed(response == null ? Metrics.TryFailed.NETWORK : Metrics.TryFailed.ERROR_RCODE);
        }
        if (!failed) {
            finish(pending, response, now);
        } else if (pending.next < pending.upstreams.size() && now - pending.deadline < 0) {
            send(pending, now);
        } else if (pending.open.isEmpty()) {
            finish(pending, response, now);
        }
    }

    private static boolean sameQuestion(Question answered, Question asked) {
        return answered.name().equalsExactly(asked.name()) && answered.type().equals(asked.type())
                && answered.qclass().equals(asked.qclass());
    }

    /**
     * Sends the question to the next upstream with a new ID, from a new socket, or while {@link #MAX_PORTS} are open
     * from one of them picked at random; earlier tries stay open (a late answer is still taken).
     */
    private void send(Pending pending, long now) {
        InetSocketAddress upstream = pending.upstreams.get(pending.next++ % pending.upstreams.size());
        Try attempt = new Try(pending, upstream, now);
        pending.asking = upstream;
        pending.tries++;
        if (metrics != null) {
            metrics.forwardTry();
        }
        pending.open.add(attempt);
        try {
            Port port = portFor(upstream);
            attempt.port = port;
            attempt.id = port.freeId(random);
            port.tries.put(attempt.id, attempt);
            port.lastUsed = now;
            if (++port.uses >= USES_PER_PORT) {
                retire(port); // no new tries on it: it closes once its own are done
            }
            out.clear();
            upstreamQuery(pending, attempt.id).encode(out, Message.MAX_LENGTH);
            out.flip();
            port.channel.write(out); // a full send buffer drops it: the try then times out
            if (dnstap.enabled()) {
                tapSent(attempt, Transport.UDP, out, 0, (InetSocketAddress) port.channel.getLocalAddress());
            }
        } catch (IOException e) {
            pending.failure = "cannot send to " + LogFormat.address(upstream) + ": " + e.getMessage();
            closeSocket(attempt);
            retryOrFinish(pending, null, now); // the next upstream, if any is left
            return;
        }
        waitFor(attempt, pending, now);
    }

    /** A try sent now stops being waited for after the try timeout, or at the deadline if sooner. */
    private void waitFor(Try attempt, Pending pending, long now) {
        long end = now + config.tryTimeout().toNanos();
        boolean full = end - pending.deadline < 0;
        attempt.timeout = new Timeout(attempt, full ? end : pending.deadline);
        (full ? fullWaits : shortWaits).add(attempt.timeout);
    }

    /** The question as it goes upstream: a fresh ID, the client's RD and CD, EDNS with our size and its DO. */
    private static Message upstreamQuery(Pending pending, int id) {
        Header header = new Header(id, false, Opcode.QUERY, false, false, pending.key.rd(), false, false, false,
                pending.key.cd(), Rcode.NOERROR);
        return new Message(header, List.of(pending.asked), List.of(), List.of(), List.of(),
                Optional.of(Edns.of(UPSTREAM_PAYLOAD_SIZE, pending.key.dnssecOk())));
    }

    /** Answers every client waiting for this question: the upstream's answer, or SERVFAIL when there is none. */
    private void finish(Pending pending, Message response, long now) {
        pending.finished = true;
        List.copyOf(pending.open).forEach(this::closeSocket);
        inFlight.remove(pending.key);
        waiting -= pending.waiters.size();
        cache.store(pending.key, response, in.limit(), now);
        for (Waiter waiter : pending.waiters) {
            answer(waiter, pending, response, now);
        }
    }

    /** Sends this client its view of the answer, sized for it, and logs it. */
    private void answer(Waiter waiter, Pending pending, Message response, long now) {
        Message query = waiter.query();
        Message reply = replyFor(query, response);
        Rcode rcode = reply.rcode();
        out.clear().position(2);
        int length = reply.encode(out, QueryHandler.responseLimit(query.edns(), waiter.transport()));
        if (response != null && cache.enabled()) {
            wireCache.keep(ByteBuffer.wrap(waiter.queryBytes()), waiter.transport(), out, length,
                    cache.ttlFor(response));
        }
        Optional<String> unsent = waiter.answers().send(out, length);
        waiter.answers().done();
        if (metrics != null) {
            metrics.response(waiter.transport(), rcode.value(), AnswerSource.FORWARDED, length,
                    System.nanoTime() - waiter.startNanos());
        }
        if (log.enabled()) {
            log.log(entry(waiter, pending, rcode, length, unsent, response == null));
        }
        if (dnstap.enabled()) {
            dnstap.offer(new DnstapEvent(DnstapEvent.Role.CLIENT, waiter.transport(), waiter.client(),
                    waiter.local(), waiter.startNanos(), System.nanoTime(), waiter.queryBytes(),
                    PacketProcessor.sent(out, length)));
        }
    }

    /** FORWARDER_QUERY (dnstap on): the query just sent to {@code attempt}'s upstream, {@code from} to the limit. */
    private void tapSent(Try attempt, Transport transport, ByteBuffer query, int from, InetSocketAddress local) {
        byte[] bytes = new byte[query.limit() - from];
        query.get(from, bytes);
        dnstap.offer(new DnstapEvent(DnstapEvent.Role.FORWARDER, transport, local, attempt.upstream, attempt.sentAt,
                0, bytes, null));
    }

    /**
     * The upstream's answer (null for none: SERVFAIL) as this client should see it: its own ID, question (its case)
     * and RD/CD; RA set, AA and AD clear (we validate nothing); the upstream's rcode and records; EDNS only if the
     * client spoke it.
     */
    private static Message replyFor(Message query, Message response) {
        Optional<Edns> edns = query.edns().map(e -> Edns.of(QueryHandler.OUR_UDP_PAYLOAD_SIZE, e.dnssecOk()));
        Header header = new Header(query.header().id(), true, Opcode.QUERY, false, false, query.header().rd(), true,
                false, false, query.header().cd(), Rcode.NOERROR);
        Rcode rcode = response == null ? Rcode.SERVFAIL : response.rcode();
        if (rcode.extendedBits() != 0 && edns.isEmpty()) {
            rcode = Rcode.SERVFAIL; // an extended rcode cannot be said without EDNS
        }
        Message reply = response == null
                ? new Message(header, query.questions(), List.of(), List.of(), List.of(), edns)
                : new Message(header, query.questions(), response.answers(), response.authority(),
                        response.additional(), edns);
        return reply.withRcode(rcode);
    }

    private LogEntry entry(Waiter waiter, Pending pending, Rcode rcode, int length, Optional<String> unsent,
            boolean failed) {
        int start = out.position() - length;
        boolean truncated = (out.get(start + 2) & 0x02) != 0;
        int answers = out.getShort(start + 6) & 0xffff;
        Optional<byte[]> response = Optional.empty();
        if (log.wantsWire()) {
            byte[] bytes = new byte[length];
            out.get(start, bytes);
            response = Optional.of(bytes);
        }
        long endNanos = System.nanoTime();
        long micros = (endNanos - waiter.startNanos()) / 1000;
        return new LogEntry.Query(LogClock.millisAt(endNanos), waiter.transport(), waiter.client(),
                waiter.queryBytes(), rcode.value(), answers, AnswerSource.FORWARDED, truncated, length, micros,
                response, unsent, Optional.of(new LogEntry.Upstream(pending.asking, pending.lastRcode,
                        pending.lastMicros, pending.tries)),
                failed ? Optional.ofNullable(pending.failure) : Optional.empty());
    }

    private void drop(Try attempt, String reason) {
        Question asked = attempt.pending.asked;
        dropped(attempt.upstream, "to the query for " + asked.name() + " " + asked.type() + ": " + reason);
    }

    private void dropped(SocketAddress from, String why) {
        if (metrics != null) {
            metrics.forwardDropped();
        }
        droppedSinceWarning++;
        long now = System.nanoTime();
        if (now - lastWarningNanos >= WARNING_INTERVAL_NANOS) {
            warnings.accept("chivato: dropped an answer from " + LogFormat.address((InetSocketAddress) from) + " "
                    + why + (droppedSinceWarning > 1 ? " (" + (droppedSinceWarning - 1) + " more dropped since the "
                    + "last such line)" : ""));
            lastWarningNanos = now;
            droppedSinceWarning = 0;
        }
    }

    /**
     * A socket for a new try, drawn at random from {@link #MAX_PORTS} places: one of the open sockets, or (for a
     * place not yet taken) a new socket on a new random port. So while few queries are sent, most tries get a port of
     * their own, and under load the open ports are shared and keep being replaced.
     */
    private Port portFor(InetSocketAddress upstream) throws IOException {
        List<Port> pool = pools.computeIfAbsent(upstream, u -> new ArrayList<>());
        int place = random.nextInt(MAX_PORTS);
        if (place < pool.size()) {
            return pool.get(place);
        }
        if (openPorts < MAX_PORTS) {
            DatagramChannel channel = DatagramChannel.open(upstream.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            try {
                channel.configureBlocking(false);
                channel.bind(null); // port 0: the kernel picks one at random from the ephemeral range
                channel.connect(upstream);
                Port port = new Port(channel, upstream);
                channel.register(selector, SelectionKey.OP_READ, port);
                pool.add(port);
                openPorts++;
                return port;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
        if (pool.isEmpty()) {
            throw new IOException(MAX_PORTS + " upstream sockets are open already");
        }
        return pool.get(random.nextInt(pool.size()));
    }

    private void retire(Port port) {
        port.retired = true;
        List<Port> pool = pools.get(port.upstream);
        if (pool != null) {
            pool.remove(port);
        }
        if (port.tries.isEmpty()) {
            openPorts--;
            closeQuietly(port.channel);
        }
    }

    /** Closes the sockets nothing was sent from for {@link #PORT_IDLE_NANOS}, at most once a second. */
    private void closeIdlePorts(long now) {
        if (now - nextIdleSweep < 0) {
            return;
        }
        nextIdleSweep = now + 1_000_000_000L;
        for (List<Port> pool : List.copyOf(pools.values())) {
            for (Port port : List.copyOf(pool)) {
                if (port.tries.isEmpty() && now - port.lastUsed > PORT_IDLE_NANOS) {
                    retire(port);
                }
            }
        }
        for (UpstreamStream<Try> stream : List.copyOf(streams.values())) {
            if (stream.waiting.isEmpty() && now - stream.lastUsed > PORT_IDLE_NANOS) {
                streams.remove(stream.upstream);
                stream.close();
            }
        }
    }

    /** Ends a try: it no longer waits on its socket, and a socket with nothing left to wait for is closed. */
    private void closeSocket(Try attempt) {
        if (attempt.closed) {
            return;
        }
        attempt.closed = true;
        if (attempt.timeout != null) {
            attempt.timeout.attempt = null;
        }
        attempt.pending.open.remove(attempt);
        if (attempt.stream != null) {
            attempt.stream.waiting.remove(attempt.id, attempt); // the connection stays for the next
        }
        Port port = attempt.port;
        if (port != null && port.tries.remove(attempt.id, attempt) && port.tries.isEmpty() && port.retired) {
            openPorts--;
            closeQuietly(port.channel);
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close(); // also cancels its key
        } catch (IOException e) {
            // closing a socket does not fail in a way that matters here
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
