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
 *
 * <p>For a client that set DO, a signed zone's answers carry DNSSEC's records (RFC 4035 section 3.1): each RRset's
 * RRSIGs; for NXDOMAIN the NSEC records that cover the name and the wildcard that could have made it; for NODATA the
 * name's NSEC (or the one that covers an empty non-terminal); for a wildcard's answer the NSEC that shows the name
 * itself does not exist; at a delegation its DS RRset, or the NSEC that shows it has none.
 */
final class Lookup {
    /** CNAMEs followed at most, as NSD does; a longer chain, or a loop, is answered as far as it got. */
    static final int MAX_CNAME_CHAIN = 8;
    private static final byte[] WILDCARD = {'*'};

    private final Snapshot data;
    private final Signatures signatures;
    private final QueryHandler.UnknownPolicy unknownPolicy;
    /** The names an upstream server answers when we hold nothing of our own for them. */
    private final Predicate<Name> forwards;

    Lookup(Snapshot data, QueryHandler.UnknownPolicy unknownPolicy) {
        this(data, unknownPolicy, name -> false);
    }

    Lookup(Snapshot data, QueryHandler.UnknownPolicy unknownPolicy, Predicate<Name> forwards) {
        this.data = data;
        this.signatures = new Signatures(data);
        this.unknownPolicy = unknownPolicy;
        this.forwards = forwards;
    }

    AnswerPlan plan(Question question) {
        return plan(question, false);
    }

