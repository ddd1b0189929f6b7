package dev.chivato.server.answer;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.EdnsOption;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.core.Transport;
import dev.chivato.server.cookie.ServerCookies;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.data.Snapshot;
import dev.chivato.server.data.ZoneFile;
import dev.chivato.server.transfer.Journal;
import dev.chivato.server.transfer.Serial;
import dev.chivato.server.transfer.TransferAccess;
import dev.chivato.server.transfer.ZoneDiff;
import dev.chivato.server.transfer.ZoneTransfer;
import dev.chivato.server.tsig.TransactionSignature;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The server's decisions, as a pure function: a decoded query in, the response (or nothing, to drop it) out. No
 * sockets or logs here: sending, truncation and logging happen around it, in the network package's exchange path.
 * Not final only so that a test can stand in a handler that fails, to show that a bug costs one answer.
 */
public class QueryHandler {
    /** The UDP payload size this server advertises (the DNS Flag Day 2020 value). */
    public static final int OUR_UDP_PAYLOAD_SIZE = 1232;
    /** The plain DNS UDP limit (RFC 1035 section 4.2.1), and the floor for any EDNS size (RFC 6891 6.2.5). */
    public static final int CLASSIC_UDP_SIZE = 512;

    /** What to answer for a name that has no records. */
    public enum UnknownPolicy {
        NXDOMAIN, REFUSE;

