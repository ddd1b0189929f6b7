package dev.chivato.server;

import dev.chivato.protocol.Captures;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.MessageArbitraries;
import dev.chivato.protocol.Mutations;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random, generated and damaged messages through the whole handler: only the defined outcomes. */
class HandlerPropertiesTest {
    @Provide
    Arbitrary<byte[]> generatedMessages() {
        return MessageArbitraries.messages().map(Message::toWire);
    }

    @Provide
    Arbitrary<byte[]> mutatedMessages() {
        return Mutations.of(Arbitraries.oneOf(MessageArbitraries.messages().map(Message::toWire),
                Arbitraries.of(Captures.all()).map(Captures.Capture::bytes)));
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    }

    @Property(tries = 2000)
    void generatedMessagesGetOnlyDefinedOutcomes(@ForAll("generatedMessages") byte[] packet) {
        HandlerChecks.check(packet);
    }

    @Property(tries = 3000)
    void mutatedMessagesGetOnlyDefinedOutcomes(@ForAll("mutatedMessages") byte[] packet) {
        HandlerChecks.check(packet);
    }

    @Property(tries = 3000)
    void randomBytesGetOnlyDefinedOutcomes(@ForAll("randomBytes") byte[] packet) {
        HandlerChecks.check(packet);
    }
}
