package dev.chivato.server.tsig;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TSIG (RFC 8945): checking a signed request against our keys, and signing responses, one message or a chain of
 * them (a zone transfer, section 5.3.1). MACs are computed with the JDK's {@code javax.crypto} and compared in
 * constant time.
 */
public final class TransactionSignature {
    /** TSIG error codes (RFC 8945 section 3). */
    public static final int BADSIG = 16;
    public static final int BADKEY = 17;
    public static final int BADTIME = 18;
    public static final int BADTRUNC = 22;

    /** A key: its name, its algorithm's name on the wire ({@code hmac-sha256.}) and the JCE's, and the secret. */
    public record Key(Name name, Name algorithm, String jceAlgorithm, byte[] secret) {
        public Key {
            secret = secret.clone();
        }

        Mac mac() {
            try {
                Mac mac = Mac.getInstance(jceAlgorithm);
                mac.init(new SecretKeySpec(secret, jceAlgorithm));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK cannot compute " + jceAlgorithm, e);
            }
        }
    }

    /** The algorithms we sign with: the wire name and the JCE name. */
    public static Optional<String> jceName(Name algorithm) {
        return switch (algorithm.toString().toLowerCase(java.util.Locale.ROOT)) {
            case "hmac-sha256." -> Optional.of("HmacSHA256");
            case "hmac-sha384." -> Optional.of("HmacSHA384");
            case "hmac-sha512." -> Optional.of("HmacSHA512");
            case "hmac-sha224." -> Optional.of("HmacSHA224");
            case "hmac-sha1." -> Optional.of("HmacSHA1");
            default -> Optional.empty();
        };
    }

    /** What a request's signature says. */
    public sealed interface Check {
        /** No TSIG record. */
        record Unsigned() implements Check {
        }

        /** Signed with one of our keys, the MAC right, the time within the fudge: the response is signed too. */
        record Valid(Key key, byte[] mac, Fields fields) implements Check {
        }

        /**
         * Signed, but not acceptably: NOTAUTH with a TSIG record carrying {@code error} (BADKEY, BADSIG, BADTIME);
         * only a BADTIME answer is signed (with {@code key} and the request's MAC), as section 5.2.3 says.
         */
        record Failed(int error, Fields fields, Optional<Key> key, byte[] mac) implements Check {
        }

        /** A TSIG record that does not parse: FORMERR. */
        record Malformed() implements Check {
        }
    }

    /** The fields of a TSIG record's RDATA. */
    public record Fields(Name keyName, Name algorithm, long timeSigned, int fudge, byte[] mac, int originalId,
                         int error, byte[] other) {
    }

    private TransactionSignature() {
    }

    /** The request's TSIG record, if it has one (the decoder has already refused one anywhere but last). */
    static Optional<ResourceRecord> of(Message request) {
        List<ResourceRecord> additional = request.additional();
        if (additional.isEmpty()) {
            return Optional.empty();
        }
        ResourceRecord last = additional.get(additional.size() - 1);
        return last.type().equals(RRType.TSIG) ? Optional.of(last) : Optional.empty();
    }

    /** The check of a request when we hold no keys: every key is unknown (BADKEY), as NSD and Knot answer. */
    public static Check withoutKeys(Message request) {
        Optional<ResourceRecord> record = of(request);
        if (record.isEmpty()) {
            return new Check.Unsigned();
        }
        return fields(record.get()).<Check>map(f -> new Check.Failed(BADKEY, f, Optional.empty(), new byte[0]))
                .orElse(new Check.Malformed());
    }

