package dev.chivato.protocol;

/**
 * An entry of the question section: QNAME, QTYPE, QCLASS (RFC 1035 section 4.1.2).
 *
 * <p>How to read this file: three values, printed as dig prints a question.
 */
public record Question(Name name, RRType type, RRClass qclass) {
    public Question {
        if (name == null || type == null || qclass == null) {
            throw new NullPointerException("question needs a name, type and class");
        }
    }

    public static Question of(String name, RRType type) {
        return new Question(Name.parse(name), type, RRClass.IN);
    }

    /** The line dig prints in its QUESTION SECTION. */
    @Override
    public String toString() {
        PresentationText text = new PresentationText(48);
        writeTo(text);
        return text.toString();
    }

    void writeTo(PresentationText text) {
        text.character(';').name(name).text("\t\t\t").text(qclass.toString()).character('\t').text(type.toString());
    }
}
