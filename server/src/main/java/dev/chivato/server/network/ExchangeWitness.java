package dev.chivato.server.network;

import dev.chivato.server.core.Transport;
import java.net.InetSocketAddress;

/**
 * Told of every request the completion ends (the embedded test server's recorder): called on the event loop's thread,
 * just before the answer is sent, so that a client holding its answer finds its query already told. It must not
 * block; it owns the arrays it is given.
 */
public interface ExchangeWitness {
    /**
     * @param query  the request's octets as received (a kept query may be trimmed to its question and EDNS)
     * @param answer the octets sent, or null when nothing is (dropped, closed)
     */
    void answered(Transport transport, InetSocketAddress client, byte[] query, byte[] answer);
}
