package dev.chivato.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An annotated, byte-by-byte reading of one DNS message: each field with its offset, its bytes and what it means,
 * as the decoder reads it. A message that does not decode is explained up to the byte where it goes wrong.
 *
 * <p>How to read this file: the reference decoder ({@link ReferenceReader}) does the reading; this class gives it
 * a {@link WireAnnotator} that writes down each field it meets, then renders them as {@code offset  bytes  meaning}.
 */
public final class Explainer {
    /** Bytes per line in the rendering; longer fields continue on the next lines. */
    private static final int BYTES_PER_LINE = 8;

    /** A run of bytes and what it means. */
    public record Annotation(int offset, int length, String meaning) {
    }

    /** A part heading, placed before the annotations that follow it. */
    public record Heading(String title) {
    }

    /**
     * The reading of one message.
     *
     * @param parts    {@link Heading}s and {@link Annotation}s in the order the decoder met them
     * @param decoded  the message, when it decoded
     * @param failure  why it did not, when it did not
     */
    public record Explanation(byte[] wire, List<Object> parts, Optional<Message> decoded,
                              Optional<WireFormatException> failure) {
        public List<Annotation> annotations() {
            return parts.stream().filter(Annotation.class::isInstance).map(Annotation.class::cast).toList();
        }
    }

    private Explainer() {
    }

    public static Explanation explain(byte[] wire) {
        List<Object> parts = new ArrayList<>();
        WireAnnotator annotator = new WireAnnotator() {
            @Override
            public void field(int offset, int length, String meaning) {
                parts.add(new Annotation(offset, length, meaning));
            }

            @Override
            public void section(String title) {
                parts.add(new Heading(title));
            }
        };
        try {
            Message message = ReferenceReader.decode(wire, annotator);
            return new Explanation(wire, parts, Optional.of(message), Optional.empty());
        } catch (WireFormatException e) {
            return new Explanation(wire, parts, Optional.empty(), Optional.of(e));
        }
    }

    /** The explanation as text: {@code offset  bytes  meaning}, one field per line, headings between parts. */
    public static String render(Explanation explanation) {
        StringBuilder text = new StringBuilder();
        byte[] wire = explanation.wire();
        text.append(";; ").append(wire.length).append(" octets; offsets in decimal, bytes in hex\n");
        int covered = 0;
        for (Object part : explanation.parts()) {
            if (part instanceof Heading heading) {
                text.append("\n;; ").append(heading.title()).append('\n');
            } else {
                Annotation annotation = (Annotation) part;
                appendField(text, wire, annotation.offset(), annotation.length(), annotation.meaning());
                covered = Math.max(covered, annotation.offset() + annotation.length());
            }
        }
        explanation.failure().ifPresent(failure -> {
            text.append("\n!! offset ").append(failure.offset()).append(": ").append(failure.reason())
                    .append('\n');
        });
        if (explanation.failure().isPresent() && covered < wire.length) {
            appendField(text, wire, covered, wire.length - covered, "not read: the message is malformed above");
        }
        return text.toString();
    }

    private static void appendField(StringBuilder text, byte[] wire, int offset, int length, String meaning) {
        String[] meaningLines = meaning.split("\n");
        int lines = Math.max(meaningLines.length, (length + BYTES_PER_LINE - 1) / BYTES_PER_LINE);
        for (int line = 0; line < lines; line++) {
            int from = offset + line * BYTES_PER_LINE;
            int to = Math.min(offset + length, from + BYTES_PER_LINE);
            StringBuilder bytes = new StringBuilder();
            for (int i = from; i < to; i++) {
                bytes.append(String.format("%02x ", wire[i] & 0xff));
            }
            String offsetText = from < to ? String.format("%5d", from) : "     ";
            text.append(offsetText).append("  ").append(String.format("%-" + (3 * BYTES_PER_LINE) + "s", bytes))
                    .append(' ').append(line < meaningLines.length ? meaningLines[line] : "").append('\n');
        }
    }

    /** The flags word bit by bit, for the header's second field. */
    static String describeFlags(Header header) {
        int flags = header.flagsWord();
        String bits = String.format("%16s", Integer.toBinaryString(flags)).replace(' ', '0');
        return "flags 0x" + String.format("%04x", flags) + " = " + bits.charAt(0) + " " + bits.substring(1, 5) + " "
                + bits.charAt(5) + " " + bits.charAt(6) + " " + bits.charAt(7) + " " + bits.charAt(8) + " "
                + bits.charAt(9) + " " + bits.charAt(10) + " " + bits.charAt(11) + " " + bits.substring(12) + "\n"
                + "  QR " + bit(header.qr()) + (header.qr() ? ": a response" : ": a query") + "\n"
                + "  OPCODE " + header.opcode().value() + ": " + header.opcode() + "\n"
                + "  AA " + bit(header.aa()) + (header.aa() ? " (authoritative answer)" : "")
                + ", TC " + bit(header.tc()) + (header.tc() ? " (truncated: ask again over TCP)" : "")
                + ", RD " + bit(header.rd()) + (header.rd() ? " (recursion desired)" : "")
                + ", RA " + bit(header.ra()) + (header.ra() ? " (recursion available)" : "") + "\n"
                + "  Z " + bit(header.z()) + ", AD " + bit(header.ad()) + (header.ad() ? " (authentic data)" : "")
                + ", CD " + bit(header.cd()) + (header.cd() ? " (checking disabled)" : "") + "\n"
                + "  RCODE " + header.rcode().value() + ": " + header.rcode()
                + " (the low 4 bits; EDNS may add more)";
    }

    private static int bit(boolean set) {
        return set ? 1 : 0;
    }

    /** The TTL field of an OPT record, which is not a TTL (RFC 6891 section 6.1.3). */
    static String describeOptTtl(long ttl) {
        return "TTL of OPT = extended RCODE " + (ttl >>> 24) + " (upper 8 bits of the rcode), VERSION "
                + (ttl >>> 16 & 0xff) + ", DO " + ((ttl & 0x8000) != 0 ? "1 (DNSSEC OK)" : "0") + ", Z 0x"
                + String.format("%04x", ttl & 0x7fff);
    }

    /** A compression pointer that ended a name after {@code labelsBefore} labels of its own. */
    static String describePointer(int target, Name name, int labelsBefore) {
        if (labelsBefore == 0) {
            return "compression pointer to offset " + target + ": the name written there, " + name;
        }
        Name rest = name;
        for (int i = 0; i < labelsBefore; i++) {
            rest = rest.parent();
        }
        return "compression pointer to offset " + target + " for the rest, " + rest + " (the name: " + name + ")";
    }

    /** One label as presentation text, quoted. */
    static String labelText(byte[] wire, int from, int length) {
        byte[] label = new byte[length];
        System.arraycopy(wire, from, label, 0, length);
        String name = Name.fromLabels(List.of(label)).toString();
        return "\"" + name.substring(0, name.length() - 1) + "\"";
    }

    /**
     * Reads a message given as raw bytes or as hex text (any white space between the digits). Input made only of hex
     * digits and white space is taken as hex.
     */
    public static byte[] readInput(byte[] input) {
        boolean hexText = input.length > 0;
        boolean anyDigit = false;
        for (byte b : input) {
            boolean hexDigit = b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F';
            anyDigit |= hexDigit;
            if (!hexDigit && b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                hexText = false;
                break;
            }
        }
        return hexText && anyDigit ? Hex.parse(new String(input, java.nio.charset.StandardCharsets.US_ASCII))
                : input;
    }
}
