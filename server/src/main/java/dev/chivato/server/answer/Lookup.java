package dev.chivato.server.answer;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.data.Snapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The answer rules, in one place: RFC 1034 section 4.3.2 over a {@link Snapshot}. Find the zone; below a delegation,
 * refer; at an existing name, answer the type asked, or follow a CNAME through our own data, or say NODATA; at no
 * name, try the closest encloser's wildcard (RFC 4592), else NXDOMAIN. Negative answers from a zone carry its SOA
 * (RFC 2308); hosts records outside every zone answer as the hosts list always did, with no SOA. Targets of NS, MX
 * and SRV records that we hold get their addresses in the additional section.
 */
final class Lookup {
    /** CNAMEs followed at most, as NSD does; a longer chain, or a loop, is answered as far as it got. */
    static final int MAX_CNAME_CHAIN = 8;
    private static final byte[] WILDCARD = {'*'};

    private final Snapshot data;
    private final QueryHandler.UnknownPolicy unknownPolicy;
    /** The names an upstream server answers when we hold nothing of our own for them. */
    private final Predicate<Name> forwards;

    Lookup(Snapshot data, QueryHandler.UnknownPolicy unknownPolicy) {
        this(data, unknownPolicy, name -> false);
    }

    Lookup(Snapshot data, QueryHandler.UnknownPolicy unknownPolicy, Predicate<Name> forwards) {
        this.data = data;
        this.unknownPolicy = unknownPolicy;
        this.forwards = forwards;
    }

    AnswerPlan plan(Question question) {
        RRType type = question.type();
        List<ResourceRecord> answer = new ArrayList<>();
        Set<Name> visited = new HashSet<>();
        AnswerSource source = AnswerSource.NONE;
        Name current = question.name();
        while (true) {
            visited.add(current);
            Optional<Snapshot.Zone> zone = zoneFor(current, type);
            if (zone.isPresent()) {
                Optional<Name> cut = delegation(zone.get(), current);
                boolean parentSideDs = type.equals(RRType.DS) && cut.isPresent() && cut.get().equals(current);
                if (cut.isPresent() && !parentSideDs) {
                    // at or below a zone cut: a referral, after the CNAMEs that led there (RFC 1034 4.3.2 step 3b)
                    return answer.isEmpty() ? referral(cut.get()) : referralAfter(answer, source, cut.get(), zone);
                }
            }
            Optional<Snapshot.Node> node = data.node(current);
            Name owner = current;
            if (node.isEmpty() && zone.isPresent()) {
                node = wildcard(current);
            }
            if (zone.isEmpty() && answer.isEmpty() && node.map(n -> n.rrsets().isEmpty()).orElse(true)
                    && forwards.test(current)) {
                return AnswerPlan.FORWARD; // no data of ours: a name we do not hold, or a parent of hosts names
            }
            if (node.isEmpty()) {
                if (zone.isEmpty()) {
                    // not ours at all: a CNAME that leaves our data ends the answer there
                    return answer.isEmpty() ? unknown() : positive(answer, source, zone);
                }
                return negative(Rcode.NXDOMAIN, answer, zone.get(), source);
            }
            Optional<Snapshot.RRset> cname = node.get().get(RRType.CNAME);
            if (cname.isPresent() && !type.equals(RRType.CNAME) && !type.equals(RRType.ANY)) {
                answer.addAll(cname.get().records(owner));
                source = AnswerSource.ZONE;
                Name target = ((RData.Cname) cname.get().data().get(0)).target();
                if (visited.contains(target) || visited.size() > MAX_CNAME_CHAIN) {
                    return positive(answer, source, zone);
                }
                current = target;
                continue;
            }
            List<Snapshot.RRset> found = matching(node.get(), type);
            if (found.isEmpty()) {
                return zone.isPresent() ? negative(Rcode.NOERROR, answer, zone.get(), source)
                        : positive(answer, source, zone);
            }
            for (Snapshot.RRset rrset : found) {
                answer.addAll(rrset.records(owner));
            }
            return positive(answer, answer.size() == countOf(found) ? found.get(0).source() : source, zone);
        }
    }

    /**
     * The zone that answers for {@code name}: the closest one, except that DS, which lives on the parent side of a
     * zone cut (RFC 4035 section 3.1.4.1), is answered at a zone's apex by the parent zone when we serve it too.
     */
    private Optional<Snapshot.Zone> zoneFor(Name name, RRType type) {
        Optional<Snapshot.Zone> zone = data.zoneOf(name);
        if (type.equals(RRType.DS) && zone.isPresent() && zone.get().apex().equals(name) && !name.isRoot()) {
            Optional<Snapshot.Zone> parent = data.zoneOf(name.parent());
            if (parent.isPresent()) {
                return parent;
            }
        }
        return zone;
    }

    private static int countOf(List<Snapshot.RRset> rrsets) {
        return rrsets.stream().mapToInt(r -> r.data().size()).sum();
    }

    /** The RRsets answering {@code type} at a node: that type's, or all of them for ANY. */
    private static List<Snapshot.RRset> matching(Snapshot.Node node, RRType type) {
        if (type.equals(RRType.ANY)) {
            return node.rrsets();
        }
        return node.get(type).map(List::of).orElse(List.of());
    }

