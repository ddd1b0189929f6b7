package dev.chivato.server.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the packets of a capture file, one at a time, in bounded memory: classic pcap (either byte order, micro- or
 * nanosecond times) and pcapng (section, interface, enhanced and simple packet blocks, each interface's
 * {@code if_tsresol}). A damaged file is read up to the damage, which {@link #damage()} then describes.
 */
public final class CaptureReader {
    /** The most one packet or block may hold; more is damage, not a packet (tcpdump's own limit is 256 KiB). */
    static final int MAX_RECORD = 256 * 1024 + 64;

    /** One captured packet: its number from 1, its time in nanoseconds since the epoch, its link type and bytes. */
    public record Packet(long frame, long timeNanos, int linkType, byte[] data, int originalLength) {
    }

    private enum Format { PCAP, PCAPNG }

    private final InputStream in;
    private final Format format;
    private ByteOrder order;
    /** pcap: the one link type and time unit. */
    private int pcapLinkType;
    private long pcapUnitNanos;
    /**
     * A pcapng interface: its link type, and its time unit as {@code if_tsresol} says it: 10^-exponent seconds, or
     * 2^-exponent when {@code binary}.
     */
    private record Interface(int linkType, boolean binary, int exponent) {
        long toNanos(long units) {
            if (binary) {
                return (long) (units / Math.pow(2, exponent) * 1e9);
            }
            return exponent <= 9 ? units * (long) Math.pow(10, 9 - exponent)
                    : units / (long) Math.pow(10, exponent - 9);
        }
    }

    /** pcapng: the interfaces of the current section, in the order described. */
    private final List<Interface> interfaces = new ArrayList<>();
    private long offset;
    private long frames;
    private String damage;

    private CaptureReader(InputStream in, Format format) {
        this.in = in;
        this.format = format;
    }

    /**
     * A reader of {@code in}, its format told by its first four octets.
     *
     * @throws NotACaptureException when they are no capture format's magic number
     */
    public static CaptureReader open(InputStream in) throws IOException, NotACaptureException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new NotACaptureException("shorter than any capture's header");
        }
        int big = ByteBuffer.wrap(magic).getInt();
        int little = ByteBuffer.wrap(magic).order(ByteOrder.LITTLE_ENDIAN).getInt();
        CaptureReader reader;
        if (big == 0x0a0d0d0a) {
            reader = new CaptureReader(in, Format.PCAPNG);
            reader.offset = 4;
            reader.order = ByteOrder.BIG_ENDIAN;
            reader.sectionHeader(0);
            if (reader.damage != null) {
                throw new NotACaptureException("a pcapng file whose section header is " + reader.damage);
            }
            return reader;
        }
        reader = new CaptureReader(in, Format.PCAP);
        reader.offset = 4;
        if (big == 0xa1b2c3d4 || big == 0xa1b23c4d) {
            reader.order = ByteOrder.BIG_ENDIAN;
            reader.pcapUnitNanos = big == 0xa1b2c3d4 ? 1000 : 1;
        } else if (little == 0xa1b2c3d4 || little == 0xa1b23c4d) {
            reader.order = ByteOrder.LITTLE_ENDIAN;
            reader.pcapUnitNanos = little == 0xa1b2c3d4 ? 1000 : 1;
        } else {
            throw new NotACaptureException("not a pcap or pcapng file (its first octets are no capture's magic)");
        }
        byte[] header = reader.read(20);
        if (header == null) {
            throw new NotACaptureException("a pcap header cut short");
        }
        reader.pcapLinkType = ByteBuffer.wrap(header).order(reader.order).getInt(16) & 0x0fffffff;
        return reader;
    }

    /** Thrown when the input is not a capture at all. */
    public static final class NotACaptureException extends Exception {
        NotACaptureException(String message) {
            super(message, null, false, false);
        }
    }

    /** Packets read so far. */
    public long frames() {
        return frames;
    }

    /** Where and why reading stopped early, or null when the file ended where it should. */
    public String damage() {
        return damage;
    }

    /** The next packet, or null at the end (or at damage: see {@link #damage()}). */
    public Packet next() throws IOException {
        if (damage != null) {
            return null;
        }
        return format == Format.PCAP ? nextPcap() : nextPcapng();
    }

    private Packet nextPcap() throws IOException {
        long at = offset;
        byte[] header = in.readNBytes(16);
        offset += header.length;
        if (header.length == 0) {
            return null;
        }
        if (header.length < 16) {
            return damaged(at, "a packet header cut short (" + header.length + " of 16 octets)");
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(order);
        long seconds = h.getInt(0) & 0xffffffffL;
        long fraction = h.getInt(4) & 0xffffffffL;
        int captured = h.getInt(8);
        int original = h.getInt(12);
        if (captured < 0 || captured > MAX_RECORD) {
            return damaged(at, "a packet of " + (captured & 0xffffffffL) + " octets, more than a capture holds");
        }
        byte[] data = read(captured);
        if (data == null) {
            return damaged(at, "a packet cut short (the file ends inside its " + captured + " octets)");
        }
        return new Packet(++frames, seconds * 1_000_000_000L + fraction * pcapUnitNanos, pcapLinkType, data,
                original);
    }

    private Packet nextPcapng() throws IOException {
        while (true) {
            long at = offset;
            byte[] typeOctets = in.readNBytes(4);
            offset += typeOctets.length;
            if (typeOctets.length == 0) {
                return null;
            }
            if (typeOctets.length < 4) {
                return damaged(at, "a block header cut short");
            }
            int type = ByteBuffer.wrap(typeOctets).order(order).getInt();
            if (ByteBuffer.wrap(typeOctets).getInt() == 0x0a0d0d0a) {
                sectionHeader(at);
                if (damage != null) {
                    return null;
                }
                continue;
            }
            byte[] lengthOctets = read(4);
            if (lengthOctets == null) {
                return damaged(at, "a block header cut short");
            }
            int length = ByteBuffer.wrap(lengthOctets).order(order).getInt();
            if (length < 12 || length % 4 != 0 || length > MAX_RECORD) {
                return damaged(at, "a block of " + (length & 0xffffffffL) + " octets (a multiple of 4, 12 to "
                        + MAX_RECORD + ")");
            }
            byte[] body = read(length - 8);
            if (body == null) {
                return damaged(at, "a block cut short (the file ends inside its " + length + " octets)");
            }
            ByteBuffer b = ByteBuffer.wrap(body).order(order);
            if (b.getInt(body.length - 4) != length) {
                return damaged(at, "a block whose trailing length is not its leading one");
            }
            Packet packet = switch (type) {
                case 1 -> interfaceDescription(b, body.length - 4, at);
                case 6 -> enhancedPacket(b, body.length - 4, at);
                case 3 -> simplePacket(b, body.length - 4, at);
                default -> null; // name resolution, statistics, custom blocks: nothing to explain
            };
            if (packet != null || damage != null) {
                return packet;
            }
        }
    }

    /**
     * The rest of a section header block whose type was read at {@code at}: its byte-order magic fixes the order of
     * everything after it, and its interfaces start anew.
     */
    private void sectionHeader(long at) throws IOException {
        byte[] lengthAndMagic = read(8);
        if (lengthAndMagic == null) {
            damaged(at, "a section header cut short");
            return;
        }
        int magic = ByteBuffer.wrap(lengthAndMagic).getInt(4);
        if (magic == 0x1a2b3c4d) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (magic == 0x4d3c2b1a) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else {
            damaged(at, "a section header without the byte-order magic 0x1A2B3C4D");
            return;
        }
        int length = ByteBuffer.wrap(lengthAndMagic).order(order).getInt(0);
        if (length < 28 || length % 4 != 0 || length > MAX_RECORD) {
            damaged(at, "a section header of " + (length & 0xffffffffL) + " octets");
            return;
        }
        if (read(length - 12) == null) {
            damaged(at, "a section header cut short");
            return;
        }
        interfaces.clear();
    }

    /** Interfaces one section may describe; past it the capture is taken as damaged (a list does not grow for ever). */
    static final int MAX_INTERFACES = 4096;

    /** Notes an interface; returns null (no packet), or a damage when the block is short or there are too many. */
    private Packet interfaceDescription(ByteBuffer b, int end, long at) {
        if (end < 8) {
            return damaged(at, "an interface description block shorter than its fields");
        }
        if (interfaces.size() >= MAX_INTERFACES) {
            return damaged(at, "more than " + MAX_INTERFACES + " interface blocks in one section");
        }
        int linkType = b.getShort(0) & 0xffff;
        int resolution = 6; // microseconds unless if_tsresol says otherwise
        for (int p = 8; p + 4 <= end; ) {
            int code = b.getShort(p) & 0xffff;
            int length = b.getShort(p + 2) & 0xffff;
            if (code == 0 || p + 4 + length > end) {
                break;
            }
            if (code == 9 && length >= 1) {
                resolution = b.get(p + 4) & 0xff;
            }
            p += 4 + ((length + 3) & ~3);
        }
        interfaces.add(new Interface(linkType, (resolution & 0x80) != 0, resolution & 0x7f));
        return null;
    }

    private Packet enhancedPacket(ByteBuffer b, int end, long at) {
        if (end < 20) {
            return damaged(at, "an enhanced packet block shorter than its fields");
        }
        int interfaceId = b.getInt(0);
        if (interfaceId < 0 || interfaceId >= interfaces.size()) {
            return damaged(at, "a packet of interface " + interfaceId + ", which no interface block described");
        }
        long units = (b.getInt(4) & 0xffffffffL) << 32 | b.getInt(8) & 0xffffffffL;
        int captured = b.getInt(12);
        int original = b.getInt(16);
        if (captured < 0 || 20 + captured > end) {
            return damaged(at, "a packet longer than its block");
        }
        byte[] data = new byte[captured];
        b.get(20, data);
        Interface described = interfaces.get(interfaceId);
        return new Packet(++frames, described.toNanos(units), described.linkType(), data, original);
    }

    private Packet simplePacket(ByteBuffer b, int end, long at) {
        if (interfaces.isEmpty()) {
            return damaged(at, "a simple packet before any interface block");
        }
        int original = b.getInt(0);
        int captured = Math.min(original, end - 4);
        if (captured < 0) {
            return damaged(at, "a simple packet block too short");
        }
        byte[] data = new byte[captured];
        b.get(4, data);
        return new Packet(++frames, 0, interfaces.get(0).linkType(), data, original);
    }

    /** Reads exactly {@code length} octets, or null when the input ends first. */
    private byte[] read(int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        offset += bytes.length;
        return bytes.length == length ? bytes : null;
    }

    private Packet damaged(long at, String why) {
        damage = "damaged at offset " + at + ": " + why;
        return null;
    }
}
