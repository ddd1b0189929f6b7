package dev.chivato.protocol;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * One row of {@link TypeTable}: a record type's number and mnemonic, its RDATA's fields in order, and the two facts
 * about it that are not in its fields: whether it is defined for class IN only (RFC 3597 section 4: in any other
 * class it is an unknown type), and whether its names are lower-cased in DNSSEC's canonical form (RFC 4034 section
 * 6.2, less NSEC as RFC 6840 section 5.1 says).
 *
 * <p>Invariant: a field that takes the rest of the RDATA is the last one.
 *
 * <p>How to read this file: a row is a list of {@link Field}s; {@code check}, {@code print} and {@code parse} walk
 * it in order, each field's work done by its {@link FieldKind}.
 */
public record TypeDescriptor(int number, String mnemonic, boolean classInOnly, boolean lowercaseInCanonicalForm,
                             List<Field> fields) {
    /** A field: what RFC calls it, and its kind. */
    public record Field(String name, FieldKind kind) {
    }

    public TypeDescriptor {
        fields = List.copyOf(fields);
        for (int i = 0; i < fields.size() - 1; i++) {
            if (fields.get(i).kind().takesTheRest()) {
                throw new IllegalArgumentException(mnemonic + ": " + fields.get(i).name() + " takes the rest, so it"
                        + " must be the last field");
            }
        }
    }

    /** Whether RDATA of this type in {@code rrClass} is described by this row (else it is an unknown type there). */
    boolean describes(RRClass rrClass) {
        return !classInOnly || rrClass.value() == 1;
    }

    /**
     * Checks {@code wire[at..end)} as this type's uncompressed RDATA, field by field.
     *
     * @throws WireFormatException whose offset is in {@code wire}'s terms
     */
    void check(byte[] wire, int at, int end) throws WireFormatException {
        for (Field field : fields) {
            at = field.kind().end(wire, at, end);
        }
        if (at != end) {
            throw new WireFormatException(at, (end - at) + " octets after the last field of " + mnemonic);
        }
    }

    /** The presentation form of this type's checked RDATA {@code wire[0..length)}, as dig prints it. */
    String print(byte[] wire) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (Field field : fields) {
            int to = endOfChecked(field, wire, at);
            int before = out.length();
            String separator = before > 0 ? " " : "";
            out.append(separator);
            field.kind().print(wire, at, to, out);
            if (out.length() == before + separator.length()) {
                out.setLength(before); // an empty field (a bitmap of no types, a key of no octets) adds nothing
            }
            at = to;
        }
        return out.toString();
    }

    private static int endOfChecked(Field field, byte[] wire, int at) {
        try {
            return field.kind().end(wire, at, wire.length);
        } catch (WireFormatException e) {
            throw new IllegalStateException("RDATA that was checked no longer is: " + e.getMessage(), e);
        }
    }

    /** This type's RDATA read from its presentation form: its octets, names uncompressed. */
    byte[] parse(TextFields in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Field field : fields) {
            field.kind().parse(in, field.name(), out);
        }
        in.end();
        if (out.size() > 0xffff) {
            throw in.problem("RDATA of " + out.size() + " octets; 65535 at most");
        }
        return out.toByteArray();
    }

    /** Each field of checked RDATA: where it starts and ends, for the explainer and the canonical form. */
    void forEachField(byte[] wire, FieldVisitor visitor) {
        int at = 0;
        for (Field field : fields) {
            int to = endOfChecked(field, wire, at);
            visitor.field(field, at, to);
            at = to;
        }
    }

    /** What {@link #forEachField} calls. */
    interface FieldVisitor {
        void field(Field field, int from, int to);
    }
}
