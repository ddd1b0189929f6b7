package dev.chivato.server.network;

import dev.chivato.protocol.Rcode;
import dev.chivato.server.answer.AnswerCache;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.forward.UpstreamAnswer;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.tsig.TransactionSignature;
import java.util.Optional;

/**
 * What a producer hands the {@link Completion}: the answer to one request, before it is written. Every producer has
 * its kind here, and the completion is the one place that writes, sends, logs, counts and taps them all.
 */
sealed interface Answer {
    /** The engine's answer, kept before, from the answer cache. */
    record Cached(AnswerCache.Entry entry) implements Answer {
    }

    /**
     * The engine's decision: its response (empty: drop), signed by {@code signer} when not null, and kept in the
     * request's version's answer cache under {@code cacheKey} unless that is {@link AnswerCache#NOT_CACHEABLE}.
     */
    record Engine(QueryHandler.Reply reply, TransactionSignature.Signer signer, long cacheKey) implements Answer {
    }

    /**
     * An upstream's answer (null: none, SERVFAIL): just come, with how it went upstream; or from the forward cache,
     * with {@code upstream} null.
     */
    record Upstream(UpstreamAnswer answer, LogEntry.Upstream upstream, Optional<String> failure) implements Answer {
        boolean fromCache() {
            return upstream == null;
        }
    }

    /**
     * An answer made without the engine: FORMERR for a message that does not decode ({@code problem} the {@link
     * dev.chivato.protocol.WireFormatException}), SERVFAIL after an internal error ({@code problem} the exception), or
     * the refusal of a request the exchange itself cannot serve ({@code problem} null: REFUSED to a client we do not
     * forward for, SERVFAIL when too much waits).
     */
    record Failure(Rcode rcode, Object problem) implements Answer {
    }

    /** A fault a test set for this request ({@link Injected}): written as it says, never by a producer. */
    record Faulted(Injected fault) implements Answer {
    }
}
