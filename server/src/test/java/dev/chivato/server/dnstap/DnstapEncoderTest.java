package dev.chivato.server.dnstap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.protobuf.ByteString;
import dev.chivato.server.core.Transport;
import dev.chivato.server.dnstap.proto.DnstapProto.Dnstap;
import dev.chivato.server.dnstap.proto.DnstapProto.Message;
import dev.chivato.server.dnstap.proto.DnstapProto.SocketFamily;
import dev.chivato.server.dnstap.proto.DnstapProto.SocketProtocol;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The hand-ordered encoder makes, byte for byte, what the generated builders make of the same fields. */
class DnstapEncoderTest {
    private static final long OFFSET = 1_795_000_000_000_000_000L;

    /** The frames as the generated builders would write them: the reference. */
    private static byte[] withBuilders(DnstapEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (boolean response : List.of(false, true)) {
            if ((response ? event.response() : event.query()) == null) {
                continue;
            }
            Message.Builder message = Message.newBuilder()
                    .setType(response ? DnstapEncoder.responseType(event.role()) : DnstapEncoder.queryType(event.role()))
                    .setSocketProtocol(event.transport() == Transport.TCP ? SocketProtocol.TCP : SocketProtocol.UDP)
                    .setQueryTimeSec((event.queryNanos() + OFFSET) / 1_000_000_000L)
                    .setQueryTimeNsec((int) ((event.queryNanos() + OFFSET) % 1_000_000_000L));
            InetSocketAddress known = event.queryAddress() != null ? event.queryAddress() : event.responseAddress();
            if (known != null) {
                message.setSocketFamily(known.getAddress().getAddress().length == 4 ? SocketFamily.INET
                        : SocketFamily.INET6);
            }
            if (event.queryAddress() != null) {
                message.setQueryAddress(ByteString.copyFrom(event.queryAddress().getAddress().getAddress()))
                        .setQueryPort(event.queryAddress().getPort());
            }
            if (event.responseAddress() != null) {
                message.setResponseAddress(ByteString.copyFrom(event.responseAddress().getAddress().getAddress()))
                        .setResponsePort(event.responseAddress().getPort());
            }
            if (response) {
                message.setResponseTimeSec((event.responseNanos() + OFFSET) / 1_000_000_000L)
                        .setResponseTimeNsec((int) ((event.responseNanos() + OFFSET) % 1_000_000_000L))
                        .setResponseMessage(ByteString.copyFrom(event.response()));
            } else {
                message.setQueryMessage(ByteString.copyFrom(event.query()));
            }
            byte[] body = Dnstap.newBuilder().setIdentity(ByteString.copyFromUtf8("box"))
                    .setVersion(ByteString.copyFromUtf8("chivato test")).setType(Dnstap.Type.MESSAGE)
                    .setMessage(message).build().toByteArray();
            out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    @Property(tries = 300)
    void theFramesAreTheBuildersBytes(@ForAll DnstapEvent.Role role, @ForAll boolean tcp, @ForAll boolean v6,
            @ForAll boolean knownFrom, @ForAll boolean knownTo, @ForAll @IntRange(max = 2) int sides,
            @ForAll @Size(max = 700) byte[] query, @ForAll @Size(max = 3000) byte[] answer,
            @ForAll @IntRange(max = 65535) int port, @ForAll @IntRange(min = 0, max = 2_000_000_000) int nanos)
            throws Exception {
        InetAddress address = InetAddress.getByAddress(v6 ? new byte[16] : new byte[] {127, 0, 0, 1});
        InetSocketAddress from = knownFrom ? new InetSocketAddress(address, port) : null;
        InetSocketAddress to = knownTo ? new InetSocketAddress(address, 53) : null;
        DnstapEvent event = new DnstapEvent(role, tcp ? Transport.TCP : Transport.UDP, from, to, nanos,
                nanos + 12_345L, sides == 1 ? null : query, sides == 0 ? null : answer);
        DnstapEncoder encoder = new DnstapEncoder("box", "chivato test", n -> n + OFFSET);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        encoder.write(event, out);
        assertArrayEquals(withBuilders(event), out.toByteArray(), Arrays.toString(new Object[] {role, tcp, v6}));
    }
}
