package dev.chivato.server.forward;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Upstream answers kept for as long as {@link UpstreamAnswer#keepSeconds()} says, one cache for all the event loops
 * (a question answered on one loop is kept for the others; it is locked, and looked in only after the engine said the
 * name is not ours), least recently used out first, bounded in entries and in the octets the answers hold. Keyed by
 * everything the upstream's answer depends on: the question (without regard to case), RD, CD and DO (a CD answer is
 * data a validating upstream may have refused to others). Failures (SERVFAIL, no answer) are kept for 1 s, doubling
 * while the same question keeps failing, at most 5 minutes (RFC 9520). TTLs are counted down on the way out, by
 * {@link ClientReply}.
 */
public final class ForwardCache {
    static final long MAX_FAILURE_TTL = 300;
    /** What an entry costs beyond its answer: the map's node, the key and its name, the entry. */
    private static final long ENTRY_OVERHEAD = 160;

    /** An answer kept (null for a failure), until when, and how many failures in a row it stands for. */
    private record Entry(UpstreamAnswer answer, long expiresAt, int failures, long octets) {
    }

    /** What a cached failure is looked up as. */
    public static final Object FAILURE = new Object() {
        @Override
        public String toString() {
            return "a failure kept";
        }
    };

    private final Forwarding.CacheLimits limits;
    private final LinkedHashMap<ForwardKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long octets;

    public ForwardCache(Forwarding.CacheLimits limits) {
        this.limits = limits;
    }

    boolean enabled() {
        return limits.entries() > 0;
    }

    /**
     * The answer kept for {@code key}: an {@link UpstreamAnswer}, {@link #FAILURE} for a failure kept, or null when
     * nothing is kept or it expired.
     */
    synchronized Object find(ForwardKey key, long now) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (now - entry.expiresAt >= 0) {
            if (entry.answer != null) {
                remove(key); // a failure stays (expired) so that the next failure's back-off remembers it
            }
            return null;
        }
        return entry.answer == null ? FAILURE : entry.answer;
    }

    /** Keeps an upstream's final answer, or (null, or SERVFAIL) the failure to get one, as the rules above say. */
    synchronized void store(ForwardKey key, UpstreamAnswer answer, long now) {
        if (!enabled()) {
            return;
        }
        long ttl;
        int failures = 0;
        long size = ENTRY_OVERHEAD + key.name().wireLength();
        if (answer == null || answer.rcode() == dev.chivato.protocol.Rcode.SERVFAIL.value()) {
            Entry earlier = entries.get(key);
            failures = earlier != null && earlier.answer == null ? earlier.failures + 1 : 1;
            ttl = Math.min(MAX_FAILURE_TTL, 1L << Math.min(failures - 1, 16));
            answer = null;
        } else {
            ttl = Math.min(answer.keepSeconds(), limits.maxTtl());
            if (ttl <= 0) {
                return;
            }
            size += answer.octets();
            now = answer.receivedNanos(); // kept from when it came, as its TTLs are counted
        }
        remove(key);
        entries.put(key, new Entry(answer, now + ttl * 1_000_000_000L, failures, size));
        octets += size;
        evict();
    }

    /** Entries kept (failures included). */
    synchronized int size() {
        return entries.size();
    }

    /** Octets the entries hold, as counted against {@link Forwarding.CacheLimits#octets()}. */
    synchronized long octets() {
        return octets;
    }

    private void remove(ForwardKey key) {
        Entry removed = entries.remove(key);
        if (removed != null) {
            octets -= removed.octets;
        }
    }

    private void evict() {
        Iterator<Map.Entry<ForwardKey, Entry>> eldest = entries.entrySet().iterator();
        while ((entries.size() > limits.entries() || octets > limits.octets()) && eldest.hasNext()) {
            octets -= eldest.next().getValue().octets;
            eldest.remove();
        }
    }
}
