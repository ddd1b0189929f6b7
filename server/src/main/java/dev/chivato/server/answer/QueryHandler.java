package dev.chivato.server.answer;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.data.Snapshot;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.transfer.TransferAccess;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The server's decisions, as a pure function: a decoded query in, the response (or nothing, to drop it) out. No
 * sockets, sizes or logs here: framing, truncation and logging happen around it, in {@link PacketProcessor}.
 * Not final only so that a test can stand in a handler that fails, to show that a bug costs one answer.
 */
public class QueryHandler {
    /** The UDP payload size this server advertises (the DNS Flag Day 2020 value). */
    public static final int OUR_UDP_PAYLOAD_SIZE = 1232;
    /** The plain DNS UDP limit (RFC 1035 section 4.2.1), and the floor for any EDNS size (RFC 6891 6.2.5). */
    public static final int CLASSIC_UDP_SIZE = 512;

    /** What to answer for a name that has no records. */
    public enum UnknownPolicy { NXDOMAIN, REFUSE }

    /**
     * A decision: the response and where its records came from; an empty response means drop. A zone transfer is a
     * reply with no response of its own but a {@code transfer}: the messages come as a stream.
     */
    public record Reply(Optional<Message> response, AnswerSource source, Optional<Transfer> transfer) {
        static final Reply DROP = new Reply(Optional.empty(), AnswerSource.NONE);

        public Reply(Optional<Message> response, AnswerSource source) {
            this(response, source, Optional.empty());
        }
        /** Not ours to answer: the question goes to an upstream server ({@code --forward}). */
        public static final Reply FORWARD = new Reply(Optional.empty(), AnswerSource.FORWARDED);

        public boolean forwarded() {
            return this == FORWARD;
        }

        public static Reply of(Message response, AnswerSource source) {
            return new Reply(Optional.of(response), source);
        }
    }

    /** A zone transfer to stream: the query, and the zone version current when it was asked. */
    public record Transfer(Message query, ZoneFile.Zone zone) {
    }

    private final Lookup lookup;
    private final boolean snitch;
    /** The zones as read, by origin: what a transfer sends. */
    private final Map<Name, ZoneFile.Zone> zoneFiles = new HashMap<>();
    private final TransferAccess transfers;
    private final AnswerCache cache = new AnswerCache();

    public QueryHandler(RecordStore store, UnknownPolicy unknownPolicy, boolean snitch, long ttl) {
        this(store, List.of(), unknownPolicy, snitch, ttl);
    }

    /** Hosts records (served with {@code ttl}) and zones, answered by one lookup. */
    public QueryHandler(RecordStore store, List<ZoneFile.Zone> zones, UnknownPolicy unknownPolicy, boolean snitch,
            long ttl) {
        this(store, zones, unknownPolicy, snitch, ttl, name -> false);
    }

    /**
     * As above, and the names {@code forwards} accepts that are in no zone and have no hosts records of their own
     * (the parents of hosts names included) are answered {@link Reply#FORWARD}.
     */
    public QueryHandler(RecordStore store, List<ZoneFile.Zone> zones, UnknownPolicy unknownPolicy, boolean snitch,
            long ttl, Predicate<Name> forwards) {
        this(store, zones, unknownPolicy, snitch, ttl, forwards, TransferAccess.NOBODY);
    }

    /** As above, and the clients {@code transfers} allows may transfer the zones (AXFR, over TCP). */
    public QueryHandler(RecordStore store, List<ZoneFile.Zone> zones, UnknownPolicy unknownPolicy, boolean snitch,
            long ttl, Predicate<Name> forwards, TransferAccess transfers) {
        this.lookup = new Lookup(Snapshot.of(store, ttl, zones), unknownPolicy, forwards);
        this.snitch = snitch;
        this.transfers = transfers;
        zones.forEach(zone -> zoneFiles.put(zone.origin(), zone));
    }

    /** This handler's answers, kept for the queries asked again: they belong to its data and go with it. */
    public AnswerCache cache() {
        return cache;
    }

    public Reply handle(Message query, Transport transport) {
        return handle(query, transport, null);
    }

