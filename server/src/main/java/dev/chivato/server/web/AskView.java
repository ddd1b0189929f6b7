package dev.chivato.server.web;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.server.log.LogFormat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Ask view: a query made from the page's form (name, type, server, TCP, EDNS size, DO, CD), sent to this chivato
 * or a server the operator allowed with {@code --web-ask} (no other: the page is not an open relay), and answered with
 * what dig would print and the bytes of each message.
 */
final class AskView {
    /** What the page is sent back: the HTTP status and the JSON. */
    record Reply(int status, String json) {
    }

    private final Asker asker;
    private final InetSocketAddress self;
    private final List<InetSocketAddress> askable;
    private final SecureRandom ids = new SecureRandom();

    AskView(Asker asker, InetSocketAddress self, List<InetSocketAddress> askable) {
        this.asker = asker;
        this.self = self;
        this.askable = List.copyOf(askable);
    }

    /** The query the form describes, sent; the answer as dig prints it, and the bytes of every message. */
    Reply ask(Map<String, String> form) {
        Message query;
        InetSocketAddress server;
        try {
            server = askTarget(form.getOrDefault("server", ""));
            query = query(form);
        } catch (IllegalArgumentException e) {
            return new Reply(400, new Json().string("problem", e.getMessage()).toString());
        }
        List<Asker.Asked> asked;
        try {
            asked = asker.ask(query, server, "true".equals(form.get("tcp")));
        } catch (IOException e) {
            return new Reply(200, new Json().string("problem", e.getMessage()).toString());
        }
        List<String> exchanges = new ArrayList<>();
        for (Asker.Asked each : asked) {
            exchanges.add(new Json().string("transport", each.transport()).number("millis", each.millis())
                    .raw("query", MessageView.json(each.query())).raw("answer", MessageView.json(each.answer()))
                    .toString());
        }
        Asker.Asked last = asked.get(asked.size() - 1);
        String text = ";; Got answer:\n" + last.response() + "\n;; Query time: " + last.millis() + " msec\n"
                + ";; SERVER: " + server.getAddress().getHostAddress() + "#" + server.getPort() + " ("
                + last.transport() + ")\n;; MSG SIZE  rcvd: " + last.answer().length + "\n";
        return new Reply(200, new Json().string("text", text).raw("exchanges", Json.array(exchanges)).toString());
    }

    /** This chivato, or one of the servers the operator allowed with {@code --web-ask}. */
    InetSocketAddress askTarget(String text) {
        if (text.isBlank() || text.equals(LogFormat.address(self))) {
            return self;
        }
        for (InetSocketAddress allowed : askable) {
            if (LogFormat.address(allowed).equals(text.strip())) {
                return allowed;
            }
        }
        throw new IllegalArgumentException("server " + text + " is not one this page may ask: this chivato ("
                + LogFormat.address(self) + ")" + (askable.isEmpty() ? "; the operator allows others with --web-ask"
                : " or " + askable.stream().map(LogFormat::address).toList()));
    }

    Message query(Map<String, String> form) {
        Name name = Name.parse(form.getOrDefault("name", "").strip());
        RRType type = RRType.parse(form.getOrDefault("type", "A").strip());
        int size = Integer.parseInt(form.getOrDefault("bufsize", "1232").strip());
        if (size != 0 && (size < 512 || size > 65535)) {
            throw new IllegalArgumentException("EDNS size: 0 (no EDNS) or 512 to 65535, not " + size);
        }
        boolean dnssec = "true".equals(form.get("dnssec"));
        Optional<Edns> edns = size == 0 ? Optional.empty() : Optional.of(Edns.of(size, dnssec));
        Message query = Message.query(ids.nextInt(0x10000), true, new Question(name, type, RRClass.IN), edns);
        if ("true".equals(form.get("cd"))) {
            Header h = query.header();
            query = query.withHeader(new Header(h.id(), h.qr(), h.opcode(), h.aa(), h.tc(), h.rd(), h.ra(), h.z(),
                    h.ad(), true, h.rcode()));
        }
        return query;
    }
}
