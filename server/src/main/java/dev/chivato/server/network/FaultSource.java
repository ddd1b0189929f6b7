package dev.chivato.server.network;

import dev.chivato.protocol.QueryView;
import dev.chivato.server.core.Transport;
import java.nio.ByteBuffer;

/**
 * Where the exchange path asks whether a request is to fail on purpose (the embedded test server's faults). Asked
 * once per request that has a view, on its event loop's thread, before any producer: it must answer at once.
 */
public interface FaultSource {
    /** No faults: what the command-line server runs with. */
    FaultSource NONE = (query, view, transport) -> null;

    /**
     * The fault for the request in {@code query} (position to limit, read into {@code view}), counted as used; null
     * when it is to be answered as usual.
     */
    Injected take(ByteBuffer query, QueryView view, Transport transport);
}
