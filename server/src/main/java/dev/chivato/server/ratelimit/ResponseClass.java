package dev.chivato.server.ratelimit;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;

/**
 * The class a response is counted in by rate limiting, as BIND, NSD and Knot group them: answers (and NODATA) by
 * their name and type; NXDOMAIN by the zone that says it (the owner of the SOA in the authority section), so that a
 * flood of random names is one class; referrals by the delegation (the owner of the NS records); errors all together.
 * A class is a 64-bit key: its kind in the top bits, a name's hash (without regard to case) and a type below.
 */
public final class ResponseClass {
    private static final long ANSWER = 1L << 60;
    private static final long NXDOMAIN = 2L << 60;
    private static final long REFERRAL = 3L << 60;
    /** Every error (SERVFAIL, REFUSED, FORMERR, NOTIMP, BADCOOKIE...): one class. */
    public static final long ERROR = 4L << 60;

    private ResponseClass() {
    }

    /** An answer, or NODATA, for the name of hash {@code nameHash} and type {@code type}. */
    public static long answer(int nameHash, int type) {
        return ANSWER | (nameHash & 0xffffffffL) << 16 | type & 0xffff;
    }

    /**
     * The class of {@code response} to a question whose name has hash {@code nameHash} ({@link
     * dev.chivato.protocol.Name#hashCode}) and whose type is {@code type}.
     */
    public static long of(Message response, int nameHash, int type) {
        return of(response.rcode(), response, nameHash, type);
    }

    /** The same, for a response whose full rcode is {@code rcode} (one kept without its OPT record). */
    public static long of(Rcode rcode, Message response, int nameHash, int type) {
        if (rcode.equals(Rcode.NXDOMAIN)) {
            ResourceRecord soa = first(response, RRType.SOA);
            return NXDOMAIN | (soa == null ? nameHash : soa.name().hashCode()) & 0xffffffffL;
        }
        if (!rcode.equals(Rcode.NOERROR)) {
            return ERROR;
        }
        if (response.answers().isEmpty() && !response.header().aa()) {
            ResourceRecord ns = first(response, RRType.NS);
            if (ns != null) {
                return REFERRAL | ns.name().hashCode() & 0xffffffffL;
            }
        }
        return answer(nameHash, type);
    }

    private static ResourceRecord first(Message response, RRType type) {
        for (ResourceRecord record : response.authority()) {
            if (record.type().equals(type)) {
                return record;
            }
        }
        return null;
    }
}
