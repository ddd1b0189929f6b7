package dev.chivato.server.forward;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Upstream answers kept for their TTL, one cache for all the event loops (a question answered on one loop is kept for
 * the others; it is locked, but looked in only when the answer cache's wire copies do not answer), least recently
 * used out first, bounded in entries and in octets. Positive answers live for their smallest TTL (at most
 * {@link Forwarding.CacheLimits#maxTtl()}); negative ones (NXDOMAIN, NODATA) for min(SOA TTL, SOA MINIMUM) as RFC
 * 2308 section 5 says, at most {@link #MAX_NEGATIVE_TTL}, and not at all without a SOA; failures (SERVFAIL, no answer)
 * for 1 s, doubling while the same question keeps failing, at most 5 minutes (RFC 9520). TTLs are counted down on the
 * way out.
 */
public final class ForwardCache {
    static final long MAX_NEGATIVE_TTL = 3_600;
    static final long MAX_FAILURE_TTL = 300;
    /** What an entry costs beyond its records' wire form: the map's node, the key, the entry, the lists. */
    private static final long ENTRY_OVERHEAD = 256;

    /** An answer kept: the upstream's (null for a failure), when it was kept, and until when. */
    private record Entry(Message response, long storedAt, long expiresAt, int failures, long octets) {
    }

    private final Forwarding.CacheLimits limits;
    private final LinkedHashMap<Object, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long octets;

    public ForwardCache(Forwarding.CacheLimits limits) {
        this.limits = limits;
    }

    boolean enabled() {
        return limits.entries() > 0;
    }

    /**
     * The answer kept for {@code key}, its TTLs lowered by the seconds it has been kept; a failure kept is an answer
     * with rcode SERVFAIL and no records; empty when nothing is kept or it expired.
     */
    synchronized Optional<Message> find(Object key, long now) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (now - entry.expiresAt >= 0) {
            if (entry.response != null) {
                remove(key); // a failure stays (expired) so that the next failure's back-off remembers it
            }
            return Optional.empty();
        }
        if (entry.response == null) {
            return Optional.of(FAILURE);
        }
        long elapsed = (now - entry.storedAt) / 1_000_000_000L;
        Message kept = entry.response;
        return Optional.of(new Message(kept.header(), kept.questions(), older(kept.answers(), elapsed),
                older(kept.authority(), elapsed), older(kept.additional(), elapsed), kept.edns()));
    }

    /** An answer with no records and SERVFAIL: what a failure kept stands for. */
    static final Message FAILURE = new Message(new dev.chivato.protocol.Header(0, true,
            dev.chivato.protocol.Opcode.QUERY, false, false, true, true, false, false, false, Rcode.SERVFAIL),
            List.of(), List.of(), List.of(), List.of(), Optional.empty());

    /** Keeps an upstream's final answer, or (null) the failure to get one, for as long as the rules above say. */
    synchronized void store(Object key, Message response, int wireLength, long now) {
        if (!enabled()) {
            return;
        }
        long ttl;
        int failures = 0;
        if (response == null || response.rcode().equals(Rcode.SERVFAIL)) {
            Entry earlier = entries.get(key);
            failures = earlier != null && earlier.response == null ? earlier.failures + 1 : 1;
            ttl = Math.min(MAX_FAILURE_TTL, 1L << Math.min(failures - 1, 16));
            response = null;
        } else if (response.header().tc()) {
            return; // never a truncated answer
        } else {
            ttl = ttlFor(response);
            if (ttl <= 0) {
                return;
            }
        }
        long size = ENTRY_OVERHEAD + wireLength;
        remove(key);
        entries.put(key, new Entry(response, now, now + ttl * 1_000_000_000L, failures, size));
        octets += size;
        evict();
    }

    /** Entries kept (failures included). */
    synchronized int size() {
        return entries.size();
    }

    /** The time to keep an answer: its smallest TTL, or for a negative one its SOA's negative TTL; 0 for never. */
    long ttlFor(Message response) {
        boolean negative = response.rcode().equals(Rcode.NXDOMAIN)
                || response.rcode().equals(Rcode.NOERROR) && response.answers().isEmpty();
        if (negative) {
            for (ResourceRecord record : response.authority()) {
                if (record.data() instanceof RData.Soa soa) {
                    return Math.min(MAX_NEGATIVE_TTL, Math.min(record.ttl(), soa.minimum()));
                }
            }
            return 0; // RFC 2308 section 5: without a SOA, a negative answer is not cached
        }
        if (!response.rcode().equals(Rcode.NOERROR)) {
            return 0; // REFUSED and the like are not answers to keep
        }
        long ttl = limits.maxTtl();
        for (List<ResourceRecord> section : List.of(response.answers(), response.authority(),
                response.additional())) {
            for (ResourceRecord record : section) {
                if (!record.type().equals(RRType.OPT)) {
                    ttl = Math.min(ttl, record.ttl());
                }
            }
        }
        return ttl;
    }

    private static List<ResourceRecord> older(List<ResourceRecord> records, long seconds) {
        if (seconds == 0 || records.isEmpty()) {
            return records;
        }
        List<ResourceRecord> older = new ArrayList<>(records.size());
        for (ResourceRecord record : records) {
            older.add(new ResourceRecord(record.name(), record.rrClass(), Math.max(0, record.ttl() - seconds),
                    record.data()));
        }
        return older;
    }

    private void remove(Object key) {
        Entry removed = entries.remove(key);
        if (removed != null) {
            octets -= removed.octets;
        }
    }

    private void evict() {
        Iterator<Map.Entry<Object, Entry>> eldest = entries.entrySet().iterator();
        while ((entries.size() > limits.entries() || octets > limits.octets()) && eldest.hasNext()) {
            octets -= eldest.next().getValue().octets;
            eldest.remove();
        }
    }
}
