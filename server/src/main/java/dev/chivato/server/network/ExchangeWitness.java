package dev.chivato.server.network;

import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import java.net.InetSocketAddress;

/**
 * Told of every request the completion ends (the embedded server's recorder, the web page's live feed): called on
 * the event loop's thread, just before the answer is sent, so that a client holding its answer finds its query
 * already told. It must not block; it owns the arrays it is given.
 */
public interface ExchangeWitness {
    /**
     * One exchange.
     *
     * @param timeMillis when it ended (the wall clock)
     * @param query      the request's octets as received (a kept query may be trimmed to its question and EDNS)
     * @param answer     the octets sent, or null when nothing is (dropped, closed)
     * @param source     where the answer came from (records, a zone, an upstream, a cache; none for errors)
     * @param micros     from its arrival to now, or -1 when not timed
     */
    record Seen(long timeMillis, Transport transport, InetSocketAddress client, byte[] query, byte[] answer,
                AnswerSource source, long micros) {
    }

    /**
     * Whether it wants the exchange ending at {@code nowNanos} in full (its octets copied, a {@link Seen} made); when
     * not, it has counted it as passed over. Asked first, on the event loop's thread: it must be cheap.
     */
    default boolean wants(long nowNanos) {
        return true;
    }

    void answered(Seen exchange);
}
