package dev.chivato.server.forward;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.ratelimit.ResponseClass;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An upstream's answer as we keep it and pass it on: our own encoding of its records (the question in small letters,
 * ID 0, no OPT and no TSIG: those were the upstream's, for us, and never go to a client), where each record's TTL is,
 * its full rcode, when it came, and how long it may be kept. Immutable once made; the forward cache and every client
 * waiting for it share one.
 *
 * <p>A record's TTL with its top bit set is read as 0 (RFC 2181 section 8).
 */
public final class UpstreamAnswer {
    static final long MAX_NEGATIVE_TTL = 3_600;

    private final byte[] wire;
    private final int[] ttlOffsets;
    private final int rcode;
    private final boolean truncated;
    private final long receivedNanos;
    private final long keepSeconds;
    private final long rateClass;

    private UpstreamAnswer(byte[] wire, int[] ttlOffsets, int rcode, boolean truncated, long receivedNanos,
            long keepSeconds, long rateClass) {
        this.rateClass = rateClass;
        this.wire = wire;
        this.ttlOffsets = ttlOffsets;
        this.rcode = rcode;
        this.truncated = truncated;
        this.receivedNanos = receivedNanos;
        this.keepSeconds = keepSeconds;
    }

    /**
     * The upstream's {@code response} to {@code asked}, received at {@code nowNanos}; positive answers are kept for
     * their smallest TTL, at most {@code maxTtl}; negative ones (NXDOMAIN, NODATA) for min(SOA TTL, SOA MINIMUM) as RFC
     * 2308 section 5 says, at most {@link #MAX_NEGATIVE_TTL}, and not at all without a SOA; other rcodes not at all.
     *
     * @throws IllegalArgumentException when it cannot be encoded again within a message (then it is not taken)
     */
    static UpstreamAnswer of(Message response, Question asked, long nowNanos, long maxTtl) {
        return of(response, asked, nowNanos, maxTtl, ByteBuffer.allocate(Message.MAX_LENGTH));
    }

    /**
     * As above, encoding in {@code scratch} (of {@link Message#MAX_LENGTH} octets, the caller's to reuse): a fresh
     * 64 KiB buffer per answer cost a tenth of the forwarder's miss path (JFR, {@code benchmarks/load/forward.sh}).
     */
    static UpstreamAnswer of(Message response, Question asked, long nowNanos, long maxTtl, ByteBuffer scratch) {
        Header header = new Header(0, true, Opcode.QUERY, false, response.header().tc(), false, true, false, false,
                false, response.header().rcode());
        Question question = new Question(asked.name().toLowerCase(), asked.type(), asked.qclass());
        Message kept = new Message(header, List.of(question), lawful(response.answers()),
                lawful(response.authority()), lawful(withoutTsig(response.additional())), Optional.empty());
        ByteBuffer out = scratch.clear();
        int length = kept.encode(out, Message.MAX_LENGTH);
        byte[] wire = new byte[length];
        out.get(out.position() - length, wire);
        if ((wire[2] & 0x02) != 0 && !response.header().tc()) {
            throw new IllegalArgumentException("the answer does not fit a message when encoded again");
        }
        return new UpstreamAnswer(wire, ttlOffsets(wire), response.rcode().value(), response.header().tc(), nowNanos,
                keepFor(kept, response.rcode(), maxTtl), ResponseClass.of(response.rcode(), kept,
                        asked.name().hashCode(), asked.type().value()));
    }

    private static final int QR_RA = 0x8080;
    private static final int TC = 0x0200;

    /**
     * A positive answer (NOERROR, with answers, not truncated) as the upstream wrote it, in {@code response} (position
     * to limit) framed by {@code view}: no decode and encode, only what we change for every client written over its
     * octets (ID 0, our flags, the question in small letters, TTLs above 2^31 - 1 made 0) and its OPT and TSIG
     * records cut from its end; its compression stays, every pointer leading backwards (the decoder's rule), so
     * none into what is cut. RDATA is passed on as it came, as dnsdist passes it. Null for any other answer, or
     * one whose OPT record is not its last but for a TSIG: the caller decodes it and takes {@link #of}.
     */
    static UpstreamAnswer asWritten(ByteBuffer response, QueryView view, Question asked, long nowNanos,
            long maxTtl) {
        int rcode = view.flags() & 0xf | view.extendedRcode() << 4;
        if (rcode != 0 || (view.flags() & TC) != 0 || view.answerCount() == 0) {
            return null;
        }
        int end = view.length();
        int cut = 0;
        if (view.signed()) {
            end = view.tsigOffset();
            cut++;
        }
        if (view.hasEdns()) {
            if (view.optionsOffset() + view.optionsLength() != end) {
                return null;
            }
            end = view.optOffset();
            cut++;
        }
        byte[] wire = new byte[end];
        response.get(response.position(), wire, 0, end);
        put16(wire, 0, 0);
        put16(wire, 2, QR_RA);
        put16(wire, 10, u16(wire, 10) - cut);
        for (int i = Header.LENGTH; i < Header.LENGTH + view.nameLength(); i++) {
            if (wire[i] >= 'A' && wire[i] <= 'Z') { // no label length is as large as 'A': a label is at most 63
                wire[i] += 'a' - 'A';
            }
        }
        int[] ttlOffsets = ttlOffsets(wire);
        long keep = maxTtl;
        for (int offset : ttlOffsets) {
            long ttl = (long) u16(wire, offset) << 16 | u16(wire, offset + 2);
            if (ttl > 0x7fffffffL) {
                put16(wire, offset, 0);
                put16(wire, offset + 2, 0);
                ttl = 0;
            }
            keep = Math.min(keep, ttl);
        }
        return new UpstreamAnswer(wire, ttlOffsets, 0, false, nowNanos, keep,
                ResponseClass.answer(asked.name().hashCode(), asked.type().value()));
    }

