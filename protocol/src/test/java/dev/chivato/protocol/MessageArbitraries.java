package dev.chivato.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators for whole messages. Names grow from a small pool of suffixes so that compression has work to do;
 * labels include dots, backslashes, spaces and binary octets so that escaping is exercised; every RDATA type appears.
 */
public final class MessageArbitraries {
    private static final List<String> SUFFIXES =
            List.of(".", "com.", "example.com.", "Example.COM.", "mail.example.com.", "example.my.", "in-addr.arpa.");

    private MessageArbitraries() {
    }

    static Arbitrary<byte[]> labels() {
        Arbitrary<byte[]> hostLabels = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-")
                .ofMinLength(1).ofMaxLength(12).map(s -> s.getBytes(StandardCharsets.US_ASCII));
        Arbitrary<byte[]> oddLabels = Arbitraries.strings().withChars(".\\\" ();@$\t")
                .ofMinLength(1).ofMaxLength(4).map(s -> s.getBytes(StandardCharsets.US_ASCII));
        Arbitrary<byte[]> binaryLabels = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(63);
        return Arbitraries.frequencyOf(
                Tuple.of(8, hostLabels), Tuple.of(1, oddLabels),
                Tuple.of(1, binaryLabels));
    }

    public static Arbitrary<Name> names() {
        return Combinators.combine(Arbitraries.of(SUFFIXES), labels().list().ofMaxSize(4)).as((suffix, extra) -> {
            Name name = Name.parse(suffix);
            for (byte[] label : extra) {
                if (name.wireLength() + 1 + label.length > Name.MAX_WIRE_LENGTH) {
                    break;
                }
                name = name.child(label);
            }
            return name;
        });
    }

    static Arbitrary<Long> unsigned32() {
        return Arbitraries.longs().between(0, 0xffffffffL);
    }

    static Arbitrary<byte[]> octets(int maxSize) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxSize);
    }

    public static Arbitrary<RData> rdataIn() {
        return Arbitraries.oneOf(
                Arbitraries.integers().map(RData.A::new),
                Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(RData.AAAA::new),
                names().map(RData.Ptr::new),
                names().map(RData.Cname::new),
                names().map(RData.Ns::new),
                Combinators.combine(Arbitraries.integers().between(0, 0xffff), names()).as(RData.Mx::new),
                Combinators.combine(names(), names(), unsigned32(), unsigned32(), unsigned32(), unsigned32(),
                        unsigned32()).as(RData.Soa::new),
                octets(255).list().ofMinSize(1).ofMaxSize(3).map(RData.Txt::new),
                Combinators.combine(Arbitraries.integers().between(0, 0xffff), Arbitraries.integers().between(0,
                        0xffff), Arbitraries.integers().between(0, 0xffff), names()).as(RData.Srv::new),
                Combinators.combine(Arbitraries.integers().between(0, 255),
                        Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(15),
                        octets(40)).as(RData.Caa::new),
                DescribedArbitraries.described(),
                Combinators.combine(Arbitraries.of(10, 11, 30, 65534).map(RRType::new), octets(40))
                        .as(RData.Unknown::new));
    }

    public static Arbitrary<ResourceRecord> records() {
        Arbitrary<ResourceRecord> inClass = Combinators.combine(names(), unsigned32(), rdataIn())
                .as(ResourceRecord::in);
        // Outside class IN an A record's RDATA has no typed form: it stays opaque.
        Arbitrary<ResourceRecord> chaosA = Combinators.combine(names(), unsigned32(), octets(6))
                .as((name, ttl, data) -> new ResourceRecord(name, RRClass.CH, ttl, new RData.Unknown(RRType.A, data)));
        return Arbitraries.frequencyOf(Tuple.of(9, inClass), Tuple.of(1, chaosA));
    }

    /** Records grouped in runs of one RRset, as a server writes them. */
    static Arbitrary<List<ResourceRecord>> section() {
        return records().list().ofMaxSize(3).flatMap(heads -> Arbitraries.integers().between(1, 3).list()
                .ofSize(heads.size()).map(counts -> {
                    List<ResourceRecord> section = new ArrayList<>();
                    for (int i = 0; i < heads.size(); i++) {
                        for (int j = 0; j < counts.get(i); j++) {
                            section.add(heads.get(i));
                        }
                    }
                    return section;
                }));
    }

    static Arbitrary<Header> headers() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xffff), Arbitraries.integers().between(0, 0xffff))
                .as(Header::fromWire);
    }

    static Arbitrary<Optional<Edns>> edns() {
        // A COOKIE option is 8 octets, or 16 to 40 (RFC 7873): a query with another is refused before decoding.
        Arbitrary<EdnsOption> cookie = Arbitraries.of(8, 16, 24, 40).flatMap(length -> Arbitraries.bytes()
                .array(byte[].class).ofSize(length)).map(data -> new EdnsOption(EdnsOption.COOKIE, data));
        Arbitrary<EdnsOption> other = Combinators.combine(Arbitraries.integers().between(0, 0xffff)
                .filter(code -> code != EdnsOption.COOKIE), octets(20)).as(EdnsOption::new);
        Arbitrary<EdnsOption> option = Arbitraries.frequencyOf(Tuple.of(4, other), Tuple.of(1, cookie));
        Arbitrary<Edns> present = Combinators.combine(Arbitraries.integers().between(0, 0xffff),
                Arbitraries.integers().between(0, 0xff), Arbitraries.integers().between(0, 0xff),
                Arbitraries.of(true, false), Arbitraries.integers().between(0, 0x7fff), option.list().ofMaxSize(3))
                .as(Edns::new);
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(Optional.empty())),
                Tuple.of(2, present.map(Optional::of)));
    }

    public static Arbitrary<Message> messages() {
        Arbitrary<Question> question = Combinators.combine(names(),
                Arbitraries.of(1, 2, 5, 6, 12, 15, 16, 28, 252, 255, 65534).map(RRType::new),
                Arbitraries.of(1, 3, 255, 42).map(RRClass::new)).as(Question::new);
        return Combinators.combine(headers(), question.list().ofMaxSize(2), section(), section(), section(), edns())
                .as(Message::new);
    }
}
