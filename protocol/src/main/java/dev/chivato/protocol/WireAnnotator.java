package dev.chivato.protocol;

/**
 * Told by the decoder what each run of bytes means, as it reads them: the basis of {@link Explainer}. The runs it
 * is given never overlap and, for a message that decodes, cover every byte once.
 *
 * <p>How to read this file: two calls, {@code field} for a run of octets and {@code section} for a heading; {@link
 * ReferenceReader} makes them as it reads.
 */
public interface WireAnnotator {
    /** Bytes {@code [offset, offset + length)} are the field that {@code meaning} describes. */
    void field(int offset, int length, String meaning);

    /** A new part of the message starts (HEADER, QUESTION SECTION, ...). */
    default void section(String title) {
    }
}