    /**
     * Checks the signature of {@code request}, whose wire form is {@code packet} (position to limit) and whose view
     * is {@code view} (it says where the TSIG record starts), against {@code keys}, at {@code nowSeconds}.
     */
    public static Check check(ByteBuffer packet, QueryView view, Message request, List<Key> keys, long nowSeconds) {
        Optional<ResourceRecord> record = of(request);
        if (record.isEmpty()) {
            return new Check.Unsigned();
        }
        Optional<Fields> parsed = fields(record.get());
        int start = view.tsigOffset();
        if (parsed.isEmpty() || start < 0) {
            return new Check.Malformed();
        }
        Fields fields = parsed.get();
        Optional<Key> key = keys.stream().filter(k -> k.name().equals(fields.keyName())
                && k.algorithm().equals(fields.algorithm())).findFirst();
        if (key.isEmpty()) {
            return new Check.Failed(BADKEY, fields, Optional.empty(), new byte[0]);
        }
        Mac mac = key.get().mac();
        byte[] message = new byte[start];
        packet.get(packet.position(), message);
        message[0] = (byte) (fields.originalId() >> 8); // the ID as signed (a forwarder may have changed it)
        message[1] = (byte) fields.originalId();
        int arcount = ((message[10] & 0xff) << 8 | message[11] & 0xff) - 1;
        message[10] = (byte) (arcount >> 8);
        message[11] = (byte) arcount;
        mac.update(message);
        mac.update(variables(fields.keyName(), fields.algorithm(), fields.timeSigned(), fields.fudge(),
                fields.error(), fields.other()));
        byte[] expected = mac.doFinal();
        if (fields.mac().length > expected.length) {
            return new Check.Malformed(); // longer than the algorithm makes: FORMERR (RFC 8945 section 5.2.2.1)
        }
        if (fields.mac().length < Math.max(10, expected.length / 2)) {
            return new Check.Failed(BADTRUNC, fields, Optional.empty(), new byte[0]); // cut shorter than allowed
        }
        if (!MessageDigest.isEqual(java.util.Arrays.copyOf(expected, fields.mac().length), fields.mac())) {
            return new Check.Failed(BADSIG, fields, Optional.empty(), new byte[0]);
        }
        if (Math.abs(nowSeconds - fields.timeSigned()) > fields.fudge()) {
            return new Check.Failed(BADTIME, fields, key, fields.mac());
        }
        return new Check.Valid(key.get(), fields.mac(), fields);
    }

    /** The TSIG variables (section 4.3.3) that follow the message in the digest of a request or first response. */
    private static byte[] variables(Name keyName, Name algorithm, long time, int fudge, int error, byte[] other) {
        byte[] name = canonical(keyName);
        byte[] alg = canonical(algorithm);
        ByteBuffer out = ByteBuffer.allocate(name.length + 2 + 4 + alg.length + 6 + 2 + 2 + 2 + other.length);
        out.put(name).putShort((short) RRClass.ANY.value()).putInt(0).put(alg);
        putTime(out, time);
        out.putShort((short) fudge).putShort((short) error).putShort((short) other.length).put(other);
        return out.array();
    }

    /** The name as TSIG digests it: lower case, uncompressed (RFC 8945 section 4.3.3). */
    private static byte[] canonical(Name name) {
        return name.toLowerCase().wire();
    }

    private static void putTime(ByteBuffer out, long seconds) {
        out.putShort((short) (seconds >>> 32)).putInt((int) seconds);
    }

