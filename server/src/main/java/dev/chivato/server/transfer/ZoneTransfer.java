package dev.chivato.server.transfer;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.network.MessageStream;
import dev.chivato.server.tsig.MessageSigner;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A zone transfer as a stream of messages of about {@link #MESSAGE_OCTETS} (compressed), each made only when the
 * connection asks for it: AXFR (RFC 5936), the SOA, every other record of the version the transfer started on, the
 * SOA again; or IXFR (RFC 1995), the differences from the client's version. Only one name's records (or one
 * difference) are in hand at a time besides the zone itself.
 */
public final class ZoneTransfer implements MessageStream {
    /** About the size of each message, as NSD and Knot send them; the last record may carry it past. */
    public static final int MESSAGE_OCTETS = 16 * 1024;

    /** What a finished transfer did, for the log. */
    public record Outcome(ZoneFile.Zone zone, int messages, long records, long octets, long nanos,
                          String failure) {
    }

    private final Message query;
    private final ZoneFile.Zone zone;
    /** The records of an incremental transfer, the SOAs among them; null for a whole zone. */
    private final Iterator<ResourceRecord> records;
    /** The zone's records in wire form, for a whole-zone transfer; null for an incremental one. */
    private final ZoneWireWriter wire;
    /** The SOA record, uncompressed, to close a whole-zone transfer. */
    private byte[] closingSoa;
    private final Consumer<Outcome> onFinished;
    private final MessageSigner signer;
    /** Where an incremental transfer measures each record's RDATA (names uncompressed: the estimate errs high). */
    private final ByteBuffer rdata;
    private final long startNanos = System.nanoTime();
    private boolean ended;
    private int messages;
    private long sent;
    private long octets;

    /**
     * @param records every record to send, in order, the bracketing SOAs included ({@link #full}, {@link
     *                #incremental})
     * @param signer  signs each message (TSIG), or null
     */
    public ZoneTransfer(Message query, ZoneFile.Zone zone, Iterator<ResourceRecord> records, MessageSigner signer,
            Consumer<Outcome> onFinished) {
        this.query = query;
        this.zone = zone;
        this.records = records;
        this.rdata = ByteBuffer.allocate(0xffff);
        this.wire = null;
        this.signer = signer;
        this.onFinished = onFinished;
    }

    /** A whole-zone transfer (AXFR, or an IXFR the journal does not reach), written from the zone's own bytes. */
    public ZoneTransfer(Message query, ZoneFile.Zone zone, MessageSigner signer, Consumer<Outcome> onFinished) {
        this.query = query;
        this.zone = zone;
        this.records = null;
        this.rdata = null;
        this.wire = new ZoneWireWriter(zone.wireCursor(), zone.origin().wire());
        this.signer = signer;
        this.onFinished = onFinished;
    }

    @Override
    public int next(ByteBuffer out) {
        if (ended) {
            return -1;
        }
        int start = out.position();
        int length = wire != null ? nextWhole(out) : nextIncremental(out);
        if (signer != null) {
            length = signer.sign(out, start, length);
        }
        messages++;
        octets += length;
        return length;
    }

    /** The most a message may hold before its TSIG record. */
    private static final int HARD_LIMIT = Message.MAX_LENGTH - 512;

    /**
     * The next message of a whole zone: the header (the first message also the question and the SOA, through the
     * codec), then records from the zone's bytes up to about {@link #MESSAGE_OCTETS}, then, after the last, the SOA.
     */
    private int nextWhole(ByteBuffer out) {
        int start = out.position();
        Header header = new Header(query.header().id(), true, Opcode.QUERY, true, false, query.header().rd(),
                false, false, false, false, Rcode.NOERROR);
        List<ResourceRecord> opening = messages == 0 ? List.of(zone.soa()) : List.of();
        new Message(header, messages == 0 ? query.questions() : List.of(), opening, List.of(), List.of(),
                Optional.empty()).encode(out, HARD_LIMIT);
        wire.newMessage();
        int written = wire.write(out, start, start + MESSAGE_OCTETS, start + HARD_LIMIT);
        int count = opening.size() + written;
        if (written == 0 && !wire.done() && messages > 0) {
            // the next record fits no message (the load refuses such records; a transfer must not loop on one)
            throw new IllegalStateException("a record of " + zone.origin() + " does not fit in a message");
        }
        if (wire.done()) {
            byte[] soa = closingSoa();
            if (out.position() + soa.length <= start + HARD_LIMIT) {
                out.put(soa);
                count++;
                ended = true;
            }
        }
        out.putShort(start + 6, (short) count);
        sent += count;
        return out.position() - start;
    }

    private byte[] closingSoa() {
        if (closingSoa == null) {
            byte[] message = new Message(new Header(0, true, Opcode.QUERY, true, false, false, false, false, false,
                    false, Rcode.NOERROR), List.of(), List.of(zone.soa()), List.of(), List.of(), Optional.empty())
                    .toWire(false);
            closingSoa = java.util.Arrays.copyOfRange(message, Header.LENGTH, message.length);
        }
        return closingSoa;
    }

    /** The next message of an incremental transfer, from record objects (a difference is small). */
    private int nextIncremental(ByteBuffer out) {
        List<ResourceRecord> answers = new ArrayList<>();
        int estimate = 0;
        while (estimate < MESSAGE_OCTETS && records.hasNext()) {
            ResourceRecord record = records.next();
            answers.add(record);
            estimate += record.name().wireLength() + 10 + RData.encode(record.data(), rdata.clear());
        }
        ended = !records.hasNext();
        Header header = new Header(query.header().id(), true, Opcode.QUERY, true, false, query.header().rd(),
                false, false, false, false, Rcode.NOERROR);
        // RFC 5936 section 2.2: the question in the first message only.
        Message message = new Message(header, messages == 0 ? query.questions() : List.of(), answers, List.of(),
                List.of(), Optional.empty());
        sent += answers.size();
        return message.encode(out, HARD_LIMIT);
    }

    @Override
    public void finished(String failure) {
        onFinished.accept(new Outcome(zone, messages, sent, octets, System.nanoTime() - startNanos,
                failure == null && !ended ? "stopped before the end" : failure));
    }

    static long serialOf(ResourceRecord soa) {
        return ((RData.Soa) soa.data()).serial();
    }

    /**
     * IXFR's records (RFC 1995 section 4): the current SOA; for each difference its old SOA, what it deleted, its new
     * SOA, what it added; the current SOA again.
     */
    public static Iterator<ResourceRecord> incremental(ResourceRecord current, List<ZoneDiff> diffs) {
        List<Iterator<ResourceRecord>> parts = new ArrayList<>();
        parts.add(List.of(current).iterator());
        for (ZoneDiff diff : diffs) {
            parts.add(List.of(diff.fromSoa()).iterator());
            parts.add(diff.deleted().iterator());
            parts.add(List.of(diff.toSoa()).iterator());
            parts.add(diff.added().iterator());
        }
        parts.add(List.of(current).iterator());
        return parts.stream().flatMap(part -> {
            Iterable<ResourceRecord> iterable = () -> part;
            return java.util.stream.StreamSupport.stream(iterable.spliterator(), false);
        }).iterator();
    }
}
