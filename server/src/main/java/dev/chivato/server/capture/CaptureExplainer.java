package dev.chivato.server.capture;

import dev.chivato.protocol.Explainer;
import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.WireFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code chivato explain CAPTURE}: every DNS message in a pcap or pcapng file, UDP and TCP, to or from the port
 * asked. In full, each message's frame, time, addresses, ports and transport, then the byte view {@code explain}
 * gives one message; in brief, one line per message in dig's terms, each response paired with its query (the
 * round trip), and the queries never answered listed at the end.
 */
public final class CaptureExplainer {
    /** Queries waiting for their response, at most; past it the oldest is counted as unanswered. */
    static final int MAX_WAITING = 100_000;

    private final PrintStream out;
    private final boolean brief;
    /** The DNS port asked ({@code --port}), or 0 to find DNS on any port by what the packets hold. */
    private final int port;
    /** With no port asked: the ports DNS was found on (53 and 10053 to begin with), at most {@link #MAX_PORTS}. */
    private final java.util.Set<Integer> ports = new java.util.TreeSet<>();
    /** Ports found by their content, to say at the end. */
    private final java.util.Set<Integer> found = new java.util.TreeSet<>();
    static final int MAX_PORTS = 64;
    private final TcpStreams streams = new TcpStreams();
    /** Queries not yet answered, by client, server and ID, in the order they came. */
    private final Map<String, Waiting> waiting = new LinkedHashMap<>();
    private final int maxWaiting;
    /** Queries dropped from {@link #waiting} to keep it bounded: said at the end, not lost in silence. */
    private long forgotten;
    private long messages;

    private record Waiting(long frame, long timeNanos, String line) {
    }

    /** Whether these first octets are a pcap or pcapng magic number. */
    public static boolean isCapture(byte[] first) {
        if (first.length < 4) {
            return false;
        }
        int big = java.nio.ByteBuffer.wrap(first).getInt();
        int little = Integer.reverseBytes(big);
        return big == 0x0a0d0d0a || big == 0xa1b2c3d4 || big == 0xa1b23c4d || little == 0xa1b2c3d4
                || little == 0xa1b23c4d;
    }

    /** Explains DNS on {@code port}, or with 0 on any port where the packets hold DNS (53 and 10053 first). */
    public CaptureExplainer(PrintStream out, boolean brief, int port) {
        this(out, brief, port, MAX_WAITING);
    }

    CaptureExplainer(PrintStream out, boolean brief, int port, int maxWaiting) {
        this.maxWaiting = maxWaiting;
        this.out = out;
        this.brief = brief;
        this.port = port;
        if (port == 0) {
            ports.add(53);
            ports.add(10053);
        }
    }

    /**
     * Whether the segment is DNS to explain: to or from the port asked; with none asked, to or from a port DNS was
     * found on, or one whose payload is a DNS message (a UDP datagram, or a TCP segment that begins with a framed
     * one), which then joins them: the server's port (a query's destination, a response's source).
     */
    private boolean isDns(Datagrams.Segment segment) {
        if (port != 0) {
            return segment.sourcePort() == port || segment.destinationPort() == port;
        }
        if (ports.contains(segment.sourcePort()) || ports.contains(segment.destinationPort())) {
            return true;
        }
        byte[] payload = segment.payload();
        int from = segment.tcp() ? 2 : 0;
        if (ports.size() >= MAX_PORTS || payload.length < from + 12
                || segment.tcp() && ((payload[0] & 0xff) << 8 | payload[1] & 0xff) != payload.length - 2) {
            return false;
        }
        try {
            Message message = Message.decode(java.nio.ByteBuffer.wrap(payload, from, payload.length - from).slice());
            int server = message.header().qr() ? segment.sourcePort() : segment.destinationPort();
            ports.add(server);
            found.add(server);
            return true;
        } catch (WireFormatException notDns) {
            return false;
        }
    }

