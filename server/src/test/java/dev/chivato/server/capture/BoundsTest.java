package dev.chivato.server.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.core.Transport;
import dev.chivato.server.dnstap.DnstapEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every table a capture can grow stops at its bound, and says so. */
class BoundsTest {
    private static Datagrams.Segment segment(String source, int port, long seq, int flags, byte[] payload) {
        return new Datagrams.Segment(source, port, "10.0.0.2", 53, true, seq, flags, payload, null);
    }

    @Test
    void aGapThatDoesNotFillWithinTheEarlySegmentsAllowedResumesAfterIt() {
        TcpStreams streams = new TcpStreams();
        streams.accept(segment("10.0.0.1", 40000, 100, Datagrams.Segment.SYN, new byte[0]));
        for (int i = 0; i <= TcpStreams.MAX_EARLY; i++) { // each one ahead of a gap that never fills
            streams.accept(segment("10.0.0.1", 40000, 1000 + 10L * i, 0x18, new byte[1]));
        }
        List<String> notes = streams.takeNotes();
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).contains("did not fill within " + TcpStreams.MAX_EARLY), notes.get(0));
    }

    @Test
    void pastTheStreamsFollowedAtOnceTheOldestIsForgottenAndSaid() {
        TcpStreams streams = new TcpStreams();
        for (int i = 0; i <= TcpStreams.MAX_STREAMS; i++) {
            streams.accept(segment("10.1." + (i >> 8) + "." + (i & 255), 40000, 1, Datagrams.Segment.SYN,
                    new byte[0]));
        }
        List<String> notes = streams.takeNotes();
        assertEquals(List.of("more than " + TcpStreams.MAX_STREAMS + " TCP streams at once: one was forgotten"), notes);
    }

    @Test
    void pastTheQueriesWaitedForTheOldestAreForgottenAndCounted() throws Exception {
        byte[] capture = Pcaps.pcap(ByteOrder.LITTLE_ENDIAN)
                .udp(1_000_000, 1, 40000, 2, 53, dev.chivato.protocol.Message.query(1, true,
                        dev.chivato.protocol.Question.of("one.example", dev.chivato.protocol.RRType.A),
                        java.util.Optional.empty()).toWire())
                .udp(1_000_001, 1, 40001, 2, 53, dev.chivato.protocol.Message.query(2, true,
                        dev.chivato.protocol.Question.of("two.example", dev.chivato.protocol.RRType.A),
                        java.util.Optional.empty()).toWire())
                .udp(1_000_002, 1, 40002, 2, 53, dev.chivato.protocol.Message.query(3, true,
                        dev.chivato.protocol.Question.of("three.example", dev.chivato.protocol.RRType.A),
                        java.util.Optional.empty()).toWire())
                .bytes();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        new CaptureExplainer(new PrintStream(text, true, StandardCharsets.UTF_8), true, 53, 2)
                .explain(new ByteArrayInputStream(capture));
        String out = text.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains(";; 2 queries without a response:"), out);
        assertTrue(out.contains(";; 1 older queries were no longer waited for (more than 2 waited at once)"), out);
    }

    @Test
    void theCaptureForgetsTheOldestConnectionsPastItsBoundAndOpensOneAnewWhenItComesBack() throws Exception {
        PcapEncoder encoder = new PcapEncoder(n -> n);
        OutputStream nowhere = OutputStream.nullOutputStream();
        InetSocketAddress server = new InetSocketAddress("10.0.0.2", 53);
        byte[] query = new byte[12];
        InetSocketAddress first = null;
        for (int i = 0; i <= PcapEncoder.MAX_CONNECTIONS; i++) {
            InetSocketAddress client = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 2,
                    (byte) (i >> 8), (byte) i}), 40000);
            first = first == null ? client : first;
            assertEquals(4, encoder.write(new DnstapEvent(DnstapEvent.Role.AUTH, Transport.TCP, client, server, i, 0,
                    query, null), nowhere), "a handshake and the query");
        }
        assertEquals(4, encoder.write(new DnstapEvent(DnstapEvent.Role.AUTH, Transport.TCP, first, server, 0, 0,
                query, null), nowhere), "forgotten, so opened anew");
        InetSocketAddress last = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 2,
                (byte) (PcapEncoder.MAX_CONNECTIONS >> 8), (byte) PcapEncoder.MAX_CONNECTIONS}), 40000);
        assertEquals(1, encoder.write(new DnstapEvent(DnstapEvent.Role.AUTH, Transport.TCP, last, server, 0, 0, query,
                null), nowhere), "still followed");
    }

    /** A segment half the sequence space away from its stream: neither ahead nor behind, and no overflow. */
    @Test
    void aSegmentFarFromItsStreamResumesTheStreamInsteadOfOverflowing() {
        TcpStreams streams = new TcpStreams();
        streams.accept(segment("10.0.0.1", 40000, 100, Datagrams.Segment.SYN, new byte[0]));
        byte[] message = Pcaps.framed(new byte[12]);
        assertEquals(List.of(), streams.accept(segment("10.0.0.1", 40000, 101 + (1L << 31), 0x18,
                java.util.Arrays.copyOf(message, 3))));
        assertTrue(streams.takeNotes().get(0).contains("from where its stream was"));
        assertEquals(1, streams.accept(segment("10.0.0.1", 40000, 104 + (1L << 31), 0x18,
                java.util.Arrays.copyOfRange(message, 3, message.length))).size(), "the stream goes on from it");
    }

    @Test
    void anEnhancedPacketBlockShorterThanItsFieldsIsDamageNotACrash() throws Exception {
        java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(6)
                .putInt(12).putInt(12);
        CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(Pcaps.pcapng(ByteOrder.LITTLE_ENDIAN)
                .raw(block.array()).bytes()));
        assertEquals(null, reader.next());
        assertTrue(reader.damage().contains("an enhanced packet block shorter than its fields"), reader.damage());
    }

    @Test
    void interfaceBlocksPastTheirBoundAreDamageNotAGrowingList() throws Exception {
        java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putInt(1)
                .putInt(20).putShort((short) 1).putShort((short) 0).putInt(65535).putInt(20);
        Pcaps capture = Pcaps.pcapng(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < CaptureReader.MAX_INTERFACES + 10; i++) {
            capture.raw(block.array());
        }
        CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(capture.bytes()));
        assertEquals(null, reader.next());
        assertTrue(reader.damage().contains("more than " + CaptureReader.MAX_INTERFACES + " interface blocks"),
                reader.damage());
    }
}
