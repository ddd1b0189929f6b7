package dev.chivato.server.data;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Two versions of a source hold what did not change between them once: a page of the newer table whose octets an
 * older table holds too is replaced by the older one's array. A transfer that keeps an old version alive through
 * reloads so keeps alive only the pages that changed.
 */
final class PageSharing {
    private PageSharing() {
    }

    /** {@code newer} with each page that {@code older} holds too, octet for octet, replaced by {@code older}'s. */
    static NodeTable share(NodeTable newer, NodeTable older) {
        Map<Page, byte[]> held = new HashMap<>();
        for (byte[] page : older.pages()) {
            held.putIfAbsent(new Page(page), page);
        }
        byte[][] shared = newer.pages().clone();
        for (int i = 0; i < shared.length; i++) {
            shared[i] = held.getOrDefault(new Page(shared[i]), shared[i]);
        }
        return newer.withPages(shared);
    }

    /** How many of {@code table}'s pages are the very arrays {@code other} holds. */
    static int shared(NodeTable table, NodeTable other) {
        Set<byte[]> theirs = Collections.newSetFromMap(new IdentityHashMap<>());
        theirs.addAll(Arrays.asList(other.pages()));
        return (int) Arrays.stream(table.pages()).filter(theirs::contains).count();
    }

    /** A page as a key by its content. */
    private record Page(byte[] octets, int hash) {
        Page(byte[] octets) {
            this(octets, Arrays.hashCode(octets));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Page other && hash == other.hash && Arrays.equals(octets, other.octets);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
