package dev.chivato.server.capture;

import dev.chivato.protocol.Addresses;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Takes a captured packet apart down to its transport payload: the link layer (Ethernet with VLAN tags, Linux cooked
 * SLL and SLL2, BSD loopback, raw IP), IPv4 or IPv6 (extension headers skipped), then UDP or TCP. Anything else, or
 * a packet cut short, is a {@link Segment} with a note saying why it was passed over.
 */
public final class Datagrams {
    /** Link types (tcpdump.org/linktypes.html). */
    static final int NULL = 0;
    static final int ETHERNET = 1;
    static final int RAW = 101;
    static final int DLT_RAW_BSD = 12;
    static final int DLT_RAW_OPENBSD = 14;
    static final int LINUX_SLL = 113;
    static final int LOOP = 108;
    static final int IPV4 = 228;
    static final int IPV6 = 229;
    static final int LINUX_SLL2 = 276;

    /**
     * A transport segment: the addresses and ports, TCP's sequence number and flags, the payload; or, when the
     * packet is not one we read, {@code note} says why.
     */
    public record Segment(String source, int sourcePort, String destination, int destinationPort, boolean tcp,
                          long sequence, int tcpFlags, byte[] payload, String note) {
        static Segment skipped(String note) {
            return new Segment(null, 0, null, 0, false, 0, 0, new byte[0], note);
        }

        public boolean readable() {
            return note == null;
        }

        static final int SYN = 0x02;
        static final int FIN = 0x01;
        static final int RST = 0x04;
    }

    private Datagrams() {
    }

    public static Segment of(CaptureReader.Packet packet) {
        ByteBuffer p = ByteBuffer.wrap(packet.data());
        try {
            return switch (packet.linkType()) {
                case ETHERNET -> ethernet(p, 12);
                case LINUX_SLL -> byEtherType(p, p.getShort(14) & 0xffff, 16);
                case LINUX_SLL2 -> byEtherType(p, p.getShort(0) & 0xffff, 20);
                case NULL, LOOP -> loopback(p);
                case RAW, DLT_RAW_BSD, DLT_RAW_OPENBSD -> ip(p, 0);
                case IPV4 -> ipv4(p, 0);
                case IPV6 -> ipv6(p, 0);
                default -> Segment.skipped("link type " + packet.linkType() + " is not one this reads");
            };
        } catch (IndexOutOfBoundsException cut) {
            return Segment.skipped("cut short (captured " + packet.data().length + " of " + packet.originalLength()
                    + " octets)");
        }
    }

    /** Ethernet's type field at {@code at}, past any 802.1Q / 802.1ad tags. */
    private static Segment ethernet(ByteBuffer p, int at) {
        int type = p.getShort(at) & 0xffff;
        while (type == 0x8100 || type == 0x88a8) {
            at += 4;
            type = p.getShort(at) & 0xffff;
        }
        return byEtherType(p, type, at + 2);
    }

    private static Segment byEtherType(ByteBuffer p, int type, int at) {
        return switch (type) {
            case 0x0800 -> ipv4(p, at);
            case 0x86dd -> ipv6(p, at);
            default -> Segment.skipped(String.format("EtherType 0x%04x, not IP", type));
        };
    }

    /** BSD loopback: a 4-octet address family in the capturing host's byte order. */
    private static Segment loopback(ByteBuffer p) {
        int family = p.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (family > 0xffff) {
            family = Integer.reverseBytes(family);
        }
        p.order(ByteOrder.BIG_ENDIAN);
        return switch (family) {
            case 2 -> ipv4(p, 4);
            case 10, 24, 28, 30 -> ipv6(p, 4);
            default -> Segment.skipped("loopback family " + family + ", not IP");
        };
    }

    private static Segment ip(ByteBuffer p, int at) {
        int version = (p.get(at) & 0xf0) >> 4;
        return version == 4 ? ipv4(p, at) : version == 6 ? ipv6(p, at)
                : Segment.skipped("IP version " + version);
    }

    private static Segment ipv4(ByteBuffer p, int at) {
        int headerLength = (p.get(at) & 0x0f) * 4;
        int total = p.getShort(at + 2) & 0xffff;
        int fragment = p.getShort(at + 6) & 0xffff;
        int protocol = p.get(at + 9) & 0xff;
        String source = Addresses.formatIPv4(p.getInt(at + 12));
        String destination = Addresses.formatIPv4(p.getInt(at + 16));
        if ((fragment & 0x3fff) != 0) {
            return Segment.skipped("an IPv4 fragment (" + source + " -> " + destination + "), not reassembled");
        }
        int end = Math.min(at + total, p.limit());
        return transport(p, protocol, at + headerLength, end, source, destination);
    }

    private static Segment ipv6(ByteBuffer p, int at) {
        int payload = p.getShort(at + 4) & 0xffff;
        int next = p.get(at + 6) & 0xff;
        byte[] octets = new byte[16];
        p.get(at + 8, octets);
        String source = Addresses.formatIPv6(octets);
        p.get(at + 24, octets);
        String destination = Addresses.formatIPv6(octets);
        int end = Math.min(at + 40 + payload, p.limit());
        int header = at + 40;
        while (next == 0 || next == 43 || next == 60 || next == 44) {
            if (next == 44) {
                return Segment.skipped("an IPv6 fragment (" + source + " -> " + destination + "), not reassembled");
            }
            int length = ((p.get(header + 1) & 0xff) + 1) * 8;
            next = p.get(header) & 0xff;
            header += length;
        }
        return transport(p, next, header, end, source, destination);
    }

    private static Segment transport(ByteBuffer p, int protocol, int at, int end, String source,
            String destination) {
        if (protocol == 17) {
            int length = Math.min(p.getShort(at + 4) & 0xffff, end - at);
            byte[] payload = new byte[Math.max(0, length - 8)];
            p.get(at + 8, payload);
            return new Segment(source, p.getShort(at) & 0xffff, destination, p.getShort(at + 2) & 0xffff, false, 0,
                    0, payload, null);
        }
        if (protocol == 6) {
            int offset = ((p.get(at + 12) & 0xf0) >> 4) * 4;
            byte[] payload = new byte[Math.max(0, end - at - offset)];
            p.get(at + offset, payload);
            return new Segment(source, p.getShort(at) & 0xffff, destination, p.getShort(at + 2) & 0xffff, true,
                    p.getInt(at + 4) & 0xffffffffL, p.get(at + 13) & 0x3f, payload, null);
        }
        return Segment.skipped("IP protocol " + protocol + ", neither UDP nor TCP");
    }
}
