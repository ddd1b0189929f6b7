package dev.chivato.server.network;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A destination that keeps what is sent to it, as CoreDNS's {@code dnstest.Recorder}: tests and benchmarks run the
 * exchange path without sockets and look at what was completed. A stream (a transfer) is refused.
 */
public final class Recorder implements Destination {
    private final List<byte[]> sent = new ArrayList<>();
    private final Optional<String> refusal;
    private int owed;

    /** A destination that takes every answer. */
    public Recorder() {
        this(Optional.empty());
    }

    private Recorder(Optional<String> refusal) {
        this.refusal = refusal;
    }

    /** A destination whose socket takes nothing, saying {@code why} (a full send buffer, say). */
    public static Recorder refusing(String why) {
        return new Recorder(Optional.of(why));
    }

    @Override
    public Optional<String> send(ByteBuffer out, int length) {
        if (refusal.isEmpty()) {
            sent.add(Completion.sent(out, length));
        }
        return refusal;
    }

    @Override
    public Destination keep() {
        owed++;
        return this;
    }

    @Override
    public void release() {
        owed--;
    }

    /** Every message sent, in order. */
    public List<byte[]> sent() {
        return sent;
    }

    /** Answers owed to requests that wait (kept and not yet released). */
    public int owed() {
        return owed;
    }
}