    private static void put16(byte[] wire, int at, int value) {
        wire[at] = (byte) (value >>> 8);
        wire[at + 1] = (byte) value;
    }

    /** The records with any TTL above 2^31 - 1 made 0. */
    private static List<ResourceRecord> lawful(List<ResourceRecord> records) {
        List<ResourceRecord> out = null;
        for (int i = 0; i < records.size(); i++) {
            ResourceRecord record = records.get(i);
            if (record.ttl() > 0x7fffffffL) {
                if (out == null) {
                    out = new ArrayList<>(records);
                }
                out.set(i, new ResourceRecord(record.name(), record.rrClass(), 0, record.data()));
            }
        }
        return out == null ? records : out;
    }

    private static List<ResourceRecord> withoutTsig(List<ResourceRecord> additional) {
        return additional.stream().noneMatch(r -> r.type().equals(RRType.TSIG)) ? additional
                : additional.stream().filter(r -> !r.type().equals(RRType.TSIG)).toList();
    }

    /** The seconds an answer may be kept: see {@link #of}. */
    private static long keepFor(Message kept, Rcode rcode, long maxTtl) {
        if (kept.header().tc()) {
            return 0; // never a truncated answer
        }
        boolean negative = rcode.equals(Rcode.NXDOMAIN) || rcode.equals(Rcode.NOERROR) && kept.answers().isEmpty();
        if (negative) {
            for (ResourceRecord record : kept.authority()) {
                if (record.data() instanceof RData.Soa soa) {
                    return Math.min(MAX_NEGATIVE_TTL, Math.min(record.ttl(), soa.minimum()));
                }
            }
            return 0;
        }
        if (!rcode.equals(Rcode.NOERROR)) {
            return 0;
        }
        long ttl = maxTtl;
        for (List<ResourceRecord> section : List.of(kept.answers(), kept.authority(), kept.additional())) {
            for (ResourceRecord record : section) {
                ttl = Math.min(ttl, record.ttl());
            }
        }
        return ttl;
    }

    /** Where the TTL of each record of a message our encoder wrote is. */
    static int[] ttlOffsets(byte[] wire) {
        int records = u16(wire, 6) + u16(wire, 8) + u16(wire, 10);
        int at = Header.LENGTH;
        for (int i = u16(wire, 4); i > 0; i--) {
            at = pastName(wire, at) + 4;
        }
        int[] offsets = new int[records];
        for (int i = 0; i < records; i++) {
            at = pastName(wire, at);
            offsets[i] = at + 4;
            at += 10 + u16(wire, at + 8);
        }
        return offsets;
    }

    private static int pastName(byte[] wire, int at) {
        while (true) {
            int length = wire[at] & 0xff;
            if ((length & 0xc0) == 0xc0) {
                return at + 2;
            }
            if (length == 0) {
                return at + 1;
            }
            at += 1 + length;
        }
    }

    private static int u16(byte[] wire, int at) {
        return (wire[at] & 0xff) << 8 | wire[at + 1] & 0xff;
    }

    /** The class rate limiting counts this answer in ({@link ResponseClass}). */
    public long rateClass() {
        return rateClass;
    }

    /** The full rcode the upstream answered. */
    public int rcode() {
        return rcode;
    }

    /** The upstream set TC: the answer is cut short (and is never kept). */
    public boolean truncated() {
        return truncated;
    }

    /** Seconds it may be kept from when it came; 0 for not at all. */
    public long keepSeconds() {
        return keepSeconds;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    /** Octets it holds: what the forward cache counts against its bound. */
    public long octets() {
        return 64 + wire.length + 16 + 4L * ttlOffsets.length;
    }

    /**
     * The records as sent to a client, for a client's reply that must be cut to fit (rare: made on demand); empty
     * when they do not decode (an answer passed on {@link #asWritten} whose RDATA the upstream got wrong).
     */
    Optional<Message> decoded() {
        try {
            return Optional.of(Message.decode(wire));
        } catch (dev.chivato.protocol.WireFormatException e) {
            return Optional.empty();
        }
    }

    /** Copies the kept octets into {@code out} from its position; the caller patches them. */
    int copyTo(ByteBuffer out) {
        out.put(wire);
        return wire.length;
    }

    /** Lowers each TTL of the copy written at {@code start} by the whole seconds since the answer came. */
    void age(ByteBuffer out, int start, long nowNanos) {
        long elapsed = (nowNanos - receivedNanos) / 1_000_000_000L;
        if (elapsed <= 0) {
            return;
        }
        for (int offset : ttlOffsets) {
            long ttl = (out.getInt(start + offset) & 0xffffffffL) - elapsed;
            out.putInt(start + offset, (int) Math.max(0, ttl));
        }
    }

    int length() {
        return wire.length;
    }
}
