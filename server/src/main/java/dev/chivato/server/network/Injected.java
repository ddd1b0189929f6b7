package dev.chivato.server.network;

import java.time.Duration;

/**
 * What a fault set by a test ({@code dev.chivato.embed.Fault}) makes of one request, in place of the producers'
 * answer: an error rcode, no answer at all, the answer late, an empty answer with TC over UDP, octets that do not
 * decode, or a TCP connection closed without an answer. The exchange path acts on it; the completion writes it.
 */
public sealed interface Injected {
    /** A header-and-question answer with this rcode (SERVFAIL, REFUSED, NXDOMAIN...). */
    record Rcode(int value) implements Injected {
        public Rcode {
            if (value < 0 || value > 0xf) {
                throw new IllegalArgumentException("an injected rcode fits the header's four bits: " + value);
            }
        }
    }

    /** No answer: the client's own timeout is what it sees. */
    record Drop() implements Injected {
    }

    /** The answer the server would give, after {@code delay}. */
    record Delay(Duration delay) implements Injected {
        public Delay {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("a delay cannot be negative: " + delay);
            }
        }
    }

    /** Over UDP an empty answer with TC set (the client asks again over TCP); over TCP the full answer. */
    record Truncate() implements Injected {
    }

    /** Octets with the query's ID that do not decode: a header that promises a record, and half a label. */
    record Garbage() implements Injected {
    }

    /** Over TCP the connection closed without an answer; over UDP no answer. */
    record CloseTcp() implements Injected {
    }
}