    /**
     * Explains the capture; returns 0 when it was read to its end, 1 when it was damaged (said in a last line).
     *
     * @throws CaptureReader.NotACaptureException when the input is no capture at all
     */
    public int explain(InputStream in) throws IOException, CaptureReader.NotACaptureException {
        CaptureReader reader = CaptureReader.open(in);
        for (CaptureReader.Packet packet; (packet = reader.next()) != null; ) {
            Datagrams.Segment segment = Datagrams.of(packet);
            if (!segment.readable() && segment.note().contains("fragment")) {
                out.println(";; frame " + packet.frame() + ": " + segment.note()); // it may hold DNS: said
                continue;
            }
            if (!segment.readable() || !isDns(segment)) {
                continue; // not DNS (or not IP, UDP or TCP): passed over in silence
            }
            List<byte[]> found = segment.tcp() ? streams.accept(segment) : List.of(segment.payload());
            long frame = packet.frame();
            streams.takeNotes().forEach(note -> out.println(";; frame " + frame + ": " + note));
            for (byte[] wire : found) {
                message(packet, segment, wire);
            }
        }
        if (brief && !waiting.isEmpty()) {
            out.println();
            out.println(";; " + waiting.size() + " queries without a response:");
            waiting.values().forEach(w -> out.println(w.line()));
        }
        if (forgotten > 0) {
            out.println(";; " + forgotten + " older queries were no longer waited for (more than " + maxWaiting
                    + " waited at once); a response to one of them shows as \"no query seen\"");
        }
        out.println(";; " + messages + " DNS messages in " + reader.frames() + " frames" + portsSaid());
        if (reader.damage() != null) {
            out.println(";; the capture is " + reader.damage() + "; what came before it is explained above");
            return 1;
        }
        return 0;
    }

    /** Which ports were taken as DNS, when none was asked. */
    private String portsSaid() {
        if (port != 0) {
            return ", port " + port;
        }
        return ", on port " + ports.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                + (found.isEmpty() ? "" : " (" + found.stream().map(String::valueOf).collect(
                java.util.stream.Collectors.joining(", ")) + " found by what the packets hold)")
                + "; --port N reads one port only";
    }

    private void message(CaptureReader.Packet packet, Datagrams.Segment segment, byte[] wire) {
        messages++;
        String from = endpoint(segment.source(), segment.sourcePort());
        String to = endpoint(segment.destination(), segment.destinationPort());
        String transport = segment.tcp() ? "tcp" : "udp";
        String where = "frame " + packet.frame() + "  " + time(packet.timeNanos()) + "  " + from + " -> " + to + "  "
                + transport;
        if (!brief) {
            out.println(";; " + where + "  " + wire.length + " octets");
            out.print(Explainer.render(Explainer.explain(wire)));
            out.println();
            return;
        }
        String line = where + "  " + summary(wire);
        if (wire.length < Header.LENGTH) {
            out.println(line);
            return;
        }
        int id = (wire[0] & 0xff) << 8 | wire[1] & 0xff;
        boolean response = (wire[2] & 0x80) != 0;
        String client = response ? to : from;
        String server = response ? from : to;
        String key = transport + " " + client + " " + server + " " + id;
        if (!response) {
            if (waiting.size() >= maxWaiting) {
                waiting.remove(waiting.keySet().iterator().next());
                forgotten++;
            }
            waiting.put(key, new Waiting(packet.frame(), packet.timeNanos(), line));
            out.println(line);
            return;
        }
        Waiting query = waiting.remove(key);
        out.println(query == null ? line + "  (no query seen)" : line + String.format(Locale.ROOT,
                "  rtt=%.3f ms (query in frame %d)", (packet.timeNanos() - query.timeNanos()) / 1e6, query.frame()));
    }

    private static final String[] FLAG_NAMES = {"qr", "aa", "tc", "rd", "ra", "ad", "cd"};

    /** One line in dig's terms: id, opcode, rcode, flags, question, section counts; or why it does not decode. */
    static String summary(byte[] wire) {
        try {
            Message message = Message.decode(wire);
            Header h = message.header();
            boolean[] set = {h.qr(), h.aa(), h.tc(), h.rd(), h.ra(), h.ad(), h.cd()};
            List<String> flags = new ArrayList<>();
            for (int i = 0; i < set.length; i++) {
                if (set[i]) {
                    flags.add(FLAG_NAMES[i]);
                }
            }
            String question = message.question().map(q -> q.name() + " " + q.qclass() + " " + q.type()).orElse("-");
            return (h.qr() ? "response" : "query") + " id=" + h.id() + " " + h.opcode() + " " + message.rcode()
                    + " flags=" + (flags.isEmpty() ? "-" : String.join(",", flags)) + " " + question + " answer="
                    + message.answers().size() + " authority=" + message.authority().size() + " additional="
                    + (message.additional().size() + (message.edns().isPresent() ? 1 : 0));
        } catch (WireFormatException e) {
            return "malformed (" + wire.length + " octets): " + e.getMessage();
        }
    }

    private static String endpoint(String address, int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    private static String time(long nanos) {
        Instant instant = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                Math.floorMod(nanos, 1_000_000_000L));
        return instant.toString();
    }
}
