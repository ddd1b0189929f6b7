package dev.chivato.server.answer;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * The answer to a TSIG-signed request (RFC 8945) while this server holds no keys: every key is unknown, so the
 * response is NOTAUTH carrying an unsigned TSIG record with error BADKEY (section 5.2), as NSD and Knot answer.
 */
public final class TransactionSignature {
    /** TSIG error BADKEY: the key is not recognised. */
    public static final int BADKEY = 17;

    private TransactionSignature() {
    }

    /**
     * The TSIG record to send back for a request's {@code signature}: same key name, algorithm, time and fudge, no
     * MAC, the original id, error BADKEY, no other data. Empty when the request's RDATA is not a TSIG RDATA.
     */
    static Optional<ResourceRecord> badKey(ResourceRecord signature) {
        if (!(signature.data() instanceof RData.Unknown unknown)) {
            return Optional.empty();
        }
        ByteBuffer rdata = ByteBuffer.wrap(unknown.data());
        try {
            int algorithmLength = uncompressedNameLength(rdata);
            byte[] algorithmWire = new byte[algorithmLength];
            rdata.get(algorithmWire);
            Name algorithm = new Name(algorithmWire); // checks the labels and lengths
            long timeSigned = (rdata.getShort() & 0xffffL) << 32 | rdata.getInt() & 0xffffffffL;
            int fudge = rdata.getShort() & 0xffff;
            int macSize = rdata.getShort() & 0xffff;
            rdata.position(rdata.position() + macSize);
            int originalId = rdata.getShort() & 0xffff;
            rdata.getShort(); // the request's error field
            int otherLength = rdata.getShort() & 0xffff;
            if (rdata.remaining() != otherLength) {
                return Optional.empty();
            }
            ByteBuffer reply = ByteBuffer.allocate(algorithmLength + 16)
                    .put(algorithm.wire())
                    .putShort((short) (timeSigned >>> 32)).putInt((int) timeSigned)
                    .putShort((short) fudge)
                    .putShort((short) 0) // MAC size: an error about the key is never signed (section 5.3.2)
                    .putShort((short) originalId)
                    .putShort((short) BADKEY)
                    .putShort((short) 0);
            return Optional.of(new ResourceRecord(signature.name(), RRClass.ANY, 0,
                    new RData.Unknown(RRType.TSIG, reply.array())));
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The length of an uncompressed name at the buffer's position; a pointer is not allowed here. */
    private static int uncompressedNameLength(ByteBuffer rdata) {
        int at = rdata.position();
        while (true) {
            int length = rdata.get(at) & 0xff;
            if (length > 63) {
                throw new IllegalArgumentException("a compressed or reserved label in the algorithm name");
            }
            at += 1 + length;
            if (length == 0) {
                return at - rdata.position();
            }
        }
    }

    /** Whether the request ends with a TSIG record (the decoder has already refused one anywhere else). */
    static Optional<ResourceRecord> of(Message request) {
        List<ResourceRecord> additional = request.additional();
        if (additional.isEmpty()) {
            return Optional.empty();
        }
        ResourceRecord last = additional.get(additional.size() - 1);
        return last.type().equals(RRType.TSIG) ? Optional.of(last) : Optional.empty();
    }
}