    /** The decision for a query from {@code client} (null when not known: then no transfer is allowed). */
    public Reply handle(Message query, Transport transport, InetAddress client) {
        Header header = query.header();
        if (header.qr()) {
            return Reply.DROP; // never answer a response: two servers could bounce packets forever
        }
        Optional<Edns> edns = query.edns().map(e -> Edns.of(OUR_UDP_PAYLOAD_SIZE, e.dnssecOk()));
        Optional<ResourceRecord> signature = TransactionSignature.of(query);
        if (signature.isPresent()) {
            return unknownKey(query, signature.get(), edns);
        }
        if (query.edns().isPresent() && query.edns().get().version() > 0) {
            return error(query, Rcode.BADVERS, edns, true); // RFC 6891 section 6.1.3
        }
        if (!header.opcode().equals(Opcode.QUERY)) {
            return error(query, Rcode.NOTIMP, edns, false);
        }
        if (query.questions().size() != 1) {
            return error(query, Rcode.FORMERR, edns, false);
        }
        Question question = query.questions().get(0);
        RRType type = question.type();
        if (type.equals(RRType.OPT)) {
            return error(query, Rcode.FORMERR, edns, true); // OPT is a pseudo-type, never asked for
        }
        if (type.equals(RRType.AXFR) || type.equals(RRType.IXFR)) {
            return transfer(query, transport, client, edns);
        }
        if (type.equals(RRType.MAILA) || type.equals(RRType.MAILB)) {
            return error(query, Rcode.NOTIMP, edns, true);
        }
        if (!question.qclass().equals(RRClass.IN) && !question.qclass().equals(RRClass.ANY)) {
            return error(query, Rcode.REFUSED, edns, true); // no data in any other class
        }
        if (snitch) {
            return error(query, Rcode.NXDOMAIN, edns, true);
        }
        AnswerPlan plan = lookup.plan(question);
        if (plan == AnswerPlan.FORWARD) {
            return Reply.FORWARD;
        }
        if (plan.rcode().equals(Rcode.REFUSED)) {
            return error(query, Rcode.REFUSED, edns, true);
        }
        return answer(query, plan, edns);
    }

    /**
     * A transfer, over TCP only (RFC 5936 section 4.2), of a zone we serve, to a client allowed: the whole zone
     * (an IXFR gets it too, in AXFR form, as RFC 1995 section 4 allows). Else REFUSED, as NSD answers.
     */
    private Reply transfer(Message query, Transport transport, InetAddress client, Optional<Edns> edns) {
        if (transport == Transport.UDP) {
            return error(query, Rcode.NOTIMP, edns, true);
        }
        ZoneFile.Zone zone = zoneFiles.get(query.questions().get(0).name());
        if (zone == null || !transfers.allows(client) || snitch) {
            return error(query, Rcode.REFUSED, edns, true);
        }
        return new Reply(Optional.empty(), AnswerSource.ZONE, Optional.of(new Transfer(query, zone)));
    }

    /** The most the response may take: the client's EDNS size within [512, 1232] over UDP, 65535 over TCP. */
    public static int responseLimit(Optional<dev.chivato.protocol.Edns> edns, Transport transport) {
        if (transport == Transport.TCP) {
            return Message.MAX_LENGTH;
        }
        return edns.map(e -> Math.max(CLASSIC_UDP_SIZE, Math.min(e.udpPayloadSize(),
                OUR_UDP_PAYLOAD_SIZE))).orElse(CLASSIC_UDP_SIZE);
    }

    /**
     * A signed request while we hold no keys: NOTAUTH with a TSIG record saying BADKEY, the question kept (RFC 8945
     * section 5.2); FORMERR when the TSIG record itself does not parse.
     */
    private static Reply unknownKey(Message query, ResourceRecord signature, Optional<Edns> edns) {
        Optional<ResourceRecord> badKey = TransactionSignature.badKey(signature);
        if (badKey.isEmpty()) {
            return error(query, Rcode.FORMERR, edns, false);
        }
        Header header = query.header().toResponse(false, Rcode.NOERROR);
        return Reply.of(new Message(header, query.questions(), List.of(), List.of(), List.of(badKey.get()), edns)
                .withRcode(Rcode.NOTAUTH), AnswerSource.NONE);
    }

    /** The plan as a response: the question echoed, its sections, AA as the plan says. */
    private static Reply answer(Message query, AnswerPlan plan, Optional<Edns> edns) {
        Header header = query.header().toResponse(plan.authoritative(), plan.rcode());
        return Reply.of(new Message(header, query.questions(), plan.answer(), plan.authority(), plan.additional(),
                edns), plan.source());
    }

    /** REFUSED, the question echoed: a name we do not hold, for a client we do not forward for. */
    public static Reply refused(Message query) {
        return error(query, Rcode.REFUSED, query.edns().map(e -> Edns.of(OUR_UDP_PAYLOAD_SIZE, e.dnssecOk())), true);
    }

    /** SERVFAIL, the question echoed: a forwarded query that cannot wait (too many wait already). */
    public static Reply serverFailure(Message query) {
        return error(query, Rcode.SERVFAIL, query.edns().map(e -> Edns.of(OUR_UDP_PAYLOAD_SIZE, e.dnssecOk())),
                true);
    }

    /** A response with no records and AA clear; the question is echoed only when {@code echoQuestion}. */
    private static Reply error(Message query, Rcode rcode, Optional<Edns> edns, boolean echoQuestion) {
        Header header = query.header().toResponse(false, Rcode.NOERROR);
        Message response = new Message(header, echoQuestion ? query.questions() : List.of(), List.of(), List.of(),
                List.of(), edns).withRcode(rcode);
        return Reply.of(response, AnswerSource.NONE);
    }

    /**
     * The response to a message that could not be handled (FORMERR when its body does not decode, SERVFAIL after an
     * internal error): same id, the given questions, nothing else.
     */
    public static Message failure(Header header, List<Question> questions, Rcode rcode) {
        return new Message(header.toResponse(false, rcode), questions.size() == 1 ? questions : List.of(),
                List.of(), List.of(), List.of(), Optional.empty());
    }
}
