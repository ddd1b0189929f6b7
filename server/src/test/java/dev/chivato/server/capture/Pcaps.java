package dev.chivato.server.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds small captures for tests: Ethernet frames of IPv4 UDP and TCP, in pcap or pcapng. */
final class Pcaps {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final boolean pcapng;
    private final ByteOrder order;
    /** The link type: 1 Ethernet, 113 Linux SLL, 0 BSD loopback, 101 raw IP; -1 Ethernet with a VLAN tag. */
    private final int link;
    private boolean simple;

    private Pcaps(boolean pcapng, ByteOrder order) {
        this(pcapng, order, 1);
    }

    private Pcaps(boolean pcapng, ByteOrder order, int link) {
        this.pcapng = pcapng;
        this.order = order;
        this.link = link;
        if (pcapng) {
            ByteBuffer shb = ByteBuffer.allocate(28).order(order);
            shb.putInt(0x0a0d0d0a).putInt(28).putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0)
                    .putLong(-1).putInt(28);
            out.writeBytes(shb.array());
            // an Ethernet interface with nanosecond times (if_tsresol 9)
            ByteBuffer idb = ByteBuffer.allocate(32).order(order);
            idb.putInt(1).putInt(32).putShort((short) 1).putShort((short) 0).putInt(65535)
                    .putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3])
                    .putShort((short) 0).putShort((short) 0).putInt(32);
            out.writeBytes(idb.array());
        } else {
            ByteBuffer header = ByteBuffer.allocate(24).order(order);
            header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535)
                    .putInt(link < 0 ? 1 : link);
            out.writeBytes(header.array());
        }
    }

    static Pcaps pcap(ByteOrder order) {
        return new Pcaps(false, order);
    }

    static Pcaps pcapng(ByteOrder order) {
        return new Pcaps(true, order);
    }

    /** A pcap of frames of this link type (see {@link #link}). */
    static Pcaps pcap(ByteOrder order, int link) {
        return new Pcaps(false, order, link);
    }

    /** From now on, packets go in simple packet blocks (pcapng only; they carry no time). */
    Pcaps simple() {
        simple = true;
        return this;
    }

    /** A UDP datagram from 10.0.0.{from}:fromPort to 10.0.0.{to}:toPort at {@code micros}. */
    Pcaps udp(long micros, int from, int fromPort, int to, int toPort, byte[] payload) {
        ByteBuffer udp = ByteBuffer.allocate(8 + payload.length);
        udp.putShort((short) fromPort).putShort((short) toPort).putShort((short) (8 + payload.length))
                .putShort((short) 0).put(payload);
        return frame(micros, ipv4(17, from, to, udp.array()));
    }

    /** A TCP segment with this sequence number and flags (SYN 0x02, ACK 0x10, PSH 0x08). */
    Pcaps tcp(long micros, int from, int fromPort, int to, int toPort, long seq, int flags, byte[] payload) {
        ByteBuffer tcp = ByteBuffer.allocate(20 + payload.length);
        tcp.putShort((short) fromPort).putShort((short) toPort).putInt((int) seq).putInt(0)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0)
                .put(payload);
        return frame(micros, ipv4(6, from, to, tcp.array()));
    }

    /** A UDP datagram's first IPv4 fragment (more fragments follow). */
    Pcaps fragment(long micros, int from, int to, byte[] payload) {
        fragmentFlags = 0x2000;
        try {
            return frame(micros, ipv4(17, from, to, payload));
        } finally {
            fragmentFlags = 0x4000;
        }
    }

    private int fragmentFlags = 0x4000;

    private byte[] ipv4(int protocol, int from, int to, byte[] payload) {
        ByteBuffer ip = ByteBuffer.allocate(20 + payload.length);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) 0)
                .putShort((short) fragmentFlags).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(new byte[] {10, 0, 0, (byte) from}).put(new byte[] {10, 0, 0, (byte) to}).put(payload);
        return ip.array();
    }

    private byte[] linkFrame(byte[] ip) {
        return switch (link) {
            case 113 -> ByteBuffer.allocate(16 + ip.length).put(new byte[14]).putShort((short) 0x0800).put(ip).array();
            case 0 -> ByteBuffer.allocate(4 + ip.length).order(ByteOrder.LITTLE_ENDIAN).putInt(2).put(ip).array();
            case 101 -> ip;
            case -1 -> ByteBuffer.allocate(18 + ip.length).put(new byte[12]).putShort((short) 0x8100)
                    .putShort((short) 42).putShort((short) 0x0800).put(ip).array();
            default -> ByteBuffer.allocate(14 + ip.length).put(new byte[12]).putShort((short) 0x0800).put(ip)
                    .array();
        };
    }

    private Pcaps frame(long micros, byte[] ip) {
        byte[] data = linkFrame(ip);
        if (pcapng && simple) {
            int padded = (data.length + 3) & ~3;
            ByteBuffer spb = ByteBuffer.allocate(16 + padded).order(order);
            spb.putInt(3).putInt(16 + padded).putInt(data.length).put(data).position(12 + padded);
            spb.putInt(16 + padded);
            out.writeBytes(spb.array());
        } else if (pcapng) {
            int padded = (data.length + 3) & ~3;
            ByteBuffer epb = ByteBuffer.allocate(32 + padded).order(order);
            long nanos = micros * 1000;
            epb.putInt(6).putInt(32 + padded).putInt(0).putInt((int) (nanos >>> 32)).putInt((int) nanos)
                    .putInt(data.length).putInt(data.length).put(data).position(28 + padded);
            epb.putInt(32 + padded);
            out.writeBytes(epb.array());
        } else {
            ByteBuffer record = ByteBuffer.allocate(16 + data.length).order(order);
            record.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(data.length)
                    .putInt(data.length).put(data);
            out.writeBytes(record.array());
        }
        return this;
    }

    /** Any octets appended as they are: a hand-made (or damaged) block. */
    Pcaps raw(byte[] octets) {
        out.writeBytes(octets);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A DNS message with its 2-octet TCP length in front. */
    static byte[] framed(byte[] message) {
        return ByteBuffer.allocate(2 + message.length).putShort((short) message.length).put(message).array();
    }
}