    /** The highest name below the apex, at or above {@code name}, that holds NS records: a zone cut. */
    private Optional<Name> delegation(Snapshot.Zone zone, Name name) {
        List<Name> path = new ArrayList<>();
        for (Name at = name; !at.equals(zone.apex()); at = at.parent()) {
            path.add(at);
        }
        for (int i = path.size() - 1; i >= 0; i--) {
            Optional<Snapshot.Node> node = data.node(path.get(i));
            if (node.isEmpty()) {
                return Optional.empty();
            }
            if (node.get().get(RRType.NS).isPresent()) {
                return Optional.of(path.get(i));
            }
        }
        return Optional.empty();
    }

    /** The wildcard at the closest encloser of a name that does not exist, if there is one (RFC 4592 section 3.3). */
    private Optional<Snapshot.Node> wildcard(Name name) {
        Name encloser = name;
        while (!encloser.isRoot() && data.node(encloser).isEmpty()) {
            encloser = encloser.parent();
        }
        return data.node(encloser.child(WILDCARD));
    }

    /** A referral to the zone cut: NS in authority, their addresses as glue, AA clear. */
    private AnswerPlan referral(Name cut) {
        List<ResourceRecord> authority = delegationNs(cut);
        return new AnswerPlan(Rcode.NOERROR, false, List.of(), authority,
                additional(authority, data.zoneOf(cut), Set.of()), AnswerSource.NONE);
    }

    /**
     * CNAMEs of ours that lead below a zone cut: they are the answer (authoritative), and the referral to the cut
     * follows in the authority section with its glue, as NSD and Knot give it.
     */
    private AnswerPlan referralAfter(List<ResourceRecord> answer, AnswerSource source, Name cut,
            Optional<Snapshot.Zone> zone) {
        List<ResourceRecord> authority = delegationNs(cut);
        List<ResourceRecord> both = new ArrayList<>(answer);
        both.addAll(authority);
        return new AnswerPlan(Rcode.NOERROR, true, answer, authority, additional(both, zone, Set.copyOf(answer)),
                source);
    }

    private List<ResourceRecord> delegationNs(Name cut) {
        return data.node(cut).orElseThrow().get(RRType.NS).orElseThrow().records(cut);
    }

    private AnswerPlan positive(List<ResourceRecord> answer, AnswerSource source, Optional<Snapshot.Zone> zone) {
        return new AnswerPlan(Rcode.NOERROR, true, answer, List.of(), additional(answer, zone, Set.copyOf(answer)),
                answer.isEmpty() ? AnswerSource.NONE : source);
    }

    /** NXDOMAIN or NODATA from a zone: its SOA in authority (RFC 2308 section 3); the zone is their source. */
    private static AnswerPlan negative(Rcode rcode, List<ResourceRecord> answer, Snapshot.Zone zone,
            AnswerSource source) {
        return new AnswerPlan(rcode, true, answer, List.of(zone.negativeSoa()), List.of(),
                answer.isEmpty() ? AnswerSource.ZONE : source);
    }

    /** A name under no zone and with no hosts records: NXDOMAIN, or REFUSED as configured. */
    private AnswerPlan unknown() {
        return unknownPolicy == QueryHandler.UnknownPolicy.REFUSE ? AnswerPlan.refused()
                : new AnswerPlan(Rcode.NXDOMAIN, true, List.of(), List.of(), List.of(), AnswerSource.NONE);
    }

    private static Name targetOf(RData rdata) {
        if (rdata instanceof RData.Ns ns) {
            return ns.host();
        }
        if (rdata instanceof RData.Mx mx) {
            return mx.exchange();
        }
        return rdata instanceof RData.Srv srv ? srv.target() : null;
    }

    /**
     * The A and AAAA records we hold for the NS, MX and SRV targets among {@code records}, each once, from the same
     * zone as the answer (or the hosts records, for an answer outside every zone) and never from another zone we
     * serve; a target that exists only through a wildcard gets the wildcard's addresses under its own name. Records
     * already in {@code answered} are not repeated.
     */
    private List<ResourceRecord> additional(List<ResourceRecord> records, Optional<Snapshot.Zone> zone,
            Set<ResourceRecord> answered) {
        List<ResourceRecord> additional = new ArrayList<>();
        Set<Name> done = new HashSet<>();
        for (ResourceRecord record : records) {
            Name target = targetOf(record.data());
            if (target == null || !done.add(target) || !data.zoneOf(target).equals(zone)) {
                continue;
            }
            Optional<Snapshot.Node> node = data.node(target);
            boolean synthesized = node.isEmpty() && zone.isPresent();
            if (synthesized) {
                node = wildcard(target);
            }
            node.ifPresent(found -> {
                for (RRType type : ADDRESS_TYPES) {
                    found.get(type).ifPresent(rrset -> {
                        for (ResourceRecord address : rrset.records(synthesized ? target : rrset.owner())) {
                            if (!answered.contains(address)) {
                                additional.add(address);
                            }
                        }
                    });
                }
            });
        }
        return additional;
    }

    private static final List<RRType> ADDRESS_TYPES = List.of(RRType.A, RRType.AAAA);
}
