package dev.chivato.server.ratelimit;

import dev.chivato.server.core.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * Response rate limiting, with the semantics of BIND's, NSD's and Knot's (the "DNS Response Rate Limiting" note of
 * Vixie and Schryver): responses over UDP are counted per client prefix (/24 for IPv4, /56 for IPv6) and per response
 * class ({@link ResponseClass}), each account credited {@code rate} responses a second; a response that finds its
 * account empty is dropped, or every {@code slip}-th one sent truncated and empty (TC set) so that a real client,
 * whose address was not forged, asks again over TCP. An account's debt is bounded by {@code window} seconds of its
 * rate: a flood that stops is forgiven within the window.
 *
 * <p>Bounded: a table of {@link #CAPACITY} accounts in fixed arrays (about 2 MiB whatever the traffic), in sets of
 * {@link #WAYS}; a new account takes an empty place in its set or the one touched longest ago. Shared by every event
 * loop: each set is guarded by one of {@link #STRIPES} locks.
 */
public final class RateLimiter {
    /** Accounts kept at most: 64 Ki, as NSD's default rrl-size is a million buckets of far less. */
    static final int CAPACITY = 1 << 16;
    static final int WAYS = 4;
    private static final int STRIPES = 64;
    private static final int SETS = CAPACITY / WAYS;

    /** What to do with a response. */
    public enum Verdict {
        SEND, SLIP, DROP
    }

    private final int rate;
    private final int slip;
    private final int window;
    private final List<Cidr> exempt;
    private final long[] keys = new long[CAPACITY];
    /** Responses the account may still send; negative: its debt. */
    private final int[] balances = new int[CAPACITY];
    /** The second the account was last touched; 0: the place is empty. */
    private final int[] touched = new int[CAPACITY];
    /** Responses over the limit so far, to slip every {@code slip}-th. */
    private final int[] overs = new int[CAPACITY];
    private final Object[] locks = new Object[STRIPES];

    /**
     * @param rate   responses a second per account (at least 1)
     * @param slip   every slip-th response over the limit is slipped (0: none, 1: all)
     * @param window seconds of debt an account may run up
     * @param exempt client networks never limited
     */
    public RateLimiter(int rate, int slip, int window, List<Cidr> exempt) {
        if (rate < 1 || slip < 0 || window < 1) {
            throw new IllegalArgumentException("rate and window at least 1, slip at least 0");
        }
        this.rate = rate;
        this.slip = slip;
        this.window = window;
        this.exempt = List.copyOf(exempt);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** Responses dropped and slipped since the last summary was taken, and when it was. */
    private long unloggedDropped;
    private long unloggedSlipped;
    private int summarySecond = 1;
    /** Whether anything waits to be summed up: read on every answer, so a plain volatile flag. */
    private volatile boolean unlogged;

    /** What was limited between two summaries. */
    public record Summary(long dropped, long slipped, int seconds) {
    }

    /** Notes a response that was dropped or slipped, for the next summary. */
    public synchronized void limited(Verdict verdict) {
        if (verdict == Verdict.SLIP) {
            unloggedSlipped++;
        } else if (verdict == Verdict.DROP) {
            unloggedDropped++;
        }
        unlogged = true;
    }

    /** Whether some dropped or slipped responses are not summed up yet. */
    public boolean unlogged() {
        return unlogged;
    }

    /**
     * What was limited since the last summary, taken, once a second at most: null when nothing was or when the last
     * summary was taken this second.
     */
    public synchronized Summary takeSummary() {
        return takeSummary(false);
    }

    /** As above; {@code evenWithinTheSecond} takes it within the last one's second too (as the server stops). */
    public synchronized Summary takeSummary(boolean evenWithinTheSecond) {
        int now = second();
        if (!unlogged || now == summarySecond && !evenWithinTheSecond) {
            return null;
        }
        Summary summary = new Summary(unloggedDropped, unloggedSlipped, now - summarySecond);
        unloggedDropped = 0;
        unloggedSlipped = 0;
        summarySecond = now;
        unlogged = false;
        return summary;
    }

    /** Where this limiter's clock starts: seconds are counted from here, the first being 1 (0 marks an empty place). */
    private final long origin = System.nanoTime();

    /** The limiter's clock: whole seconds since it was made, plus one. */
    public int second() {
        return (int) ((System.nanoTime() - origin) / 1_000_000_000L) + 1;
    }

    /** Whether {@code client} is in an exempt network. */
    public boolean exempt(InetAddress client) {
        for (int i = 0; i < exempt.size(); i++) {
            if (exempt.get(i).contains(client)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Counts a response of class {@code responseClass} to {@code client} at {@code second} (any clock that counts
     * seconds, never 0) and says what to do with it.
     */
    public Verdict count(InetAddress client, long responseClass, int second) {
        long key = accountKey(client, responseClass);
        int set = (int) (mix(key) >>> 32) & (SETS - 1);
        synchronized (locks[set & (STRIPES - 1)]) {
            int slot = slotFor(set, key, second);
            int elapsed = second - touched[slot];
            if (elapsed > 0) {
                long credited = balances[slot] + (long) Math.min(elapsed, window + 1) * rate; // from the most debt to full
                balances[slot] = (int) Math.min(rate, credited);
            }
            touched[slot] = second;
            balances[slot] = Math.max(balances[slot] - 1, -window * rate);
            if (balances[slot] >= 0) {
                return Verdict.SEND;
            }
            overs[slot]++;
            return slip > 0 && overs[slot] % slip == 0 ? Verdict.SLIP : Verdict.DROP;
        }
    }

    /** The account's place in its set: where its key is, else an empty place, else the one touched longest ago. */
    private int slotFor(int set, long key, int second) {
        int first = set * WAYS;
        int victim = first;
        for (int slot = first; slot < first + WAYS; slot++) {
            if (touched[slot] != 0 && keys[slot] == key) {
                return slot;
            }
            if (touched[victim] != 0 && (touched[slot] == 0 || touched[slot] - touched[victim] < 0)) {
                victim = slot;
            }
        }
        keys[victim] = key;
        balances[victim] = rate;
        touched[victim] = second;
        overs[victim] = 0;
        return victim;
    }

    /** The client's prefix (/24 or /56) and the response class, as one key. */
    static long accountKey(InetAddress client, long responseClass) {
        byte[] address = client.getAddress();
        int prefixOctets = address.length == 4 ? 3 : 7;
        long prefix = address.length;
        for (int i = 0; i < prefixOctets; i++) {
            prefix = prefix << 8 | address[i] & 0xff;
        }
        return mix(prefix) ^ responseClass;
    }

    /** A 64-bit finaliser (SplitMix64's): every input bit reaches every output bit. */
    static long mix(long value) {
        value = (value ^ value >>> 30) * 0xbf58476d1ce4e5b9L;
        value = (value ^ value >>> 27) * 0x94d049bb133111ebL;
        return value ^ value >>> 31;
    }

    /** Accounts in use now (for the bound's test). */
    int accounts() {
        int used = 0;
        for (int slot = 0; slot < CAPACITY; slot++) {
            if (touched[slot] != 0) {
                used++;
            }
        }
        return used;
    }
}
