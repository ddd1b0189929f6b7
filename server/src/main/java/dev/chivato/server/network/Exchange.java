package dev.chivato.server.network;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.cookie.ServerCookies;
import dev.chivato.server.core.Transport;
import dev.chivato.server.forward.Forwarder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One request, from its arrival to its one completion: the message and its view, who sent it and how, when it came,
 * the data version it is answered from (captured at arrival: an answer that comes later still belongs to it), and
 * where the answer goes. Used on its loop's thread only.
 *
 * <p>A request answered in its own turn reads its message from the loop's buffer; one that waits (forwarded) is
 * {@link #keep kept}: it copies what its reply and its log entry need, and no more.
 */
final class Exchange implements Forwarder.Waiter {
    /** A query kept whole while it waits up to this size; a larger one keeps its header, question and EDNS only. */
    static final int KEPT_WHOLE = 512;
    /** What a waiting exchange costs beyond its octets (this object, its view, the kept destination). */
    private static final int OVERHEAD = 256;

    Transport transport;
    InetSocketAddress client;
    long arrivalNanos;
    /** Octets of the message as it came (a kept query may be shorter). */
    int size;
    /** The data version current when the request came. */
    QueryHandler version;
    /** The message, from position to limit. */
    ByteBuffer query;
    /** Its view; null when it has none (it is malformed). */
    QueryView view;
    Destination destination;
    /** What the log says beside the answer (why a query was refused, say), or null. */
    String note;
    /** What its COOKIE option says (NONE without one): the answer carries a cookie when the query did. */
    ServerCookies.Verdict cookie;
    /** Its query went to dnstap and the capture already (it was forwarded: the tap is in the order things happen). */
    boolean queryTapped;
    /** It waits with a kept destination, to be released once answered. */
    private boolean kept;
    private Completion completion;
    /** The view this exchange reads its message into, reused from one request to the next. */
    private final QueryView reusedView = new QueryView();

    /**
     * An exchange to {@link #begin} requests with: an event loop reuses one for every request answered in its own
     * turn, so that answering allocates nothing; a request that outlives its turn is {@link #keep kept} in a new one.
     */
    Exchange() {
    }

    /** Starts this exchange over for a request that just came; returns it. */
    Exchange begin(ByteBuffer query, Transport transport, InetSocketAddress client, long arrivalNanos,
            QueryHandler version, Destination destination) {
        this.query = query;
        this.transport = transport;
        this.client = client;
        this.arrivalNanos = arrivalNanos;
        this.size = query.remaining();
        this.version = version;
        this.destination = destination;
        this.view = null;
        this.note = null;
        this.cookie = ServerCookies.Verdict.NONE;
        this.queryTapped = false;
        this.kept = false;
        this.completion = null;
        return this;
    }

    /** Reads the message's view (the one pass over it); on failure the exchange has none. */
    void readView() throws WireFormatException {
        view = null;
        reusedView.read(query);
        view = reusedView;
    }

    /**
     * This exchange as one that outlives its turn, to be completed by {@code completion}: a new exchange with the
     * destination kept and the query copied (whole when small, else its header, question and an OPT record without
     * options), with a view of its own.
     */
    Exchange keep(Completion completion) {
        Exchange later = detached();
        later.completion = completion;
        later.destination = destination.keep();
        later.kept = true;
        return later;
    }

    /**
     * A copy of this exchange that stays as it is when the loop's exchange begins the next request (for a transfer's
     * end, or to be kept): the query copied, its view its own.
     */
    Exchange detached() {
        byte[] copy = view.length() <= KEPT_WHOLE ? whole() : trimmed();
        Exchange later = new Exchange().begin(ByteBuffer.wrap(copy), transport, client, arrivalNanos, version,
                destination);
        later.size = size;
        later.note = note;
        later.queryTapped = queryTapped;
        later.cookie = copy.length == view.length() ? cookie : ServerCookies.Verdict.NONE; // trimmed: no options
        try {
            later.view = copy.length == view.length() ? view.copy() : QueryView.of(copy);
        } catch (WireFormatException e) {
            throw new IllegalStateException("a trimmed query has no view: " + e.getMessage(), e);
        }
        return later;
    }

    private byte[] whole() {
        byte[] copy = new byte[query.remaining()];
        query.get(query.position(), copy);
        return copy;
    }

    /** The header (counts made to fit), the first question, and an OPT record with the query's fields but no options. */
    private byte[] trimmed() {
        int questionEnd = view.questionEnd();
        ByteBuffer copy = ByteBuffer.allocate(questionEnd + (view.hasEdns() ? 11 : 0));
        copy.put(query.slice(query.position(), questionEnd));
        copy.putShort(4, (short) 1).putShort(6, (short) 0).putShort(8, (short) 0)
                .putShort(10, (short) (view.hasEdns() ? 1 : 0));
        if (view.hasEdns()) {
            int opt = query.position() + view.optOffset();
            copy.put(query.slice(opt, 9)).putShort((short) 0); // owner, TYPE, CLASS, TTL; RDLENGTH 0
        }
        return copy.array();
    }

    boolean kept() {
        return kept;
    }

    /** The message's ID, or -1 when it is shorter than a header. */
    int id() {
        return query.remaining() >= Header.LENGTH ? query.getShort(query.position()) & 0xffff : -1;
    }

    /** A copy of the message as kept, for the log and the taps. */
    byte[] queryCopy() {
        return whole();
    }

    @Override
    public void finished(Forwarder.Outcome outcome) {
        completion.complete(this, new Answer.Upstream(outcome.answer(), outcome.upstream(), outcome.failure()));
    }

    @Override
    public int octets() {
        return query.remaining() + OVERHEAD;
    }

    @Override
    public InetAddress client() {
        return client.getAddress();
    }
}
