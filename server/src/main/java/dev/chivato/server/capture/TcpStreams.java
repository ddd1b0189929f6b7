package dev.chivato.server.capture;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * DNS over TCP put back together per direction of each connection: segments in sequence order (a retransmitted one
 * taken once, one that came early held until the gap fills), then the 2-octet length framing, across segments and
 * several messages to a segment. Every buffer is bounded: a stream that would hold more is reset with a note.
 */
final class TcpStreams {
    /** The most a stream holds unframed: two largest messages with their lengths. */
    static final int MAX_BUFFERED = 2 * (2 + 0xffff);
    /** Segments held early per stream, at most. */
    static final int MAX_EARLY = 64;
    /** Streams followed at once; past it the oldest is forgotten. */
    static final int MAX_STREAMS = 10_000;

    private static final class Stream {
        long next = -1;
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        final TreeMap<Long, byte[]> early = new TreeMap<>();
    }

    private final Map<String, Stream> streams = new HashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** What went wrong since the last call (gaps, overflows), each a line; cleared by the call. */
    List<String> takeNotes() {
        List<String> taken = List.copyOf(notes);
        notes.clear();
        return taken;
    }

    /** The whole DNS messages this segment completes, in order. */
    List<byte[]> accept(Datagrams.Segment segment) {
        String key = segment.source() + "|" + segment.sourcePort() + "|" + segment.destination() + "|"
                + segment.destinationPort();
        if ((segment.tcpFlags() & (Datagrams.Segment.RST)) != 0) {
            streams.remove(key);
            return List.of();
        }
        Stream stream = streams.get(key);
        if (stream == null) {
            if (streams.size() >= MAX_STREAMS) {
                streams.remove(streams.keySet().iterator().next());
                notes.add("more than " + MAX_STREAMS + " TCP streams at once: one was forgotten");
            }
            stream = new Stream();
            streams.put(key, stream);
        }
        long seq = segment.sequence();
        if ((segment.tcpFlags() & Datagrams.Segment.SYN) != 0) {
            stream.next = (seq + 1) & 0xffffffffL;
            stream.buffer.reset();
            stream.early.clear();
            seq = stream.next;
        } else if (stream.next < 0) {
            stream.next = seq; // the capture began inside the connection: take it from here
        }
        byte[] payload = segment.payload();
        if (payload.length > 0) {
            take(stream, seq, payload);
        }
        return frames(stream);
    }

    /**
     * How far a segment may lie from where the stream is, either way, to be taken as part of it: far more than a
     * capture's window, far less than the half of the sequence space where "ahead" and "behind" stop meaning anything.
     */
    static final long WINDOW = 1 << 24;

    /** How far {@code seq} is past {@code next}, in 32-bit sequence arithmetic (negative: behind). */
    private static long distance(long seq, long next) {
        return (int) (seq - next); // sequence numbers wrap at 2^32
    }

    private void take(Stream stream, long seq, byte[] payload) {
        long ahead = distance(seq, stream.next);
        if (ahead > WINDOW || ahead < -WINDOW) {
            notes.add("a TCP segment " + ahead + " octets from where its stream was: the stream resumes from it");
            stream.early.clear();
            stream.buffer.reset();
            stream.next = seq;
            ahead = 0;
        }
        if (ahead > 0) {
            if (stream.early.size() >= MAX_EARLY) {
                notes.add("a TCP gap that did not fill within " + MAX_EARLY + " segments: the stream resumes after it");
                stream.early.clear();
                stream.buffer.reset();
                stream.next = seq;
                ahead = 0;
            } else {
                stream.early.put(seq, payload);
                return;
            }
        }
        long skip = -ahead; // a retransmission: only what is new counts
        if (skip < payload.length) {
            append(stream, payload, (int) skip);
        }
        while (!stream.early.isEmpty()) {
            Map.Entry<Long, byte[]> first = stream.early.firstEntry();
            long gap = distance(first.getKey(), stream.next);
            if (gap > 0) {
                break;
            }
            stream.early.pollFirstEntry();
            if (-gap < first.getValue().length) {
                append(stream, first.getValue(), (int) -gap);
            }
        }
    }

    private void append(Stream stream, byte[] payload, int from) {
        int length = payload.length - from;
        if (stream.buffer.size() + length > MAX_BUFFERED) {
            notes.add("a TCP stream holding more than " + MAX_BUFFERED + " octets without a whole message: reset");
            stream.buffer.reset();
        } else {
            stream.buffer.write(payload, from, length);
        }
        stream.next = (stream.next + length) & 0xffffffffL;
    }

    private static List<byte[]> frames(Stream stream) {
        byte[] held = stream.buffer.toByteArray();
        List<byte[]> messages = new ArrayList<>();
        int at = 0;
        while (held.length - at >= 2) {
            int length = (held[at] & 0xff) << 8 | held[at + 1] & 0xff;
            if (held.length - at - 2 < length) {
                break;
            }
            messages.add(java.util.Arrays.copyOfRange(held, at + 2, at + 2 + length));
            at += 2 + length;
        }
        if (at > 0) {
            stream.buffer.reset();
            stream.buffer.write(held, at, held.length - at);
        }
        return messages;
    }
}
