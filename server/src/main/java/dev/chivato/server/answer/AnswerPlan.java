package dev.chivato.server.answer;

import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.data.AnswerSource;
import java.util.List;

/**
 * What the lookup decided for one question, before anything is encoded: the response code, whether the answer is
 * authoritative, the records of each section, and where the answer's records came from (for the log).
 */
public record AnswerPlan(Rcode rcode, boolean authoritative, List<ResourceRecord> answer,
                         List<ResourceRecord> authority, List<ResourceRecord> additional, AnswerSource source) {
    public AnswerPlan {
        answer = List.copyOf(answer);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
    }

    /** Not ours: the question goes upstream. */
    static final AnswerPlan FORWARD = new AnswerPlan(Rcode.NOERROR, false, List.of(), List.of(), List.of(),
            AnswerSource.FORWARDED);

    /** Whether the plan is to forward: only that decision has the upstream as its source before anything was asked. */
    boolean forwarded() {
        return source == AnswerSource.FORWARDED;
    }

    /** A refusal: no data for that name here. */
    static AnswerPlan refused() {
        return new AnswerPlan(Rcode.REFUSED, false, List.of(), List.of(), List.of(), AnswerSource.NONE);
    }
}