    /** The TSIG RDATA's fields, or empty when it does not parse. */
    public static Optional<Fields> fields(ResourceRecord record) {
        if (!(record.data() instanceof RData.Unknown unknown)) {
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
            byte[] mac = new byte[rdata.getShort() & 0xffff];
            rdata.get(mac);
            int originalId = rdata.getShort() & 0xffff;
            int error = rdata.getShort() & 0xffff;
            byte[] other = new byte[rdata.getShort() & 0xffff];
            rdata.get(other);
            if (rdata.hasRemaining()) {
                return Optional.empty();
            }
            return Optional.of(new Fields(record.name(), algorithm, timeSigned, fudge, mac, originalId, error, other));
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The unsigned TSIG record of an error answer (BADKEY, BADSIG): the request's key name, algorithm, time and
     * fudge, no MAC (section 5.3.2), the original ID and the error.
     */
    public static ResourceRecord errorRecord(Fields request, int error) {
        return record(request.keyName(), request.algorithm(), request.timeSigned(), request.fudge(), new byte[0],
                request.originalId(), error, new byte[0]);
    }

    private static ResourceRecord record(Name keyName, Name algorithm, long time, int fudge, byte[] mac,
            int originalId, int error, byte[] other) {
        byte[] alg = algorithm.wire();
        ByteBuffer rdata = ByteBuffer.allocate(alg.length + 16 + mac.length + other.length).put(alg);
        putTime(rdata, time);
        rdata.putShort((short) fudge).putShort((short) mac.length).put(mac).putShort((short) originalId)
                .putShort((short) error).putShort((short) other.length).put(other);
        return new ResourceRecord(keyName, RRClass.ANY, 0, new RData.Unknown(RRType.TSIG, rdata.array()));
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


    /**
     * Signs the messages of one response with {@code key}: the first with the request's MAC and the full TSIG
     * variables, each later one with the MAC before it and the timers only (RFC 8945 sections 5.3 and 5.3.1).
     */
    public static final class Signer implements dev.chivato.server.tsig.MessageSigner {
        private final Key key;
        private byte[] priorMac;
        private final int error;
        private final byte[] other;
        private boolean first = true;

        /** For the answer to a request signed with {@code key} whose MAC was {@code requestMac}. */
        public Signer(Key key, byte[] requestMac) {
            this(key, requestMac, 0, new byte[0]);
        }

        /** For a request of our own (a NOTIFY): no MAC before it. */
        public static Signer forRequest(Key key) {
            return new Signer(key, null, 0, new byte[0]);
        }

        Signer(Key key, byte[] requestMac, int error, byte[] other) {
            this.key = key;
            this.priorMac = requestMac == null ? null : requestMac.clone();
            this.error = error;
            this.other = other;
        }

        /** The octets a TSIG record of this key adds to a message. */
        public int overhead() {
            return key.name().wireLength() + 10 + key.algorithm().wireLength() + 16 + 64 + other.length;
        }

        @Override
        public int sign(ByteBuffer out, int start, int length) {
            return signAt(out, start, length, System.currentTimeMillis() / 1000);
        }

        /** {@link #sign} as if the clock said {@code now} (seconds since the epoch). */
        public int signAt(ByteBuffer out, int start, int length, long now) {
            int fudge = 300;
            Mac mac = key.mac();
            if (priorMac != null) {
                mac.update((byte) (priorMac.length >> 8));
                mac.update((byte) priorMac.length);
                mac.update(priorMac);
            }
            byte[] message = new byte[length];
            out.get(start, message);
            mac.update(message);
            if (first) {
                mac.update(variables(key.name(), key.algorithm(), now, fudge, error, other));
            } else {
                ByteBuffer timers = ByteBuffer.allocate(8);
                putTime(timers, now);
                mac.update(timers.putShort((short) fudge).array());
            }
            byte[] digest = mac.doFinal();
            first = false;
            priorMac = digest;
            int id = (message[0] & 0xff) << 8 | message[1] & 0xff;
            ResourceRecord tsig = record(key.name(), key.algorithm(), now, fudge, digest, id, error, other);
            int end = start + length;
            out.position(end);
            writeRecord(tsig, out);
            int arcount = (out.getShort(start + 10) & 0xffff) + 1;
            out.putShort(start + 10, (short) arcount);
            return out.position() - start;
        }

        private static void writeRecord(ResourceRecord tsig, ByteBuffer out) {
            out.put(tsig.name().wire()).putShort((short) RRType.TSIG.value()).putShort((short) RRClass.ANY.value())
                    .putInt(0);
            byte[] rdata = ((RData.Unknown) tsig.data()).data();
            out.putShort((short) rdata.length).put(rdata);
        }
    }

    /** A signer for a BADTIME answer: signed, the error set, our time in the other data (section 5.2.3). */
    public static Signer badTime(Key key, byte[] requestMac) {
        ByteBuffer now = ByteBuffer.allocate(6);
        putTime(now, System.currentTimeMillis() / 1000);
        return new Signer(key, requestMac, BADTIME, now.array());
    }
}
