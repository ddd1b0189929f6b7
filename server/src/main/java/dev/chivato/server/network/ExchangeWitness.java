package dev.chivato.server.network;

import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import java.net.InetSocketAddress;
import java.util.List;

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

    void answered(Seen exchange);

    /** Every witness of {@code witnesses} told in turn; null for none. */
    static ExchangeWitness of(List<ExchangeWitness> witnesses) {
        List<ExchangeWitness> all = List.copyOf(witnesses);
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : seen -> all.forEach(witness -> witness.answered(seen));
    }
}
