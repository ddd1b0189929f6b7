package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class CodecPropertiesTest {
    /** Generous: a hang, not speed, is what these catch. */
    private static final Duration NO_HANG = Duration.ofSeconds(10);

    @Provide
    Arbitrary<Message> messages() {
        return MessageArbitraries.messages();
    }

    @Property(tries = 2000)
    void decodingTheEncodingGivesTheMessageBack(@ForAll("messages") Message message) throws WireFormatException {
        assertEquals(message, Message.decode(message.toWire()));
    }

    @Property(tries = 500)
    void uncompressedEncodingAlsoDecodesBack(@ForAll("messages") Message message) throws WireFormatException {
        assertEquals(message, Message.decode(message.toWire(false)));
    }

    @Provide
    Arbitrary<RData> rdata() {
        return MessageArbitraries.rdataIn();
    }

    @Property(tries = 1000)
    void rdataAloneDecodesBackFromItsUncompressedForm(@ForAll("rdata") RData data) throws WireFormatException {
        ByteBuffer out = ByteBuffer.allocate(Message.MAX_LENGTH);
        out.position(3); // anywhere in a buffer
        int length = RData.encode(data, out);
        assertEquals(3 + length, out.position());
        assertEquals(data, RData.decode(data.type(), ByteBuffer.wrap(out.array(), 3, length).slice()));
    }

    /**
     * Names the decoder makes (its own checked array, no second copy; the same object for a pointer to a name it read)
     * are, in every way one can observe, the names built from a copy of their octets.
     */
    @Property(tries = 1000)
    void aDecodedNameIsItsCopiedFormInEveryObservableWay(@ForAll("messages") Message message)
            throws WireFormatException {
        Message decoded = Message.decode(message.toWire());
        java.util.List<Name> names = new java.util.ArrayList<>();
        decoded.questions().forEach(q -> names.add(q.name()));
        for (java.util.List<ResourceRecord> section : java.util.List.of(decoded.answers(), decoded.authority(),
                decoded.additional())) {
            section.forEach(r -> names.add(r.name()));
        }
        for (Name name : names) {
            Name copied = new Name(name.wire());
            assertEquals(copied, name);
            assertEquals(name, copied);
            assertEquals(copied.hashCode(), name.hashCode());
            assertEquals(copied.toString(), name.toString());
            assertArrayEquals(copied.wire(), name.wire());
            assertTrue(copied.equalsExactly(name));
            assertEquals(copied.wireLength(), name.wireLength());
        }
    }

    /** The encoder writes into a heap buffer's array and through a scratch array for the others: same octets. */
    @Property(tries = 500)
    void aDirectBufferFromAnyPositionGetsTheOctetsAnArrayGets(@ForAll("messages") Message message) {
        byte[] expected = message.toWire();
        ByteBuffer direct = ByteBuffer.allocateDirect(Message.MAX_LENGTH + 7);
        direct.position(7);
        int length = message.encode(direct, Message.MAX_LENGTH);
        assertEquals(expected.length, length);
        assertEquals(7 + length, direct.position());
        byte[] written = new byte[length];
        direct.get(7, written);
        assertArrayEquals(expected, written);
    }

    /** A direct buffer is written through a scratch array of one message's size: more than that is refused. */
    @org.junit.jupiter.api.Test
    void rdataLongerThanAMessageCanHoldIsRefusedEvenWhereTheDirectBufferHasRoom() {
        byte[] string = new byte[255];
        RData.Txt huge = new RData.Txt(java.util.Collections.nCopies(300, string)); // 76,800 octets
        ByteBuffer direct = ByteBuffer.allocateDirect(128 * 1024);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> RData.encode(huge, direct));
        assertEquals(0, direct.position());
    }

    @Property(tries = 500)
    void encodingIsDeterministic(@ForAll("messages") Message message) {
        assertArrayEquals(message.toWire(), message.toWire());
    }

    @Property(tries = 1000)
    void compressedIsNeverLongerThanUncompressed(@ForAll("messages") Message message) {
        assertTrue(message.toWire(true).length <= message.toWire(false).length);
    }

    @Property(tries = 1000)
    void encodingWithinALimitNeverExceedsItAndStillDecodes(@ForAll("messages") Message message,
            @ForAll("limits") int limit) throws WireFormatException {
        int needed = Header.LENGTH + message.edns().map(Edns::wireLength).orElse(0)
                + message.questions().stream().mapToInt(q -> q.name().wireLength() + 4).sum();
        if (limit < needed) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(limit);
        int length = message.encode(out, limit);
        assertTrue(length <= limit);
        Message decoded = Message.decode(ByteBuffer.wrap(out.array(), 0, length));
        assertEquals(message.edns(), decoded.edns(), "the OPT record is kept");
        assertEquals(message.questions(), decoded.questions());
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.integers().between(12, 1500);
    }

    @Property(tries = 5000)
    void arbitraryBytesDecodeOrThrowWireFormatException(@ForAll("anyBytes") byte[] bytes) {
        assertTimeoutPreemptively(NO_HANG, () -> decodeOrReject(bytes));
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    }

    @Property(tries = 5000)
    void mutatedCapturesDecodeOrThrowWireFormatException(@ForAll("mutatedCaptures") byte[] bytes) {
        assertTimeoutPreemptively(NO_HANG, () -> decodeOrReject(bytes));
    }

    @Provide
    Arbitrary<byte[]> mutatedCaptures() {
        return Mutations.of(Arbitraries.of(Captures.all()).map(Captures.Capture::bytes));
    }

    /** The only outcomes allowed: a message that survives re-encoding, or the one exception type. */
    private static void decodeOrReject(byte[] bytes) {
        DecoderChecks.check(bytes);
    }
}
