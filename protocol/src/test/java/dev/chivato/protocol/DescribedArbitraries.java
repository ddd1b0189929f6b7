package dev.chivato.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Valid RDATA of every row of {@link TypeTable} that has no typed form, built field by field from each field's kind,
 * so that the codec's properties run over every type the table describes. Drawn straight from a random source (no
 * shrinking): jqwik's combinators, chained over fifty rows, spend minutes comparing their own generators.
 */
final class DescribedArbitraries {
    private DescribedArbitraries() {
    }

    /** {@link RData.Described} of any described type. */
    static Arbitrary<RData> described() {
        List<TypeDescriptor> rows = TypeTable.rows().stream()
                .filter(row -> !RData.hasTypedForm(RRType.of(row.number()), RRClass.IN)).toList();
        return Arbitraries.randomValue(random -> {
            TypeDescriptor row = rows.get(random.nextInt(rows.size()));
            return new RData.Described(RRType.of(row.number()), rdata(row, random));
        });
    }

    /** The octets of valid RDATA of {@code row}. */
    static byte[] rdata(TypeDescriptor row, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (TypeDescriptor.Field field : row.fields()) {
            if (field.name().equals("gateway type")) {
                out.write(random.nextInt(4)); // IPSECKEY's: 0 to 3, which says what the gateway is
            } else {
                field(field.kind(), out, random);
            }
        }
        return out.toByteArray();
    }

    private static void field(FieldKind kind, ByteArrayOutputStream out, Random random) {
        switch (kind) {
            case U8, ALGORITHM, CERT_ALGORITHM -> out.writeBytes(octets(random, 1));
            case U16, TYPE, CERT_TYPE -> out.writeBytes(octets(random, 2));
            case U32, PERIOD, TIME, IPV4 -> out.writeBytes(octets(random, 4));
            case IPV6 -> out.writeBytes(octets(random, 16));
            case EUI48 -> out.writeBytes(octets(random, 6));
            case EUI64, NODE64 -> out.writeBytes(octets(random, 8));
            case NAME, NAME_COMPRESSED, NAME_DECOMPRESSED -> out.writeBytes(name(random));
            case STRING -> prefixed(out, octets(random, random.nextInt(256)));
            case STRINGS -> {
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    prefixed(out, octets(random, random.nextInt(random.nextBoolean() ? 256 : 12)));
                }
            }
            case STRING_REST, BASE64, HEX -> out.writeBytes(octets(random, random.nextInt(70)));
            case TAG -> prefixed(out, letters(random, 1 + random.nextInt(15), "abcdefghijklmnopqrstuvwxyz0123456789"));
            case SALT -> prefixed(out, octets(random, random.nextInt(21)));
            case HASH -> prefixed(out, octets(random, 1 + random.nextInt(32)));
            case BITMAP -> {
                TreeSet<Integer> types = new TreeSet<>();
                for (int i = 0, n = random.nextInt(7); i < n; i++) {
                    types.add(random.nextBoolean() ? random.nextInt(300) : random.nextInt(0x10000));
                }
                out.writeBytes(TypeBitmap.of(types));
            }
            case GATEWAY -> {
                byte[] sofar = out.toByteArray();
                switch (sofar[sofar.length - 2]) {
                    case 0 -> {
                    }
                    case 1 -> out.writeBytes(octets(random, 4));
                    case 2 -> out.writeBytes(octets(random, 16));
                    default -> out.writeBytes(name(random));
                }
            }
            case LOC -> loc(out, random);
            case APL -> {
                for (int i = 0, n = random.nextInt(4); i < n; i++) {
                    aplItem(out, random);
                }
            }
            case SERVICE_PARAMETERS -> serviceParameters(out, random);
        }
    }

    private static byte[] octets(Random random, int length) {
        byte[] octets = new byte[length];
        random.nextBytes(octets);
        return octets;
    }

    private static byte[] letters(Random random, int length, String alphabet) {
        byte[] octets = new byte[length];
        for (int i = 0; i < length; i++) {
            octets[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return octets;
    }

    /** A name of up to four labels, now and then with octets that need escaping. */
    private static byte[] name(Random random) {
        List<byte[]> labels = new ArrayList<>();
        for (int i = 0, n = random.nextInt(5); i < n; i++) {
            int length = 1 + random.nextInt(random.nextInt(8) == 0 ? 63 : 10);
            labels.add(random.nextInt(6) == 0 ? octets(random, length)
                    : letters(random, length, "abcxyzABCXYZ0189-_.\\\" "));
        }
        return Name.fromLabels(labels).wire();
    }

    private static void prefixed(ByteArrayOutputStream out, byte[] octets) {
        out.write(octets.length);
        out.writeBytes(octets);
    }

    private static void loc(ByteArrayOutputStream out, Random random) {
        out.write(0);
        for (int i = 0; i < 3; i++) {
            int mantissa = random.nextInt(10);
            out.write(mantissa << 4 | (mantissa == 0 ? 0 : random.nextInt(10))); // zero is written 0x00 only
        }
        long equator = 1L << 31;
        FieldKind.put32(out, equator - 324_000_000L + (long) (random.nextDouble() * 648_000_000L));
        FieldKind.put32(out, equator - 648_000_000L + (long) (random.nextDouble() * 1_296_000_000L));
        FieldKind.put32(out, random.nextLong() & 0xffffffffL);
    }

    private static void aplItem(ByteArrayOutputStream out, Random random) {
        int family = 1 + random.nextInt(2);
        int size = family == 1 ? 4 : 16;
        byte[] part = octets(random, random.nextInt(size + 1));
        int length = part.length;
        while (length > 0 && part[length - 1] == 0) {
            length--; // as a sender writes it: trailing zero octets left out
        }
        FieldKind.put16(out, family);
        out.write(random.nextInt(size * 8 + 1));
        out.write((random.nextBoolean() ? 0x80 : 0) | length);
        out.write(part, 0, length);
    }

    private static void serviceParameters(ByteArrayOutputStream out, Random random) {
        if (random.nextInt(4) == 0) {
            return; // alias form: no parameters
        }
        ByteArrayOutputStream alpn = new ByteArrayOutputStream();
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            prefixed(alpn, letters(random, 1 + random.nextInt(6), "abh23-,\\\""));
        }
        parameter(out, 0, new byte[] {0, 1}); // mandatory=alpn
        parameter(out, 1, alpn.toByteArray());
        if (random.nextBoolean()) {
            parameter(out, 2, new byte[0]);
        }
        parameter(out, 3, octets(random, 2));
        parameter(out, 4, octets(random, 4 * (1 + random.nextInt(2))));
        parameter(out, 5, octets(random, random.nextInt(12)));
        parameter(out, 6, octets(random, 16));
        if (random.nextBoolean()) {
            parameter(out, 65000, octets(random, random.nextInt(10)));
        }
    }

    private static void parameter(ByteArrayOutputStream out, int key, byte[] value) {
        FieldKind.put16(out, key);
        FieldKind.put16(out, value.length);
        out.writeBytes(value);
    }
}
