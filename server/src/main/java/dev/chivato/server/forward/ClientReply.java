package dev.chivato.server.forward;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.answer.ErrorReply;
import dev.chivato.server.answer.QueryHandler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A client's view of an upstream's answer: its own ID, question (its spelling) and RD and CD; RA set, AA and AD clear
 * (we validate nothing); the upstream's rcode and records, their TTLs lowered by the time the answer was kept; an OPT
 * record of ours only when the client sent one (with the client's DO); within the size the engine allows this client.
 * No answer at all is SERVFAIL. An rcode that needs EDNS, to a client without it, is SERVFAIL too.
 *
 * <p>Written from the answer's octets with the client's parts put in (a few stores); only a reply that must be cut to
 * fit goes through the codec.
 */
public final class ClientReply {
    private static final int OPT_LENGTH = 11;
    private static final int RD = 0x0100;
    private static final int CD = 0x0010;
    private static final int QR_RA = 0x8080;

    private ClientReply() {
    }

    /**
     * Writes the reply to the query in {@code query} (position to limit; {@code view} its view) into {@code out} from
     * its position, at most {@code limit} octets; returns its length.
     *
     * @param answer the upstream's answer, or null for none (SERVFAIL)
     */
    public static int write(ByteBuffer query, QueryView view, UpstreamAnswer answer, ByteBuffer out, int limit,
            long nowNanos) {
        boolean edns = view.hasEdns();
        int rcode = answer == null ? Rcode.SERVFAIL.value() : answer.rcode();
        if (answer == null || rcode > 0xf && !edns) {
            return failure(query, view, out);
        }
        int start = out.position();
        if (answer.length() + (edns ? OPT_LENGTH : 0) > limit) {
            return cut(query, view, answer, out, limit, nowNanos);
        }
        answer.copyTo(out);
        patchHeader(query, view, out, start, rcode);
        // the client's spelling over our small letters: the same length
        out.put(start + Header.LENGTH, query, query.position() + Header.LENGTH, view.nameLength());
        answer.age(out, start, nowNanos);
        if (edns) {
            appendOpt(out, start, view.dnssecOk(), rcode >>> 4);
        }
        return out.position() - start;
    }

    /** SERVFAIL with the question and, for a client that sent one, an OPT record. */
    public static int failure(ByteBuffer query, QueryView view, ByteBuffer out) {
        return ErrorReply.write(query, view, Rcode.SERVFAIL.value(), true, true, out);
    }

    private static void patchHeader(ByteBuffer query, QueryView view, ByteBuffer out, int start, int rcode) {
        int flags = QR_RA | view.flags() & (RD | CD) | rcode & 0xf
                | (out.getShort(start + 2) & 0x0200); // TC as the upstream said
        out.putShort(start, (short) view.id());
        out.putShort(start + 2, (short) flags);
    }

    private static void appendOpt(ByteBuffer out, int start, boolean dnssecOk, int extendedRcode) {
        out.put((byte) 0).putShort((short) RRType.OPT.value()).putShort((short) QueryHandler.OUR_UDP_PAYLOAD_SIZE)
                .put((byte) extendedRcode).put((byte) 0).putShort((short) (dnssecOk ? 0x8000 : 0)).putShort((short) 0);
        out.putShort(start + 10, (short) (out.getShort(start + 10) + 1));
    }

    /** A reply that does not fit whole: through the codec, which drops what does not fit and sets TC. */
    private static int cut(ByteBuffer query, QueryView view, UpstreamAnswer answer, ByteBuffer out, int limit,
            long nowNanos) {
        Optional<Message> decoded = answer.decoded();
        if (decoded.isEmpty()) {
            return failure(query, view, out); // the upstream's RDATA, passed on as it came, does not read
        }
        Message kept = decoded.get();
        long elapsed = Math.max(0, (nowNanos - answer.receivedNanos()) / 1_000_000_000L);
        Header header = new Header(view.id(), true, Opcode.QUERY, false, kept.header().tc(), view.rd(), true, false,
                false, view.cd(), Rcode.NOERROR);
        Question question = new Question(view.name(query), RRType.of(view.qtype()),
                RRClass.of(view.qclass()));
        Optional<Edns> edns = view.hasEdns()
                ? Optional.of(Edns.of(QueryHandler.OUR_UDP_PAYLOAD_SIZE, view.dnssecOk())) : Optional.empty();
        Message reply = new Message(header, List.of(question), aged(kept.answers(), elapsed),
                aged(kept.authority(), elapsed), aged(kept.additional(), elapsed), edns)
                .withRcode(Rcode.of(answer.rcode()));
        return reply.encode(out, limit);
    }

    private static List<ResourceRecord> aged(List<ResourceRecord> records, long seconds) {
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
}
