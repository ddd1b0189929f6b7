package dev.chivato.protocol;

/**
 * What must hold for any bytes at all, shared by the jqwik properties and the Jazzer fuzz target: decoding either
 * gives a message or throws {@link WireFormatException} (anything else escapes and fails the caller); a decoded
 * message encodes and decodes back to itself; the explainer never fails and, when the message decodes, its
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
            Explainer.explain(input);
            return;
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
