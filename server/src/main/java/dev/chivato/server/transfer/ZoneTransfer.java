package dev.chivato.server.transfer;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.RecordCursor;
import dev.chivato.server.data.Snapshot;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.network.MessageStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
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
    private final Iterator<ResourceRecord> records;
    private final Consumer<Outcome> onFinished;
    private final MessageSigner signer;
    /** Where each record's RDATA is measured (names uncompressed: the estimate errs high). */
    private final ByteBuffer rdata = ByteBuffer.allocate(0xffff);
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
        this.signer = signer;
        this.onFinished = onFinished;
    }

    @Override
    public int next(ByteBuffer out) {
        if (ended) {
            return -1;
        }
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
        int start = out.position();
        int length = message.encode(out, Message.MAX_LENGTH - 512); // room for a TSIG record
        if (signer != null) {
            length = signer.sign(out, start, length);
        }
        messages++;
        sent += answers.size();
        octets += length;
        return length;
    }

    @Override
    public void finished(String failure) {
        onFinished.accept(new Outcome(zone, messages, sent, octets, System.nanoTime() - startNanos,
                failure == null && !ended ? "stopped before the end" : failure));
    }

    static long serialOf(ResourceRecord soa) {
        return ((RData.Soa) soa.data()).serial();
    }

    /** AXFR's records: the SOA, the zone's other records name by name, the SOA. */
    public static Iterator<ResourceRecord> full(ZoneFile.Zone zone) {
        RecordCursor cursor = zone.cursor();
        ArrayDeque<ResourceRecord> waiting = new ArrayDeque<>();
        waiting.add(zone.soa());
        return new Iterator<>() {
            private boolean closed;

            @Override
            public boolean hasNext() {
                fill();
                return !waiting.isEmpty();
            }

            @Override
            public ResourceRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return waiting.poll();
            }

            private void fill() {
                while (waiting.isEmpty() && !closed) {
                    List<Snapshot.RRset> rrsets = cursor.next();
                    if (rrsets == null) {
                        waiting.add(zone.soa());
                        closed = true;
                        return;
                    }
                    for (Snapshot.RRset rrset : rrsets) {
                        if (!(rrset.type().equals(RRType.SOA) && rrset.owner().equals(zone.origin()))) {
                            waiting.addAll(rrset.records(rrset.owner()));
                        }
                    }
                }
            }
        };
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
