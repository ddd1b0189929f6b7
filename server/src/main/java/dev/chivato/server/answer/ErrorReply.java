package dev.chivato.server.answer;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.RRType;
import java.nio.ByteBuffer;

/**
 * An answer with no records, written straight from a query's octets: the same ID, opcode, RD and CD, QR set, the given
 * rcode; the question echoed when asked for and the query has one; and, when the query had EDNS, an OPT record of ours
 * with its DO (and an rcode's upper bits). What a request gets when it cannot be answered from data: FORMERR, SERVFAIL,
 * a refusal. Nothing is decoded or allocated.
 */
public final class ErrorReply {
    /** Returned instead of a length when nothing can be sent. */
    public static final int NONE = -1;
    private static final int QR = 0x8000;
    private static final int RA = 0x0080;
    /** What a response keeps of the query's flags: opcode, RD and CD. */
    private static final int KEPT_FLAGS = 0x7800 | 0x0100 | 0x0010;

    private ErrorReply() {
    }

    /**
     * Writes the answer to the query in {@code query} (position to limit) into {@code out} from its position; returns
     * its length, or {@link #NONE} when the query is a response or shorter than a header (nothing to answer).
     *
     * @param view               the query's view, or null when it has none (then only the header is answered)
     * @param rcode              the full rcode; its upper bits need EDNS, and without it the answer says SERVFAIL
     * @param question           echo the question (when the view has one)
     * @param recursionAvailable set RA (an answer on behalf of an upstream)
     */
    public static int write(ByteBuffer query, QueryView view, int rcode, boolean question, boolean recursionAvailable,
            ByteBuffer out) {
        int base = query.position();
        if (query.remaining() < Header.LENGTH || (query.get(base + 2) & 0x80) != 0) {
            return NONE;
        }
        boolean edns = view != null && view.hasEdns();
        if (rcode > 0xf && !edns) {
            rcode = 2; // SERVFAIL: the rcode cannot be said without EDNS
        }
        boolean echo = question && view != null && view.hasQuestion();
        int start = out.position();
        int flags = QR | (query.getShort(base + 2) & KEPT_FLAGS) | (recursionAvailable ? RA : 0) | rcode & 0xf;
        out.putShort(query.getShort(base)).putShort((short) flags).putShort((short) (echo ? 1 : 0))
                .putShort((short) 0).putShort((short) 0).putShort((short) (edns ? 1 : 0));
        if (echo) {
            out.put(query.slice(base + Header.LENGTH, view.nameLength() + 4));
        }
        if (edns) {
            out.put((byte) 0).putShort((short) RRType.OPT.value()).putShort((short) QueryHandler.OUR_UDP_PAYLOAD_SIZE)
                    .put((byte) (rcode >>> 4)).put((byte) 0).putShort((short) (view.dnssecOk() ? 0x8000 : 0))
                    .putShort((short) 0);
        }
        return out.position() - start;
    }
}
