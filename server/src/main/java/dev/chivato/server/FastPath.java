package dev.chivato.server;

import java.nio.ByteBuffer;

/**
 * The common query answered straight from its bytes, as NSD does: a QUERY for one name of class IN, with or without
 * a plain EDNS(0) OPT. The header and question are copied, the flags set, and the answer section comes from the
 * {@link AnswerTable}; nothing is allocated. Anything else (and anything odd) is left to the {@link QueryHandler},
 * whose answers this path reproduces octet for octet (a property test holds them to it).
 */
final class FastPath {
    /** Returned when the query is not one this path answers. */
    static final int NOT_HANDLED = -2;

    private static final int QR = 0x8000;
    private static final int AA = 0x0400;
    private static final int TC = 0x0200;
    private static final int RD = 0x0100;
    private static final int CD = 0x0010;
    private static final int TYPE_A = 1;
    private static final int TYPE_PTR = 12;
    private static final int TYPE_AAAA = 28;
    private static final int OPT_LENGTH = 11;

    private final AnswerTable table;
    private final boolean snitch;
    private final QueryHandler.UnknownPolicy unknownPolicy;

    /** A fast path that takes nothing: everything goes to the lookup (while zones are served, for now). */
    static FastPath off() {
        return new FastPath(null, false, QueryHandler.UnknownPolicy.NXDOMAIN);
    }

    FastPath(AnswerTable table, boolean snitch, QueryHandler.UnknownPolicy unknownPolicy) {
        this.table = table;
        this.snitch = snitch;
        this.unknownPolicy = unknownPolicy;
    }

    /**
     * Writes the answer to {@code query} (position to limit) into {@code out} from its position.
     *
     * @return the answer's length, or {@link #NOT_HANDLED} with nothing written
     */
    int answer(ByteBuffer query, ByteBuffer out, Transport transport) {
        int start = query.position();
        int end = query.limit();
        if (table == null || end - start < 12 + 5) {
            return NOT_HANDLED;
        }
        int flags = query.getShort(start + 2) & 0xffff;
        if ((flags & 0xf800) != 0 // QR set, or an opcode other than QUERY
                || query.getShort(start + 4) != 1 || query.getShort(start + 6) != 0
                || query.getShort(start + 8) != 0) {
            return NOT_HANDLED;
        }
        int additional = query.getShort(start + 10) & 0xffff;
        if (additional > 1) {
            return NOT_HANDLED;
        }
        int nameStart = start + 12;
        int at = nameStart;
        while (true) {
            if (at >= end) {
                return NOT_HANDLED;
            }
            int labelLength = query.get(at) & 0xff;
            if (labelLength > 63) {
                return NOT_HANDLED; // a pointer or a reserved label type: the decoder says what is wrong
            }
            at += 1 + labelLength;
            if (at - nameStart > 255) {
                return NOT_HANDLED;
            }
            if (labelLength == 0) {
                break;
            }
        }
        int nameLength = at - nameStart;
        if (end - at < 4) {
            return NOT_HANDLED;
        }
        int qtype = query.getShort(at) & 0xffff;
        if (query.getShort(at + 2) != 1 || qtype == 41 || qtype >= 251 && qtype <= 255) {
            return NOT_HANDLED; // another class, or OPT, IXFR, AXFR, MAILB, MAILA, ANY
        }
        int questionEnd = at + 4;
        int clientSize = -1;
        boolean dnssecOk = false;
        if (additional == 1) {
            // Only a well-formed OPT of version 0 that ends the message exactly.
            if (end - questionEnd < OPT_LENGTH || query.get(questionEnd) != 0
                    || query.getShort(questionEnd + 1) != 41 || query.get(questionEnd + 6) != 0) {
                return NOT_HANDLED;
            }
            clientSize = query.getShort(questionEnd + 3) & 0xffff;
            dnssecOk = (query.get(questionEnd + 7) & 0x80) != 0;
            int optionsEnd = questionEnd + OPT_LENGTH + (query.getShort(questionEnd + 9) & 0xffff);
            if (optionsEnd != end) {
                return NOT_HANDLED;
            }
            for (int option = questionEnd + OPT_LENGTH; option < optionsEnd; ) {
                if (optionsEnd - option < 4) {
                    return NOT_HANDLED;
                }
                option += 4 + (query.getShort(option + 2) & 0xffff);
                if (option > optionsEnd) {
                    return NOT_HANDLED;
                }
            }
        } else if (questionEnd != end) {
            return NOT_HANDLED;
        }

        int rcode;
        boolean authoritative;
        byte[] answers = null;
        int answerCount = 0;
        AnswerTable.Answers found = snitch ? null : table.find(query, nameStart, nameLength);
        if (snitch) {
            rcode = 3;
            authoritative = false;
        } else if (found == null) {
            rcode = unknownPolicy == QueryHandler.UnknownPolicy.REFUSE ? 5 : 3;
            authoritative = rcode == 3;
        } else {
            rcode = 0;
            authoritative = true;
            switch (qtype) {
                case TYPE_A -> {
                    answers = found.a();
                    answerCount = found.aCount();
                }
                case TYPE_AAAA -> {
                    answers = found.aaaa();
                    answerCount = found.aaaaCount();
                }
                case TYPE_PTR -> {
                    answers = found.ptr();
                    answerCount = found.ptrCount();
                }
                default -> {
                    // the name exists, the type does not: NODATA
                }
            }
        }

        int limit = transport == Transport.TCP ? 0xffff
                : clientSize < 0 ? PacketProcessor.CLASSIC_UDP_SIZE
                : Math.max(PacketProcessor.CLASSIC_UDP_SIZE, Math.min(clientSize, QueryHandler.OUR_UDP_PAYLOAD_SIZE));
        int optLength = clientSize < 0 ? 0 : OPT_LENGTH;
        int questionLength = questionEnd - start;
        limit = Math.min(limit, out.remaining());
        if (questionLength + optLength > limit) {
            return NOT_HANDLED;
        }
        boolean truncated = answerCount > 0 && questionLength + answers.length + optLength > limit;
        if (truncated) {
            answerCount = 0; // the one RRset does not fit: none of it goes (RFC 2181 section 9)
        }
        int outStart = out.position();
        out.put(out.position(), query, start, questionLength);
        int responseFlags = QR | (authoritative ? AA : 0) | (truncated ? TC : 0) | flags & (RD | CD) | rcode;
        out.putShort(outStart + 2, (short) responseFlags);
        out.putShort(outStart + 6, (short) answerCount);
        out.putShort(outStart + 10, (short) (optLength == 0 ? 0 : 1));
        int position = outStart + questionLength;
        if (answerCount > 0) {
            out.put(position, answers);
            position += answers.length;
        }
        if (optLength > 0) {
            // root owner, TYPE OPT, our UDP size, extended rcode 0, version 0, DO copied, no options
            out.put(position, (byte) 0);
            out.putShort(position + 1, (short) 41);
            out.putShort(position + 3, (short) QueryHandler.OUR_UDP_PAYLOAD_SIZE);
            out.putInt(position + 5, dnssecOk ? 0x8000 : 0);
            out.putShort(position + 9, (short) 0);
            position += OPT_LENGTH;
        }
        out.position(position);
        return position - outStart;
    }
}