        /** {@code nxdomain} or {@code refuse} (or {@code refused}), in any case, as {@code --unknown} takes it. */
        public static UnknownPolicy parse(String text) {
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "nxdomain" -> NXDOMAIN;
                case "refuse", "refused" -> REFUSE;
                default -> throw new IllegalArgumentException("'" + text + "': expected nxdomain or refuse");
            };
        }
    }

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

        /** Not ours to answer: no response, the upstream as the source. */
        public boolean forwarded() {
            return response.isEmpty() && transfer.isEmpty() && source == AnswerSource.FORWARDED;
        }

        public static Reply of(Message response, AnswerSource source) {
            return new Reply(Optional.of(response), source);
        }
    }

    /**
     * A zone transfer to stream: the query, the zone version current when it was asked, and for an IXFR the
     * differences from the client's version (empty: the whole zone, in AXFR form).
     */
    public record Transfer(Message query, ZoneFile.Zone zone, Optional<List<ZoneDiff>> diffs) {
    }

    private final Lookup lookup;
    private final boolean snitch;
    /** The zones as read, by origin: what a transfer sends. */
    private final Map<Name, ZoneFile.Zone> zoneFiles = new HashMap<>();
    private final TransferAccess transfers;
    /** Each zone's differences between versions, by origin, for IXFR. */
    private final Map<Name, Journal> journals;
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
        this(store, zones, unknownPolicy, snitch, ttl, forwards, TransferAccess.NOBODY, Map.of());
    }

    /**
     * As above, and the clients {@code transfers} allows may transfer the zones (AXFR over TCP; IXFR from the
     * {@code journals}).
     */
    public QueryHandler(RecordStore store, List<ZoneFile.Zone> zones, UnknownPolicy unknownPolicy, boolean snitch,
            long ttl, Predicate<Name> forwards, TransferAccess transfers, Map<Name, Journal> journals) {
        this.journals = Map.copyOf(journals);
        this.lookup = new Lookup(Snapshot.of(store, ttl, zones), unknownPolicy, forwards);
        this.snitch = snitch;
        this.transfers = transfers;
        zones.forEach(zone -> zoneFiles.put(zone.origin(), zone));
    }

    /** This handler's answers, kept for the queries asked again: they belong to its data and go with it. */
    public AnswerCache cache() {
        return cache;
    }

    /** The decision for a query whose signature, if any, is checked against no keys. */
    public Reply handle(Message query, Transport transport) {
        return handle(query, transport, null, TransactionSignature.withoutKeys(query));
    }

    /**
     * The decision for a query from {@code client} (null when not known: then no transfer is allowed), whose TSIG
     * record, if any, was checked as {@code signature} says.
     */
    public Reply handle(Message query, Transport transport, InetAddress client, TransactionSignature.Check signature) {
        Header header = query.header();
        if (header.qr()) {
            return Reply.DROP; // never answer a response: two servers could bounce packets forever
        }
        Optional<Edns> edns = query.edns().map(e -> Edns.of(OUR_UDP_PAYLOAD_SIZE, e.dnssecOk()));
        if (signature instanceof TransactionSignature.Check.Malformed) {
            return error(query, Rcode.FORMERR, edns, false);
        }
        if (signature instanceof TransactionSignature.Check.Failed failed) {
            return signatureRefused(query, failed, edns);
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
            return transfer(query, transport, client, signature, edns);
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
        AnswerPlan plan = lookup.plan(question, query.edns().map(Edns::dnssecOk).orElse(false));
        if (plan.forwarded()) {
            return Reply.FORWARD;
        }
        if (plan.rcode().equals(Rcode.REFUSED)) {
            return error(query, Rcode.REFUSED, edns, true);
        }
        return answer(query, plan, edns);
    }

    /**
     * A transfer of a zone we serve, to a client allowed (else REFUSED, as NSD answers). AXFR over TCP only (RFC 5936
     * section 4.2). IXFR (RFC 1995): the current SOA alone when the client is up to date; the differences from its
     * serial when the journal reaches it, else the whole zone in AXFR form; over UDP the differences only when few,
     * else the SOA alone, which sends the client to TCP (section 2).
     */
    private Reply transfer(Message query, Transport transport, InetAddress client,
            TransactionSignature.Check signature, Optional<Edns> edns) {
        boolean incremental = query.questions().get(0).type().equals(RRType.IXFR);
        if (transport == Transport.UDP && !incremental) {
            return error(query, Rcode.NOTIMP, edns, true);
        }
        ZoneFile.Zone zone = zoneFiles.get(query.questions().get(0).name());
        if (zone == null || !transfers.allows(client, signature) || snitch) {
            return error(query, Rcode.REFUSED, edns, true);
        }
        if (!incremental) {
            return transferReply(query, zone, Optional.empty());
        }
        Optional<Long> clientSerial = query.authority().stream()
                .filter(r -> r.data() instanceof RData.Soa && r.name().equals(zone.origin()))
                .map(r -> ((RData.Soa) r.data()).serial()).findFirst();
        if (clientSerial.isEmpty()) {
            return error(query, Rcode.FORMERR, edns, true); // an IXFR query carries the client's SOA
        }
        if (!Serial.increased(clientSerial.get(), zone.serial())) {
            return records(query, List.of(zone.soa()), edns); // up to date
        }
        Optional<List<ZoneDiff>> diffs = journals.getOrDefault(zone.origin(), Journal.empty(0, 0))
                .from(clientSerial.get());
        if (transport == Transport.UDP) {
            int count = diffs.map(d -> d.stream().mapToInt(ZoneDiff::records).sum()).orElse(Integer.MAX_VALUE);
            if (count > UDP_IXFR_RECORDS) {
                return records(query, List.of(zone.soa()), edns);
            }
            List<ResourceRecord> all = new java.util.ArrayList<>();
            ZoneTransfer.incremental(zone.soa(), diffs.get()).forEachRemaining(all::add);
            return records(query, all, edns);
        }
        return transferReply(query, zone, diffs);
    }

    /** The most records an IXFR answer over UDP holds; a longer one is asked for again over TCP. */
    static final int UDP_IXFR_RECORDS = 20;

    private static Reply transferReply(Message query, ZoneFile.Zone zone, Optional<List<ZoneDiff>> diffs) {
        return new Reply(Optional.empty(), AnswerSource.ZONE, Optional.of(new Transfer(query, zone, diffs)));
    }

    /** An authoritative answer of just these records. */
    private static Reply records(Message query, List<ResourceRecord> answers, Optional<Edns> edns) {
        Header header = query.header().toResponse(true, Rcode.NOERROR);
        return Reply.of(new Message(header, query.questions(), answers, List.of(), List.of(), edns),
                AnswerSource.ZONE);
    }

    /**
     * The most the response may take before its COOKIE option: the client's EDNS size within [512, 1232] over UDP,
     * 65535 over TCP, less the option's room when the query has a cookie (the option is added to whatever answer is
     * written, so the room is kept here, where the answer cache's key takes the size from).
     */
    public static int responseLimit(QueryView view, Transport transport) {
        boolean edns = view != null && view.hasEdns();
        return responseLimit(edns, edns ? view.udpPayloadSize() : 0, transport)
                - (edns && view.cookieOffset() != QueryView.ABSENT ? ServerCookies.OPTION_LENGTH : 0);
    }

    /** The same for a decoded query's EDNS. */
    public static int responseLimit(Optional<Edns> edns, Transport transport) {
        boolean cookie = edns.isPresent() && edns.get().options().stream().anyMatch(o -> o.code() == EdnsOption.COOKIE);
        return responseLimit(edns.isPresent(), edns.map(Edns::udpPayloadSize).orElse(0), transport)
                - (cookie ? ServerCookies.OPTION_LENGTH : 0);
    }

    private static int responseLimit(boolean edns, int udpPayloadSize, Transport transport) {
        if (transport == Transport.TCP) {
            return Message.MAX_LENGTH;
        }
        return edns ? Math.max(CLASSIC_UDP_SIZE, Math.min(udpPayloadSize, OUR_UDP_PAYLOAD_SIZE)) : CLASSIC_UDP_SIZE;
    }

    /**
     * The key under which this engine's answer to a query may be kept in the {@link AnswerCache}: everything the answer
     * depends on (the question's name without regard to case, its type, EDNS and DO, the size allowed), or {@link
     * AnswerCache#NOT_CACHEABLE} for a query of another shape than the usual one: QR clear, opcode QUERY, one
     * question of class IN and a type that is not a meta-type, no record but an OPT of version 0. Anything else (a signed query, a
     * transfer, ANY) is the engine's alone each time.
     */
    public static long cacheKey(QueryView view, Transport transport) {
        if (view.qr() || view.opcode() != 0 || view.questionCount() != 1 || view.answerCount() != 0
                || view.authorityCount() != 0 || view.additionalCount() != (view.hasEdns() ? 1 : 0)
                || view.hasEdns() && view.ednsVersion() != 0 || view.qclass() != RRClass.IN.value()
                || isMetaType(view.qtype())) {
            return AnswerCache.NOT_CACHEABLE;
        }
        int edns = !view.hasEdns() ? 0 : view.dnssecOk() ? 2 : 1;
        return AnswerCache.key(view.nameHash(), view.qtype(), responseLimit(view, transport), edns,
                view.nameLength());
    }

    /** OPT, TSIG, IXFR, AXFR, MAILB, MAILA, ANY: types that are not asked for as data. */
    private static boolean isMetaType(int type) {
        return type == RRType.OPT.value() || type >= 250 && type <= 255;
    }

    /**
     * A signature we cannot accept (an unknown key, a wrong MAC, a time outside the fudge): NOTAUTH, the question
     * kept, and a TSIG record saying why (RFC 8945 section 5.2). The BADKEY and BADSIG records go unsigned; a
     * BADTIME answer is signed around here, by whoever sends it.
     */
    private static Reply signatureRefused(Message query, TransactionSignature.Check.Failed failed,
            Optional<Edns> edns) {
        Header header = query.header().toResponse(false, Rcode.NOERROR);
        List<ResourceRecord> additional = failed.error() == TransactionSignature.BADTIME ? List.of()
                : List.of(TransactionSignature.errorRecord(failed.fields(), failed.error()));
        return Reply.of(new Message(header, query.questions(), List.of(), List.of(), additional, edns)
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
