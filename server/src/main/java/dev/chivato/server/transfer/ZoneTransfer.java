package dev.chivato.server.transfer;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.protocol.RRType;
import dev.chivato.server.data.RecordCursor;
import dev.chivato.server.data.Snapshot;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.network.MessageStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An AXFR (RFC 5936) as a stream of messages: the SOA first, every other record of the zone version the transfer
 * started on, the SOA again last, in messages of about {@link #MESSAGE_OCTETS} (compressed). Only one name's
 * records are decoded at a time, so a transfer of any zone holds a few kilobytes besides the zone itself.
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
    private final RecordCursor cursor;
    private final ArrayDeque<ResourceRecord> waiting = new ArrayDeque<>();
    /** Where each record's RDATA is measured (names uncompressed: the estimate errs high). */
    private final ByteBuffer rdata = ByteBuffer.allocate(0xffff);
    private final Consumer<Outcome> onFinished;
    private final MessageSigner signer;
    private final long startNanos = System.nanoTime();
    private boolean soaSent;
    private boolean lastSoaSent;
    private int messages;
    private long records;
    private long octets;

    public ZoneTransfer(Message query, ZoneFile.Zone zone, MessageSigner signer, Consumer<Outcome> onFinished) {
        this.query = query;
        this.zone = zone;
        this.cursor = zone.cursor();
        this.signer = signer;
        this.onFinished = onFinished;
    }

    @Override
    public int next(ByteBuffer out) {
        if (lastSoaSent) {
            return -1;
        }
        List<ResourceRecord> answers = new ArrayList<>();
        int estimate = 0;
        if (!soaSent) {
            answers.add(zone.soa());
            soaSent = true;
        }
        while (estimate < MESSAGE_OCTETS) {
            ResourceRecord record = nextRecord();
            if (record == null) {
                answers.add(zone.soa());
                lastSoaSent = true;
                break;
            }
            answers.add(record);
            estimate += record.name().wireLength() + 10 + RData.encode(record.data(), rdata.clear());
        }
        Header header = new Header(query.header().id(), true, Opcode.QUERY, true, false, query.header().rd(),
                false, false, false, false, Rcode.NOERROR);
        // RFC 5936 section 2.2: the question in the first message only.
        Message message = new Message(header, messages == 0 ? query.questions() : List.of(), answers, List.of(),
                List.of(), Optional.empty());
        int start = out.position();
        int length = message.encode(out, Message.MAX_LENGTH);
        if (signer != null) {
            length = signer.sign(out, start, length);
        }
        messages++;
        records += answers.size();
        octets += length;
        return length;
    }

    /** The next record of the zone, the apex SOA left out (it opens and closes the transfer). */
    private ResourceRecord nextRecord() {
        while (waiting.isEmpty()) {
            List<Snapshot.RRset> rrsets = cursor.next();
            if (rrsets == null) {
                return null;
            }
            for (Snapshot.RRset rrset : rrsets) {
                if (!(rrset.type().equals(RRType.SOA) && rrset.owner().equals(zone.origin()))) {
                    waiting.addAll(rrset.records(rrset.owner()));
                }
            }
        }
        return waiting.poll();
    }

    @Override
    public void finished(String failure) {
        onFinished.accept(new Outcome(zone, messages, records, octets, System.nanoTime() - startNanos,
                failure == null && !lastSoaSent ? "stopped before the end" : failure));
    }
}