    /** The plan for {@code question}; with {@code dnssecOk} (the query's DO), signed zones' proofs and signatures. */
    AnswerPlan plan(Question question, boolean dnssecOk) {
        RRType type = question.type();
        List<ResourceRecord> answer = new ArrayList<>();
        Set<Name> visited = new HashSet<>();
        AnswerSource source = AnswerSource.NONE;
        Name current = question.name();
        while (true) {
            visited.add(current);
            Optional<Snapshot.Zone> zone = zoneFor(current, type);
            boolean dnssec = dnssecOk && zone.isPresent() && zone.get().signed();
            Optional<Snapshot.Node> node = data.node(current);
            if (zone.isPresent()) {
                Optional<Name> cut = delegation(zone.get(), current, node);
                boolean parentSideDs = type.equals(RRType.DS) && cut.isPresent() && cut.get().equals(current);
                if (cut.isPresent() && !parentSideDs) {
                    // at or below a zone cut: a referral, after the CNAMEs that led there (RFC 1034 4.3.2 step 3b)
                    return answer.isEmpty() ? referral(zone.get(), cut.get(), dnssec)
                            : referralAfter(answer, source, cut.get(), zone.get(), dnssec);
                }
            }
            Name owner = current;
            Name expandedFrom = null; // the wildcard that made the answer, when one did
            Name encloser = null; // the closest encloser, found when the name does not exist
            if (node.isEmpty() && zone.isPresent()) {
                encloser = closestEncloserAbove(current);
                node = data.node(encloser.child(WILDCARD));
                expandedFrom = node.isPresent() ? encloser.child(WILDCARD) : null;
            }
            if (zone.isEmpty() && answer.isEmpty() && node.map(n -> n.rrsets().isEmpty()).orElse(true)
                    && forwards.test(current)) {
                return AnswerPlan.FORWARD; // no data of ours: a name we do not hold, or a parent of hosts names
            }
            if (node.isEmpty()) {
                if (zone.isEmpty()) {
                    // not ours at all: a CNAME that leaves our data ends the answer there
                    return answer.isEmpty() ? unknown() : positive(answer, source, zone, dnssec, List.of());
                }
                List<ResourceRecord> proof = dnssec ? signatures.nameError(zone.get(), current, encloser)
                        : List.of();
                return negative(Rcode.NXDOMAIN, answer, zone.get(), source, dnssec, proof);
            }
            List<ResourceRecord> wildcardProof = dnssec && expandedFrom != null
                    ? signatures.wildcardAnswer(zone.get(), current, encloser) : List.of();
            Optional<Snapshot.RRset> cname = node.get().get(RRType.CNAME);
            boolean dnssecType = type.equals(RRType.RRSIG) || type.equals(RRType.NSEC);
            if (cname.isPresent() && !type.equals(RRType.CNAME) && !type.equals(RRType.ANY) && !dnssecType) {
                answer.addAll(Signatures.signed(node.get(), cname.get(), owner, dnssec));
                answer.addAll(wildcardProof); // (an authority record, kept with the answer it proves)
                source = AnswerSource.ZONE;
                Name target = ((RData.Cname) cname.get().data().get(0)).target();
                if (visited.contains(target) || visited.size() > MAX_CNAME_CHAIN) {
                    return positive(answer, source, zone, dnssec, List.of());
                }
                current = target;
                continue;
            }
            List<Snapshot.RRset> found = matching(node.get(), type, dnssecOk);
            if (found.isEmpty()) {
                if (zone.isEmpty()) {
                    return positive(answer, source, zone, dnssec, List.of());
                }
                List<ResourceRecord> proof = !dnssec ? List.of() : expandedFrom != null
                        ? signatures.wildcardNoData(zone.get(), current, encloser)
                        : signatures.noData(zone.get(), current, node.get());
                return negative(Rcode.NOERROR, answer, zone.get(), source, dnssec, proof);
            }
            int before = answer.size();
            for (Snapshot.RRset rrset : found) {
                answer.addAll(!rrset.type().equals(RRType.RRSIG) ? Signatures.signed(node.get(), rrset, owner,
                        dnssec && !type.equals(RRType.ANY)) : type.equals(RRType.ANY) ? rrset.records(owner)
                        : Signatures.allSignatures(node.get(), owner)); // RRSIGs come in an RRset per TTL
            }
            return positive(answer, before == 0 && answer.size() >= countOf(found) ? found.get(0).source() : source,
                    zone, dnssec, wildcardProof);
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

    /** The RRsets answering {@code type} at a node: that type's, or all of them for ANY (RRSIGs only with DO). */
    private static List<Snapshot.RRset> matching(Snapshot.Node node, RRType type, boolean dnssecOk) {
        if (type.equals(RRType.ANY)) {
            return dnssecOk ? node.rrsets()
                    : node.rrsets().stream().filter(r -> !r.type().equals(RRType.RRSIG)).toList();
        }
        return node.get(type).map(List::of).orElse(List.of());
    }

    /**
     * The highest name below the apex, at or above {@code name}, that holds NS records: a zone cut. {@code nodeOfName}
     * is {@code name}'s own node, looked up once by the caller (most names are one label below their apex).
     */
    private Optional<Name> delegation(Snapshot.Zone zone, Name name, Optional<Snapshot.Node> nodeOfName) {
        if (!zone.delegates()) {
            return Optional.empty(); // no NS below the apex: no cut to look for (most of a PTR zone's lookups)
        }
        List<Name> path = new ArrayList<>();
        for (Name at = name; !at.equals(zone.apex()); at = at.parent()) {
            path.add(at);
        }
        for (int i = path.size() - 1; i >= 0; i--) {
            Optional<Snapshot.Node> node = i == 0 ? nodeOfName : data.node(path.get(i));
            if (node.isEmpty()) {
                return Optional.empty();
            }
            if (node.get().get(RRType.NS).isPresent()) {
                return Optional.of(path.get(i));
            }
        }
        return Optional.empty();
    }

    /** The wildcard at the closest encloser of {@code name}, which does not exist, if there is one (RFC 4592 3.3). */
    private Optional<Snapshot.Node> wildcard(Name name) {
        return data.node(closestEncloserAbove(name).child(WILDCARD));
    }

    /**
     * The closest encloser (RFC 4592 section 3.3.1) of {@code name}, which does not exist: the closest name above it
     * that does. Its own node was looked up already, and not found.
     */
    private Name closestEncloserAbove(Name name) {
        Name encloser = name;
        while (!encloser.isRoot()) {
            encloser = encloser.parent();
            if (data.node(encloser).isPresent()) {
                break;
            }
        }
        return encloser;
    }

    /**
     * A referral to the zone cut: NS in authority, their addresses as glue, AA clear; with DNSSEC, the cut's DS RRset
     * and its RRSIGs, or the NSEC that shows there is none (RFC 4035 section 3.1.4).
     */
    private AnswerPlan referral(Snapshot.Zone zone, Name cut, boolean dnssec) {
        List<ResourceRecord> ns = delegationNs(cut);
        List<ResourceRecord> authority = dnssec ? withDelegationProof(zone, ns, cut) : ns;
        return new AnswerPlan(Rcode.NOERROR, false, List.of(), authority,
                additional(ns, data.zoneOf(cut), Set.of(), false), AnswerSource.NONE);
    }

    private List<ResourceRecord> withDelegationProof(Snapshot.Zone zone, List<ResourceRecord> ns, Name cut) {
        List<ResourceRecord> authority = new ArrayList<>(ns);
        Snapshot.Node node = data.node(cut).orElseThrow();
        Optional<Snapshot.RRset> ds = node.get(RRType.DS);
        authority.addAll(ds.isPresent() ? Signatures.signed(node, ds.get(), cut, true) : signatures.noDs(zone, cut));
        return authority;
    }

    /**
     * CNAMEs of ours that lead below a zone cut: they are the answer (authoritative), and the referral to the cut
     * follows in the authority section with its glue, as NSD and Knot give it.
     */
    private AnswerPlan referralAfter(List<ResourceRecord> answer, AnswerSource source, Name cut,
            Snapshot.Zone zone, boolean dnssec) {
        List<ResourceRecord> ns = delegationNs(cut);
        List<ResourceRecord> both = new ArrayList<>(answer);
        both.addAll(ns);
        return new AnswerPlan(Rcode.NOERROR, true, answer, dnssec ? withDelegationProof(zone, ns, cut) : ns,
                additional(both, Optional.of(zone), Set.copyOf(answer), false), source);
    }

    private List<ResourceRecord> delegationNs(Name cut) {
        return data.node(cut).orElseThrow().get(RRType.NS).orElseThrow().records(cut);
    }

    /**
     * An answer; with DNSSEC, {@code proof} (the NSEC that shows a wildcard's match does not exist itself) in the
     * authority section. NSEC records that went into {@code answer} beside a CNAME move there too.
     */
    private AnswerPlan positive(List<ResourceRecord> answer, AnswerSource source, Optional<Snapshot.Zone> zone,
            boolean dnssec, List<ResourceRecord> proof) {
        List<ResourceRecord> records = answer;
        List<ResourceRecord> authority = proof;
        if (dnssec) {
            records = new ArrayList<>();
            authority = new ArrayList<>(proof);
            splitProofs(answer, records, authority);
        }
        return new AnswerPlan(Rcode.NOERROR, true, records, authority,
                additional(records, zone, Set.copyOf(records), dnssec), records.isEmpty() ? AnswerSource.NONE
                : source);
    }

    /**
     * Wildcard proofs met on a CNAME chain were kept with the answer: the NSEC records (and their RRSIGs) go to the
     * authority section, unless NSEC is what was asked for.
     */
    private static void splitProofs(List<ResourceRecord> answer, List<ResourceRecord> records,
            List<ResourceRecord> authority) {
        Set<Name> proofOwners = new HashSet<>();
        for (ResourceRecord record : answer) {
            if (record.type().equals(RRType.NSEC) && answer.stream().anyMatch(r -> r.type().equals(RRType.CNAME)
                    && !r.name().equals(record.name()))) {
                proofOwners.add(record.name());
            }
        }
        for (ResourceRecord record : answer) {
            boolean proof = proofOwners.contains(record.name()) && (record.type().equals(RRType.NSEC)
                    || record.type().equals(RRType.RRSIG) && Signatures.typeCovered(record.data())
                    == RRType.NSEC.value());
            if (proof) {
                if (!authority.contains(record)) {
                    authority.add(record);
                }
            } else {
                records.add(record);
            }
        }
    }

    /**
     * NXDOMAIN or NODATA from a zone: its SOA in authority (RFC 2308 section 3), with DNSSEC its RRSIGs and the
     * {@code proof}; the zone is their source.
     */
    private AnswerPlan negative(Rcode rcode, List<ResourceRecord> answer, Snapshot.Zone zone, AnswerSource source,
            boolean dnssec, List<ResourceRecord> proof) {
        List<ResourceRecord> records = answer;
        List<ResourceRecord> authority = new ArrayList<>();
        authority.add(zone.negativeSoa());
        if (dnssec) {
            records = new ArrayList<>();
            splitProofs(answer, records, authority);
            authority.addAll(1, Signatures.covering(data.node(zone.apex()).orElseThrow(), zone.apex(), RRType.SOA)
                    .stream().map(sig -> ResourceRecord.in(sig.name(), zone.negativeSoa().ttl(), sig.data()))
                    .toList());
            proof.stream().filter(record -> !authority.contains(record)).forEach(authority::add);
        }
        return new AnswerPlan(rcode, true, records, authority, List.of(),
                records.isEmpty() ? AnswerSource.ZONE : source);
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
            Set<ResourceRecord> answered, boolean dnssec) {
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
                        Name owner = synthesized ? target : rrset.owner();
                        for (ResourceRecord address : Signatures.signed(found, rrset, owner, dnssec)) {
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
