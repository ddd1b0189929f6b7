package dev.chivato.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference encoder: a DNS message written the plain way, to follow with RFC 1035 section 4 open beside it. The
 * server encodes with {@link WireWriter}, which writes the very same octets ({@code ReferenceCodecTest} holds the two
 * to that, compressed or not, at any size limit).
 *
 * <p>How to read this file: {@link #encode} writes the header's place, the questions, then each section's RRsets,
 * each one whole or not at all: an RRset that passes the size limit is taken back, the answer and authority sections
 * stop there and the header says TC, the additional section only leaves it out (RFC 2181 section 9). The OPT record
 * (EDNS) and a TSIG record always have their room. {@link #name} is where compression happens (RFC 1035 4.1.4):
 * every suffix of a name written so far is in a map, by its exact octets, with the offset it was written at, and the
 * longest suffix found there becomes a pointer.
 */
final class ReferenceWriter {
    /** A compression pointer holds 14 bits of offset: a suffix written later than this cannot be pointed to. */
    private static final int MAX_POINTER_TARGET = 0x3fff;

    private final boolean compress;
    /** The message so far; it grows as needed, and an RRset that does not fit is cut off its end again. */
    private byte[] out = new byte[512];
    private int size;
    /**
     * Every suffix of a name written so far, as text of one char per octet (so two keys are equal exactly when
     * their octets are, case included), and the offset it was written at.
     */
    private Map<String, Integer> suffixes = new HashMap<>();

    private ReferenceWriter(boolean compress) {
        this.compress = compress;
    }

    /**
     * The message in at most {@code maxLength} octets (and never more than 65535), names compressed or not.
     *
     * @throws IllegalArgumentException when the limit leaves no room for the header, OPT, TSIG and the questions
     */
    static byte[] encode(Message message, int maxLength, boolean compress) {
        int limit = Math.min(maxLength, Message.MAX_LENGTH);
        // A TSIG record ends the message, after OPT (RFC 8945 section 5.1).
        List<ResourceRecord> additional = message.additional();
        ResourceRecord tsig = null;
        if (!additional.isEmpty() && additional.get(additional.size() - 1).type().equals(RRType.TSIG)) {
            tsig = additional.get(additional.size() - 1);
            additional = additional.subList(0, additional.size() - 1);
        }
        Edns edns = message.edns().orElse(null);
        int reserved = (edns == null ? 0 : edns.wireLength()) + (tsig == null ? 0 : lengthWritten(tsig));
        if (limit < Header.LENGTH + reserved) {
            throw new IllegalArgumentException("a limit of " + limit + " octets leaves no room for the message");
        }
        int roomForSections = limit - reserved;
        ReferenceWriter writer = new ReferenceWriter(compress);
        writer.size = Header.LENGTH; // the header is written last, when its counts are known
        for (Question question : message.questions()) {
            writer.name(question.name(), true);
            writer.u16(question.type().value());
            writer.u16(question.qclass().value());
            if (writer.size > roomForSections) {
                throw new IllegalArgumentException("a limit of " + limit + " octets leaves no room for the question");
            }
        }
        int answerCount = writer.wholeRRsets(message.answers(), roomForSections, false);
        boolean truncated = answerCount < message.answers().size();
        int authorityCount = 0;
        int additionalCount = 0;
        if (!truncated) {
            authorityCount = writer.wholeRRsets(message.authority(), roomForSections, false);
            truncated = authorityCount < message.authority().size();
        }
        if (!truncated) {
            additionalCount = writer.wholeRRsets(additional, roomForSections, true);
        }
        if (edns != null) {
            writer.record(edns.toRecord(), true);
            additionalCount++;
        }
        if (tsig != null) {
            writer.record(tsig, false); // its owner, the key's name, is never compressed
            additionalCount++;
        }
        writer.header(message, truncated, answerCount, authorityCount, additionalCount);
        return Arrays.copyOf(writer.out, writer.size);
    }

    /** RFC 1035 section 4.1.1, into the twelve octets kept for it at the start. */
    private void header(Message message, boolean truncated, int answers, int authority, int additional) {
        int end = size;
        size = 0;
        u16(message.header().id());
        u16(message.header().flagsWord() | (truncated ? Header.TC : 0));
        u16(message.questions().size());
        u16(answers);
        u16(authority);
        u16(additional);
        size = end;
    }

    /**
     * Writes the records RRset by RRset (an RRset: the records in a row with the same owner, type and class, and the
     * RRSIG records right after them at that owner), each whole or not at all within {@code room}; stops at the first that does not fit, or with
     * {@code skipWhatDoesNotFit} goes on to the next. Returns how many records were written.
     */
    private int wholeRRsets(List<ResourceRecord> records, int room, boolean skipWhatDoesNotFit) {
        int written = 0;
        int first = 0;
        while (first < records.size()) {
            int end = ResourceRecord.endOfRRset(records, first);
            int sizeBefore = size;
            Map<String, Integer> suffixesBefore = new HashMap<>(suffixes);
            for (ResourceRecord record : records.subList(first, end)) {
                record(record, true);
            }
            if (size <= room) {
                written += end - first;
            } else { // take the RRset back, and the suffixes it wrote with it
                size = sizeBefore;
                suffixes = suffixesBefore;
                if (!skipWhatDoesNotFit) {
                    return written;
                }
            }
            first = end;
        }
        return written;
    }

    /** The octets a record takes written on its own: only a TSIG record's, whose RDATA is kept opaque. */
    private static int lengthWritten(ResourceRecord record) {
        return record.name().wireLength() + 10 + ((RData.Unknown) record.data()).sharedData().length;
    }

    /** RFC 1035 section 4.1.3: NAME, TYPE, CLASS, TTL, RDLENGTH, then the RDATA. */
    private void record(ResourceRecord record, boolean compressOwner) {
        name(record.name(), compressOwner);
        u16(record.type().value());
        u16(record.rrClass().value());
        u32(record.ttl());
        int lengthAt = size;
        u16(0); // RDLENGTH, set once the RDATA is written
        rdata(record.data());
        int rdataLength = size - lengthAt - 2;
        out[lengthAt] = (byte) (rdataLength >>> 8);
        out[lengthAt + 1] = (byte) rdataLength;
    }

    /**
     * RDATA as its type lays it out. Only RFC 1035's own types (NS, CNAME, PTR, SOA, MX) may have their names
     * compressed (RFC 3597 section 4); SRV's target never is (RFC 2782), nor any name in a type the table describes.
     */
    private void rdata(RData data) {
        if (data instanceof RData.A a) {
            u32(a.address() & 0xffffffffL);
        } else if (data instanceof RData.AAAA aaaa) {
            u32(aaaa.high() >>> 32);
            u32(aaaa.high() & 0xffffffffL);
            u32(aaaa.low() >>> 32);
            u32(aaaa.low() & 0xffffffffL);
        } else if (data instanceof RData.Ns ns) {
            name(ns.host(), true);
        } else if (data instanceof RData.Cname cname) {
            name(cname.target(), true);
        } else if (data instanceof RData.Ptr ptr) {
            name(ptr.target(), true);
        } else if (data instanceof RData.Mx mx) {
            u16(mx.preference());
            name(mx.exchange(), true);
        } else if (data instanceof RData.Soa soa) {
            name(soa.mname(), true);
            name(soa.rname(), true);
            u32(soa.serial());
            u32(soa.refresh());
            u32(soa.retry());
            u32(soa.expire());
            u32(soa.minimum());
        } else if (data instanceof RData.Srv srv) {
            u16(srv.priority());
            u16(srv.weight());
            u16(srv.port());
            name(srv.target(), false);
        } else if (data instanceof RData.Txt txt) {
            for (byte[] string : txt.strings()) { // each a character-string: its length octet, then its octets
                u8(string.length);
                octets(string);
            }
        } else if (data instanceof RData.Caa caa) {
            u8(caa.flags());
            u8(caa.tag().length());
            octets(caa.tag().getBytes(StandardCharsets.ISO_8859_1));
            octets(caa.value());
        } else if (data instanceof RData.Opt opt) {
            for (EdnsOption option : opt.options()) { // RFC 6891 section 6.1.2: code, length, data
                u16(option.code());
                u16(option.length());
                octets(option.data());
            }
        } else if (data instanceof RData.Described described) {
            octets(described.data()); // field by field already, names written out in full
        } else if (data instanceof RData.Unknown unknown) {
            octets(unknown.data());
        }
    }

    /**
     * A name, label by label; when compressing, the first (longest) suffix already written becomes a pointer to
     * where it was written, and each suffix written here is remembered while a pointer can still reach it.
     */
    private void name(Name name, boolean compressible) {
        byte[] wire = name.wire();
        int at = 0;
        while (wire[at] != 0) {
            if (compress && compressible) {
                String suffix = new String(wire, at, wire.length - at, StandardCharsets.ISO_8859_1);
                Integer writtenAt = suffixes.get(suffix);
                if (writtenAt != null) {
                    u16(0xc000 | writtenAt);
                    return;
                }
                if (size <= MAX_POINTER_TARGET) {
                    suffixes.put(suffix, size);
                }
            }
            int labelLength = wire[at] & 0xff;
            octets(Arrays.copyOfRange(wire, at, at + 1 + labelLength)); // the length octet and the label
            at += 1 + labelLength;
        }
        u8(0); // the root
    }

    private void u8(int value) {
        octets(new byte[] {(byte) value});
    }

    /** Network order: the high octet first. */
    private void u16(int value) {
        octets(new byte[] {(byte) (value >>> 8), (byte) value});
    }

    private void u32(long value) {
        octets(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    private void octets(byte[] octets) {
        if (size + octets.length > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + octets.length));
        }
        System.arraycopy(octets, 0, out, size, octets.length);
        size += octets.length;
    }
}
