package dev.chivato.server.web;

import dev.chivato.protocol.Message;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/** How the Ask view sends a query: the command line's own client ({@code chivato query}), given by the server. */
public interface Asker {
    /** One query and its answer, as sent and received. */
    record Asked(String transport, byte[] query, byte[] answer, Message response, long millis) {
    }

    /** Every exchange made for {@code query}: one over UDP, and one over TCP after a truncation. */
    List<Asked> ask(Message query, InetSocketAddress server, boolean tcp) throws IOException;
}
