package dev.chivato.protocol;

/**
 * What must hold for any bytes at all, shared by the jqwik properties and the Jazzer fuzz target: decoding either
 * gives a message or throws {@link WireFormatException} (anything else escapes and fails the caller); the
 * reference decoder gives the same message or the same failure; a decoded message encodes and decodes back to itself,
 * and the reference encoder writes the same octets; the explainer never fails and, when the message decodes, its
 * annotations tile the bytes.
 */
public final class DecoderChecks {
    private DecoderChecks() {
    }

    public static void check(byte[] input) {
        Message message;
        try {
            message = Message.decode(input);
        } catch (WireFormatException e) {
            if (e.offset() < 0 || e.offset() > input.length) {
                throw new AssertionError("offset " + e.offset() + " outside a message of " + input.length);
            }
            try {
                ReferenceReader.decode(input);
                throw new AssertionError("only the reference decoder decodes " + Hex.format(input));
            } catch (WireFormatException reference) {
                if (reference.offset() != e.offset() || !reference.reason().equals(e.reason())) {
                    throw new AssertionError("fast: " + e.getMessage() + ", reference: " + reference.getMessage()
                            + " for " + Hex.format(input));
                }
            }
            Explainer.explain(input);
            return;
        }
        try {
            if (!ReferenceReader.decode(input).equals(message)) {
                throw new AssertionError("the decoders differ on " + Hex.format(input));
            }
        } catch (WireFormatException e) {
            throw new AssertionError("only the fast decoder decodes " + Hex.format(input) + ": " + e.getMessage());
        }
        if (!java.util.Arrays.equals(message.toWire(), ReferenceWriter.encode(message, Message.MAX_LENGTH, true))) {
            throw new AssertionError("the encoders differ on " + Hex.format(input));
        }
        Message again;
        try {
            again = Message.decode(message.toWire());
        } catch (WireFormatException e) {
            throw new AssertionError("a decoded message did not survive encoding: " + e, e);
        }
        if (!again.equals(message)) {
            throw new AssertionError("decode(encode(m)) != m for " + Hex.format(input));
        }
        int next = 0;
        for (Explainer.Annotation annotation : Explainer.explain(input).annotations()) {
            if (annotation.offset() != next) {
                throw new AssertionError("annotations do not tile at " + next + ": " + annotation);
            }
            next += annotation.length();
        }
        if (next != input.length) {
            throw new AssertionError("annotations cover " + next + " of " + input.length + " octets");
        }
    }
}
