package dev.chivato.server.dnstap;

import dev.chivato.server.core.Transport;
import java.net.InetSocketAddress;

/**
 * What an event loop hands the dnstap writer: copies of the messages and when and between whom they went. The
 * writer turns it into one or two dnstap frames (the query's, when {@code query} is there, and the response's),
 * so the loop does no protobuf work.
 *
 * @param queryAddress    who sent the query: the client, or our socket when we asked an upstream (null: unknown)
 * @param responseAddress who received it: our listening socket, or the upstream (null: unknown)
 * @param queryNanos      when the query was received or sent ({@link System#nanoTime}; the writer makes it a date)
 * @param responseNanos   when the response was sent or received (ignored when there is none)
 * @param query           the query's wire bytes, or null for a response frame alone
 * @param response        the response's wire bytes, or null for a query frame alone
 */
public record DnstapEvent(Role role, Transport transport, InetSocketAddress queryAddress,
                          InetSocketAddress responseAddress, long queryNanos, long responseNanos, byte[] query,
                          byte[] response) {
    /** Which pair of dnstap message types the frames are. */
    public enum Role {
        /** A query answered from our own data (or refused, or malformed). */
        AUTH,
        /** A query we forwarded, or answered from the forwarders' cache. */
        CLIENT,
        /** Our query to an upstream, and its answer. */
        FORWARDER
    }

    public DnstapEvent {
        if (query == null && response == null) {
            throw new IllegalArgumentException("a dnstap event needs a query or a response");
        }
    }

    /** The frames it becomes. */
    int frames() {
        return (query == null ? 0 : 1) + (response == null ? 0 : 1);
    }

    /** About what it holds in memory, for the queue's bound in octets. */
    long octets() {
        return 160 + (query == null ? 0 : query.length) + (response == null ? 0 : response.length);
    }
}
