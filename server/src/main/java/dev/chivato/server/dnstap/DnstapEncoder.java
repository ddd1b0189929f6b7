package dev.chivato.server.dnstap;

import static com.google.protobuf.CodedOutputStream.computeByteArraySize;
import static com.google.protobuf.CodedOutputStream.computeEnumSize;
import static com.google.protobuf.CodedOutputStream.computeFixed32Size;
import static com.google.protobuf.CodedOutputStream.computeTagSize;
import static com.google.protobuf.CodedOutputStream.computeUInt32Size;
import static com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag;
import static com.google.protobuf.CodedOutputStream.computeUInt64Size;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.chivato.server.core.Transport;
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

/**
 * Turns events into dnstap protobuf messages, each written as one Frame Streams data frame. The fields are written
 * with protobuf's own {@link CodedOutputStream} and the generated field numbers, in field-number order (the bytes
 * the generated builders would make: a test holds it to them), without building message objects per query.
 */
final class DnstapEncoder implements FrameEncoder {
    private final byte[] identity;
    private final byte[] version;
    /** Turns the events' {@link System#nanoTime} readings into nanoseconds since the epoch. */
    private final LongUnaryOperator clock;
    /** Where each frame is put together: room for a 64 KiB message and the fields around it. */
    private byte[] scratch = new byte[0x10000 + 1024];

