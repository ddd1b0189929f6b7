package dev.chivato.protocol;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * A whole DNS message. The OPT pseudo-record is not part of {@link #additional()}: it is {@link #edns()}, and the
 * encoder puts it back as the last additional record. A section may hold more records than a message can carry (an
 * answer being built from a large RRset): the encoder writes what fits, whole RRsets only, and counts what it wrote.
 *
 * <p>How to read this file: a message is a header and four lists; {@link #decode} and {@link #toWire} hand the
 * octets to {@link WireReader} and {@link WireWriter}, where the format lives.
 */
public record Message(Header header, List<Question> questions, List<ResourceRecord> answers,
                      List<ResourceRecord> authority, List<ResourceRecord> additional, Optional<Edns> edns) {
    /** The most a message can be: the TCP length prefix is 16 bits. */
    public static final int MAX_LENGTH = 0xffff;

    public Message {
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
        if (questions.size() > 0xffff) {
            throw new IllegalArgumentException("a message holds at most 65535 questions");
        }
        refuseOpt(answers);
        refuseOpt(authority);
        refuseOpt(additional);
    }

    private static void refuseOpt(List<ResourceRecord> section) {
        for (int i = 0; i < section.size(); i++) { // indexed: no iterator for every section of every message
            if (section.get(i).data() instanceof RData.Opt) { // OPT has no other form: no call to type() per record
                throw new IllegalArgumentException("OPT belongs in edns(), not in a section");
            }
        }
    }

    /** A query for one question, with the given EDNS or none. */
    public static Message query(int id, boolean recursionDesired, Question question, Optional<Edns> edns) {
        return new Message(Header.query(id, recursionDesired), List.of(question), List.of(), List.of(), List.of(),
                edns);
    }

    /** Counts decodes from now on, for {@link #decodes()}: off until a test asks. */
    public static void countDecodes() {
        WireReader.countingDecodes = true;
    }

    /** Messages decoded since {@link #countDecodes()}: a test counts the decodes a query costs. */
    public static long decodes() {
        return WireReader.DECODES.sum();
    }

    /** Decodes one whole message: the buffer's remaining bytes, no more and no less. */
    public static Message decode(ByteBuffer wire) throws WireFormatException {
        return WireReader.decodeMessage(wire);
    }

    /** Decodes only the 12-octet header, for answering a message whose body does not decode. */
    public static Header decodeHeader(ByteBuffer wire) throws WireFormatException {
        return WireReader.decodeHeader(wire);
    }

    public static Message decode(byte[] wire) throws WireFormatException {
        return decode(ByteBuffer.wrap(wire));
    }

    /**
     * Encodes into {@code out} from its position, compressing names, using at most {@code maxLength} octets. When
     * the answer or authority section does not fit, whole RRsets are dropped from the first one that does not fit
     * on, TC is set, and the OPT record is kept. Records that do not fit in the additional section are left out
     * without TC (RFC 2181 section 9). Returns the number of octets written; {@code out}'s position moves past them.
     */
    public int encode(ByteBuffer out, int maxLength) {
        return WireWriter.encode(this, out, maxLength, true);
    }

    /** The whole message on the wire, compressed, with nothing truncated. */
    public byte[] toWire() {
        return toWire(true);
    }

    /** The whole message on the wire, with or without name compression. */
    public byte[] toWire(boolean compress) {
        // A reused scratch buffer: a fresh 64 KiB one per message would cost more to zero than to encode into.
        ByteBuffer out = SCRATCH.get().clear();
        int length = WireWriter.encode(this, out, MAX_LENGTH, compress);
        return java.util.Arrays.copyOf(out.array(), length);
    }

    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocate(MAX_LENGTH));

    /** The full 12-bit response code: the header's four bits with EDNS's upper eight. */
    public Rcode rcode() {
        return Rcode.of(header.rcode().value(), edns.isPresent() ? edns.get().extendedRcode() : 0);
    }

    /** This message with the given response code, split between the header and EDNS as RFC 6891 says. */
    public Message withRcode(Rcode rcode) {
        if (rcode.extendedBits() != 0 && edns.isEmpty()) {
            throw new IllegalArgumentException(rcode + " needs EDNS to be sent");
        }
        return new Message(header.withRcode(Rcode.of(rcode.headerBits())), questions, answers, authority,
                additional, edns.map(e -> e.withExtendedRcode(rcode.extendedBits())));
    }

    public Message withHeader(Header newHeader) {
        return new Message(newHeader, questions, answers, authority, additional, edns);
    }

    /** The first question, which is the only one in any query this server answers. */
    public Optional<Question> question() {
        return questions.isEmpty() ? Optional.empty() : Optional.of(questions.get(0));
    }

    /** The message as dig prints it, from the HEADER line to the last section. */
    @Override
    public String toString() {
        PresentationText text = new PresentationText(
                256 + 64 * (questions.size() + answers.size() + authority.size() + additional.size()));
        text.text(";; ->>HEADER<<- opcode: ").text(header.opcode().toString()).text(", status: ")
                .text(rcode().toString()).text(", id: ").number(header.id()).character('\n');
        text.text(";; flags: ");
        header.writeFlags(text);
        text.text("; QUERY: ").number(questions.size()).text(", ANSWER: ").number(answers.size())
                .text(", AUTHORITY: ").number(authority.size()).text(", ADDITIONAL: ")
                .number(additional.size() + (edns.isPresent() ? 1 : 0)).character('\n');
        if (edns.isPresent()) {
            text.character('\n');
            edns.get().writeTo(text);
        }
        if (!questions.isEmpty()) {
            text.text("\n;; QUESTION SECTION:\n");
            for (int i = 0; i < questions.size(); i++) {
                questions.get(i).writeTo(text);
                text.character('\n');
            }
        }
        writeSection(text, "ANSWER", answers);
        writeSection(text, "AUTHORITY", authority);
        writeSection(text, "ADDITIONAL", additional);
        return text.toString();
    }

    private static void writeSection(PresentationText text, String title, List<ResourceRecord> records) {
        if (!records.isEmpty()) {
            text.text("\n;; ").text(title).text(" SECTION:\n");
            for (int i = 0; i < records.size(); i++) {
                records.get(i).writeTo(text);
                text.character('\n');
            }
        }
    }
}
