package dev.chivato.server.forward;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.QueryView;
import java.nio.ByteBuffer;

/**
 * What makes two client queries the same upstream question, and the same answer to keep: the question (its name
 * without regard to case, as {@link Name#equals} compares), RD, CD and DO. Queries that differ in these are asked and
 * kept apart: an answer fetched with CD set may hold data a validating upstream refuses to clients without it.
 */
public record ForwardKey(Name name, int type, int qclass, boolean rd, boolean cd, boolean dnssecOk) {
    /** The key of the query in {@code query} (position to limit), whose view is {@code view}. */
    public static ForwardKey of(ByteBuffer query, QueryView view) {
        return new ForwardKey(view.name(query), view.qtype(), view.qclass(), view.rd(), view.cd(), view.dnssecOk());
    }
}
