package dev.chivato.server.dnstap;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.chivato.server.answer.Transport;
import dev.chivato.server.dnstap.proto.DnstapProto.Dnstap;
import dev.chivato.server.dnstap.proto.DnstapProto.Message;
import dev.chivato.server.dnstap.proto.DnstapProto.SocketFamily;
import dev.chivato.server.dnstap.proto.DnstapProto.SocketProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.LongUnaryOperator;

/** Turns events into dnstap protobuf messages, each written as one Frame Streams data frame. */
final class DnstapEncoder {
    private final ByteString identity;
    private final ByteString version;
    /** Turns the events' {@link System#nanoTime} readings into nanoseconds since the epoch. */
    private final LongUnaryOperator clock;

    DnstapEncoder(String identity, String version, LongUnaryOperator clock) {
        this.identity = ByteString.copyFrom(identity, StandardCharsets.UTF_8);
        this.version = ByteString.copyFrom(version, StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** Writes the event's frames (its query's, then its response's) to {@code out}. */
    void write(DnstapEvent event, OutputStream out) throws IOException {
        if (event.query() != null) {
            frame(message(event, queryType(event.role()), false), out);
        }
        if (event.response() != null) {
            frame(message(event, responseType(event.role()), true), out);
        }
    }

    /** The dnstap message of one side of the event; a response carries the query's time too, as NSD's does. */
    Dnstap message(DnstapEvent event, Message.Type type, boolean response) {
        InetSocketAddress from = event.queryAddress();
        InetSocketAddress to = event.responseAddress();
        InetSocketAddress known = from != null ? from : to;
        long queryNanos = clock.applyAsLong(event.queryNanos());
        Message.Builder message = Message.newBuilder()
                .setType(type)
                .setSocketProtocol(event.transport() == Transport.TCP ? SocketProtocol.TCP : SocketProtocol.UDP)
                .setQueryTimeSec(queryNanos / 1_000_000_000L)
                .setQueryTimeNsec((int) (queryNanos % 1_000_000_000L));
        if (known != null) {
            message.setSocketFamily(known.getAddress() instanceof Inet4Address ? SocketFamily.INET
                    : SocketFamily.INET6);
        }
        if (from != null) {
            message.setQueryAddress(ByteString.copyFrom(from.getAddress().getAddress())).setQueryPort(from.getPort());
        }
        if (to != null) {
            message.setResponseAddress(ByteString.copyFrom(to.getAddress().getAddress()))
                    .setResponsePort(to.getPort());
        }
        if (response) {
            long responseNanos = clock.applyAsLong(event.responseNanos());
            message.setResponseTimeSec(responseNanos / 1_000_000_000L)
                    .setResponseTimeNsec((int) (responseNanos % 1_000_000_000L))
                    .setResponseMessage(ByteString.copyFrom(event.response()));
        } else {
            message.setQueryMessage(ByteString.copyFrom(event.query()));
        }
        return Dnstap.newBuilder().setIdentity(identity).setVersion(version).setType(Dnstap.Type.MESSAGE)
                .setMessage(message).build();
    }

    private static void frame(Dnstap dnstap, OutputStream out) throws IOException {
        int size = dnstap.getSerializedSize();
        out.write(size >>> 24);
        out.write(size >>> 16);
        out.write(size >>> 8);
        out.write(size);
        CodedOutputStream coded = CodedOutputStream.newInstance(out, Math.min(size, 4096));
        dnstap.writeTo(coded);
        coded.flush();
    }

    static Message.Type queryType(DnstapEvent.Role role) {
        return switch (role) {
            case AUTH -> Message.Type.AUTH_QUERY;
            case CLIENT -> Message.Type.CLIENT_QUERY;
            case FORWARDER -> Message.Type.FORWARDER_QUERY;
        };
    }

    static Message.Type responseType(DnstapEvent.Role role) {
        return switch (role) {
            case AUTH -> Message.Type.AUTH_RESPONSE;
            case CLIENT -> Message.Type.CLIENT_RESPONSE;
            case FORWARDER -> Message.Type.FORWARDER_RESPONSE;
        };
    }
}
