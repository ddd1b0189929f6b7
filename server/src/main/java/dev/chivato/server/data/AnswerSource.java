package dev.chivato.server.data;

/** Where the records of an answer came from, for the query log. */
public enum AnswerSource {
    /** A and AAAA records from the records files (or the default list). */
    RECORDS("records"),
    /** PTR records made from the A and AAAA records. */
    SYNTHESIZED_PTR("synthesized-ptr"),
    /** Records from a zone file. */
    ZONE("zone"),
    /** The answer of an upstream server, for a name we do not hold ({@code --forward}). */
    FORWARDED("forwarded"),
    /** An upstream's answer kept in the forwarding cache. */
    CACHE("cache"),
    /** No records: an error, NXDOMAIN, NODATA or the snitch's answer. */
    NONE("none");

    private final String label;

    AnswerSource(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
