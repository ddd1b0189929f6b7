package dev.chivato.server.capture;

import dev.chivato.server.core.Transport;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.dnstap.FrameEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * The server's own traffic as a pcap file ({@code --capture}): each message received or sent becomes IP packets
 * (link type raw IP, nanosecond times) with UDP or TCP headers made up around it. A TCP connection seen for the
 * first time opens with a handshake, and each direction numbers its octets on from there, so Wireshark follows the
 * stream; a message longer than one packet takes several segments. Checksums are left zero (as on loopback, where
 * the kernel leaves them to the card). Used by the one writer thread.
 */
public final class PcapEncoder implements FrameEncoder {
    /** The pcap file header: nanosecond magic, version 2.4, snaplen 65535 + headers, link type 101 (raw IP). */
    public static byte[] fileHeader() {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b23c4d).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(0x40000).putInt(Datagrams.RAW).array();
    }

    /** TCP payload per segment: what fits a 1,500-octet IPv6 packet. */
    static final int SEGMENT = 1500 - 40 - 20;
    /** Connections whose sequence numbers are kept; past it the oldest is forgotten (and would open anew). */
    static final int MAX_CONNECTIONS = 10_000;

    private final LongUnaryOperator clock;
    /** The next sequence number of each direction of each connection, by "from|to". */
    private final Map<String, long[]> sequences = new LinkedHashMap<>(16, 0.75f, true);

    public PcapEncoder(LongUnaryOperator clock) {
        this.clock = clock;
    }

    @Override
    public int write(DnstapEvent event, OutputStream out) throws IOException {
        InetSocketAddress client = event.queryAddress();
        InetSocketAddress server = event.responseAddress();
        if (client == null || server == null
                || client.getAddress() instanceof Inet4Address != server.getAddress() instanceof Inet4Address) {
            return 0; // an upstream answer we do not know our own end of: nothing to put in a packet
        }
        int packets = 0;
        if (event.query() != null) {
            packets += message(out, clock.applyAsLong(event.queryNanos()), client, server, event.transport(),
                    event.query());
        }
        if (event.response() != null) {
            packets += message(out, clock.applyAsLong(event.responseNanos()), server, client, event.transport(),
                    event.response());
        }
        return packets;
    }

    private int message(OutputStream out, long nanos, InetSocketAddress from, InetSocketAddress to,
            Transport transport, byte[] wire) throws IOException {
        if (transport == Transport.UDP) {
            ByteBuffer udp = ByteBuffer.allocate(8 + wire.length).putShort((short) from.getPort())
                    .putShort((short) to.getPort()).putShort((short) (8 + wire.length)).putShort((short) 0)
                    .put(wire);
            packet(out, nanos, from, to, 17, udp.array());
            return 1;
        }
        int packets = 0;
        long[] forward = sequences.get(key(from, to));
        if (forward == null) {
            packets += handshake(out, nanos, from, to);
            forward = sequences.get(key(from, to));
        }
        long[] backward = sequences.get(key(to, from));
        byte[] framed = ByteBuffer.allocate(2 + wire.length).putShort((short) wire.length).put(wire).array();
        for (int at = 0; at < framed.length; at += SEGMENT) {
            int length = Math.min(SEGMENT, framed.length - at);
            byte[] payload = java.util.Arrays.copyOfRange(framed, at, at + length);
            packet(out, nanos, from, to, 6, tcp(from, to, forward[0], backward[0], 0x18, payload));
            forward[0] = (forward[0] + length) & 0xffffffffL;
            packets++;
        }
        return packets;
    }

    /** SYN, SYN-ACK and ACK for a connection not seen before, whichever end spoke first. */
    private int handshake(OutputStream out, long nanos, InetSocketAddress from, InetSocketAddress to)
            throws IOException {
        while (sequences.size() >= 2 * MAX_CONNECTIONS) {
            sequences.remove(sequences.keySet().iterator().next());
        }
        packet(out, nanos, from, to, 6, tcp(from, to, 0, 0, 0x02, new byte[0]));
        packet(out, nanos, to, from, 6, tcp(to, from, 0, 1, 0x12, new byte[0]));
        packet(out, nanos, from, to, 6, tcp(from, to, 1, 1, 0x10, new byte[0]));
        sequences.put(key(from, to), new long[] {1});
        sequences.put(key(to, from), new long[] {1});
        return 3;
    }

    private static byte[] tcp(InetSocketAddress from, InetSocketAddress to, long seq, long ack, int flags,
            byte[] payload) {
        return ByteBuffer.allocate(20 + payload.length).putShort((short) from.getPort()).putShort((short) to.getPort())
                .putInt((int) seq).putInt((int) ack).put((byte) 0x50).put((byte) flags).putShort((short) 65535)
                .putShort((short) 0).putShort((short) 0).put(payload).array();
    }

    private static String key(InetSocketAddress from, InetSocketAddress to) {
        return from + "|" + to;
    }

    /** One record: the pcap record header, then an IPv4 or IPv6 header, then the transport header and payload. */
    private static void packet(OutputStream out, long nanos, InetSocketAddress from, InetSocketAddress to,
            int protocol, byte[] transport) throws IOException {
        byte[] source = from.getAddress().getAddress();
        byte[] destination = to.getAddress().getAddress();
        ByteBuffer ip;
        if (source.length == 4) {
            ip = ByteBuffer.allocate(20 + transport.length).put((byte) 0x45).put((byte) 0)
                    .putShort((short) Math.min(0xffff, 20 + transport.length)).putShort((short) 0)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0);
            ip.put(source).put(destination);
            ip.putShort(10, ipv4Checksum(ip.array()));
        } else {
            ip = ByteBuffer.allocate(40 + transport.length).putInt(0x60000000)
                    .putShort((short) transport.length).put((byte) protocol).put((byte) 64).put(source)
                    .put(destination);
        }
        ip.put(transport);
        byte[] data = ip.array();
        ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) (nanos / 1_000_000_000L)).putInt((int) (nanos % 1_000_000_000L)).putInt(data.length)
                .putInt(data.length);
        out.write(record.array());
        out.write(data);
    }

    private static short ipv4Checksum(byte[] header) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += (header[i] & 0xff) << 8 | header[i + 1] & 0xff;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (short) ~sum;
    }
}