    DnstapEncoder(String identity, String version, LongUnaryOperator clock) {
        this.identity = identity.getBytes(StandardCharsets.UTF_8);
        this.version = version.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** Writes the event's frames (its query's, then its response's) to {@code out}. */
    @Override
    public int write(DnstapEvent event, OutputStream out) throws IOException {
        if (event.query() != null) {
            frame(event, queryType(event.role()), false, out);
        }
        if (event.response() != null) {
            frame(event, responseType(event.role()), true, out);
        }
        return event.frames();
    }

    /** One side of the event as a frame; a response carries the query's time too, as NSD's does. */
    private void frame(DnstapEvent event, Message.Type type, boolean response, OutputStream out) throws IOException {
        Side side = new Side(event, type, response, clock);
        int message = side.size();
        int total = computeByteArraySize(Dnstap.IDENTITY_FIELD_NUMBER, identity)
                + computeByteArraySize(Dnstap.VERSION_FIELD_NUMBER, version)
                + computeTagSize(Dnstap.MESSAGE_FIELD_NUMBER) + computeUInt32SizeNoTag(message) + message
                + computeEnumSize(Dnstap.TYPE_FIELD_NUMBER, Dnstap.Type.MESSAGE_VALUE);
        if (scratch.length < 4 + total) {
            scratch = new byte[4 + total];
        }
        scratch[0] = (byte) (total >>> 24);
        scratch[1] = (byte) (total >>> 16);
        scratch[2] = (byte) (total >>> 8);
        scratch[3] = (byte) total;
        CodedOutputStream coded = CodedOutputStream.newInstance(scratch, 4, total);
        coded.writeByteArray(Dnstap.IDENTITY_FIELD_NUMBER, identity);
        coded.writeByteArray(Dnstap.VERSION_FIELD_NUMBER, version);
        coded.writeTag(Dnstap.MESSAGE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        coded.writeUInt32NoTag(message);
        side.writeTo(coded);
        coded.writeEnum(Dnstap.TYPE_FIELD_NUMBER, Dnstap.Type.MESSAGE_VALUE);
        coded.checkNoSpaceLeft();
        out.write(scratch, 0, 4 + total);
    }

    /** The fields of one dnstap {@code Message}, worked out once for both its size and its writing. */
    private static final class Side {
        final int type;
        final int family;
        final int protocol;
        final byte[] fromAddress;
        final int fromPort;
        final byte[] toAddress;
        final int toPort;
        final long queryNanos;
        final boolean response;
        final long responseNanos;
        final byte[] wire;

        Side(DnstapEvent event, Message.Type type, boolean response, LongUnaryOperator clock) {
            InetSocketAddress from = event.queryAddress();
            InetSocketAddress to = event.responseAddress();
            InetSocketAddress known = from != null ? from : to;
            this.type = type.getNumber();
            this.family = known == null ? 0 : known.getAddress() instanceof Inet4Address ? SocketFamily.INET_VALUE
                    : SocketFamily.INET6_VALUE;
            this.protocol = event.transport() == Transport.TCP ? SocketProtocol.TCP_VALUE : SocketProtocol.UDP_VALUE;
            this.fromAddress = from == null ? null : from.getAddress().getAddress();
            this.fromPort = from == null ? 0 : from.getPort();
            this.toAddress = to == null ? null : to.getAddress().getAddress();
            this.toPort = to == null ? 0 : to.getPort();
            this.queryNanos = clock.applyAsLong(event.queryNanos());
            this.response = response;
            this.responseNanos = response ? clock.applyAsLong(event.responseNanos()) : 0;
            this.wire = response ? event.response() : event.query();
        }

        int size() {
            int size = computeEnumSize(Message.TYPE_FIELD_NUMBER, type)
                    + computeEnumSize(Message.SOCKET_PROTOCOL_FIELD_NUMBER, protocol)
                    + computeUInt64Size(Message.QUERY_TIME_SEC_FIELD_NUMBER, queryNanos / 1_000_000_000L)
                    + computeFixed32Size(Message.QUERY_TIME_NSEC_FIELD_NUMBER, 0);
            if (family != 0) {
                size += computeEnumSize(Message.SOCKET_FAMILY_FIELD_NUMBER, family);
            }
            if (fromAddress != null) {
                size += computeByteArraySize(Message.QUERY_ADDRESS_FIELD_NUMBER, fromAddress)
                        + computeUInt32Size(Message.QUERY_PORT_FIELD_NUMBER, fromPort);
            }
            if (toAddress != null) {
                size += computeByteArraySize(Message.RESPONSE_ADDRESS_FIELD_NUMBER, toAddress)
                        + computeUInt32Size(Message.RESPONSE_PORT_FIELD_NUMBER, toPort);
            }
            if (response) {
                size += computeUInt64Size(Message.RESPONSE_TIME_SEC_FIELD_NUMBER, responseNanos / 1_000_000_000L)
                        + computeFixed32Size(Message.RESPONSE_TIME_NSEC_FIELD_NUMBER, 0)
                        + computeByteArraySize(Message.RESPONSE_MESSAGE_FIELD_NUMBER, wire);
            } else {
                size += computeByteArraySize(Message.QUERY_MESSAGE_FIELD_NUMBER, wire);
            }
            return size;
        }

        /** The fields in field-number order. */
        void writeTo(CodedOutputStream out) throws IOException {
            out.writeEnum(Message.TYPE_FIELD_NUMBER, type);
            if (family != 0) {
                out.writeEnum(Message.SOCKET_FAMILY_FIELD_NUMBER, family);
            }
            out.writeEnum(Message.SOCKET_PROTOCOL_FIELD_NUMBER, protocol);
            if (fromAddress != null) {
                out.writeByteArray(Message.QUERY_ADDRESS_FIELD_NUMBER, fromAddress);
            }
            if (toAddress != null) {
                out.writeByteArray(Message.RESPONSE_ADDRESS_FIELD_NUMBER, toAddress);
            }
            if (fromAddress != null) {
                out.writeUInt32(Message.QUERY_PORT_FIELD_NUMBER, fromPort);
            }
            if (toAddress != null) {
                out.writeUInt32(Message.RESPONSE_PORT_FIELD_NUMBER, toPort);
            }
            out.writeUInt64(Message.QUERY_TIME_SEC_FIELD_NUMBER, queryNanos / 1_000_000_000L);
            out.writeFixed32(Message.QUERY_TIME_NSEC_FIELD_NUMBER, (int) (queryNanos % 1_000_000_000L));
            if (!response) {
                out.writeByteArray(Message.QUERY_MESSAGE_FIELD_NUMBER, wire);
                return;
            }
            out.writeUInt64(Message.RESPONSE_TIME_SEC_FIELD_NUMBER, responseNanos / 1_000_000_000L);
            out.writeFixed32(Message.RESPONSE_TIME_NSEC_FIELD_NUMBER, (int) (responseNanos % 1_000_000_000L));
            out.writeByteArray(Message.RESPONSE_MESSAGE_FIELD_NUMBER, wire);
        }
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
