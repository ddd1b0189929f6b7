package dev.chivato.server;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.core.Transport;
import dev.chivato.server.log.LogFormat;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal DNS client, as dig is one: sends a query over UDP (or TCP), accepts only an answer with the query's id
 * and, when the answer has a question (a FORMERR may not), the query's question with its case; retries on timeout,
 * and falls back to TCP when the answer is truncated.
 */
final class StubClient {
    /** One query and the answer to it, as bytes and decoded. */
    record Exchange(Transport transport, byte[] queryWire, byte[] responseWire, Message response, long millis) {
    }

    /** No usable answer arrived. */
    static final class NoAnswerException extends Exception {
        NoAnswerException(String message) {
            super(message, null, false, false);
        }
    }

    private final InetSocketAddress server;
    private final Duration timeout;
    private final int tries;

    StubClient(InetSocketAddress server, Duration timeout, int tries) {
        this.server = server;
        this.timeout = timeout;
        this.tries = tries;
    }

    /** Every exchange made: one over UDP, another over TCP after TC (unless {@code ignoreTruncation}). */
    List<Exchange> ask(Message query, boolean tcp, boolean ignoreTruncation) throws NoAnswerException {
        List<Exchange> exchanges = new ArrayList<>();
        if (!tcp) {
            Exchange udp = overUdp(query);
            exchanges.add(udp);
            if (!udp.response().header().tc() || ignoreTruncation) {
                return exchanges;
            }
        }
        exchanges.add(overTcp(query));
        return exchanges;
    }

    private Exchange overUdp(Message query) throws NoAnswerException {
        byte[] wire = query.toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server);
            for (int attempt = 1; attempt <= tries; attempt++) {
                long start = System.nanoTime();
                socket.send(new DatagramPacket(wire, wire.length));
                long deadline = start + timeout.toNanos();
                byte[] buffer = new byte[0xffff];
                while (true) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        break;
                    }
                    socket.setSoTimeout((int) left);
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    try {
                        socket.receive(packet);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    byte[] answer = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                    Message response = matching(query, answer);
                    if (response != null) {
                        return new Exchange(Transport.UDP, wire, answer, response, millis(start));
                    }
                }
            }
        } catch (IOException e) {
            throw new NoAnswerException("UDP to " + LogFormat.address(server) + ": " + describe(e));
        }
        throw new NoAnswerException("no answer from " + LogFormat.address(server) + " over UDP after " + tries
                + " tries of " + timeout.toMillis() + " ms");
    }

    private Exchange overTcp(Message query) throws NoAnswerException {
        byte[] wire = query.toWire();
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(server, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            byte[] framed = new byte[2 + wire.length];
            framed[0] = (byte) (wire.length >>> 8);
            framed[1] = (byte) wire.length;
            System.arraycopy(wire, 0, framed, 2, wire.length);
            out.write(framed);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            Message response = matching(query, answer);
            if (response == null) {
                throw new NoAnswerException("the TCP answer from " + LogFormat.address(server)
                        + " does not match the query (id or question)");
            }
            return new Exchange(Transport.TCP, wire, answer, response, millis(start));
        } catch (IOException e) {
            throw new NoAnswerException("TCP to " + LogFormat.address(server) + ": " + describe(e));
        }
    }

    /** The decoded answer if it answers {@code query}; null for a stray or malformed datagram. */
    private static Message matching(Message query, byte[] answer) {
        try {
            Message response = Message.decode(answer);
            boolean sameQuestion = response.questions().isEmpty()
                    || response.questions().equals(query.questions())
                    && response.questions().get(0).name().equalsExactly(query.questions().get(0).name());
            return response.header().qr() && response.header().id() == query.header().id() && sameQuestion
                    ? response : null;
        } catch (WireFormatException e) {
            return null;
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.net.PortUnreachableException || e instanceof java.net.ConnectException) {
            return "connection refused (is a server listening there?)";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
