package dev.chivato.server.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.core.Transport;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.dnstap.TapSink;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capture file's bound: it stops whole, and what did not fit is counted. */
class CaptureFileTest {
    @TempDir
    Path dir;

    @Test
    void aCaptureStopsAtItsBoundAsAWholeFileAndCountsWhatItLost() throws Exception {
        Path file = dir.resolve("bounded.pcap");
        List<String> warnings = new ArrayList<>();
        TapSink sink = TapSink.capture(file, PcapEncoder.fileHeader(), new PcapEncoder(n -> n), 16 * 1024,
                line -> {
                    synchronized (warnings) {
                        warnings.add(line);
                    }
                });
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40000);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", 53);
        for (int i = 0; i < 500; i++) {
            sink.offer(new DnstapEvent(DnstapEvent.Role.AUTH, Transport.UDP, client, server, i, i + 1,
                    new byte[40], new byte[100]));
            if (i % 50 == 0) {
                Thread.sleep(10); // let the writer take batches as they come, as in a server
            }
        }
        String said = sink.close(Duration.ofSeconds(5));
        assertTrue(Files.size(file) <= 16 * 1024, "the bound holds: " + Files.size(file));
        assertTrue(sink.lostFrames() > 0 && said.contains("lost"), said);
        assertEquals(1000, sink.writtenFrames() + sink.lostFrames() + sink.droppedFrames());
        try (InputStream in = Files.newInputStream(file)) {
            CaptureReader reader = CaptureReader.open(in);
            long packets = 0;
            while (reader.next() != null) {
                packets++;
            }
            assertNull(reader.damage(), "a whole capture, not one cut in the middle of a packet");
            assertEquals(sink.writtenFrames(), packets);
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("reached its bound")), warnings.toString());
    }

    @Test
    void ipv6ExchangesOverUdpAndTcpComeBackThroughExplainWithTheirAddresses() throws Exception {
        java.io.ByteArrayOutputStream pcap = new java.io.ByteArrayOutputStream();
        pcap.writeBytes(PcapEncoder.fileHeader());
        PcapEncoder encoder = new PcapEncoder(n -> n);
        InetSocketAddress client = new InetSocketAddress("::1", 40000);
        InetSocketAddress server = new InetSocketAddress("::1", 53);
        byte[] query = dev.chivato.protocol.Message.query(5, true, dev.chivato.protocol.Question.of("example.com",
                dev.chivato.protocol.RRType.AAAA), java.util.Optional.empty()).toWire();
        byte[] answer = query.clone();
        answer[2] |= (byte) 0x80;
        java.util.List<dev.chivato.protocol.ResourceRecord> many = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            many.add(dev.chivato.protocol.ResourceRecord.in(dev.chivato.protocol.Name.parse("example.com"), 60,
                    dev.chivato.protocol.RData.AAAA.parse("2001:db8::" + Integer.toHexString(i + 1))));
        }
        dev.chivato.protocol.Message decoded = dev.chivato.protocol.Message.decode(query);
        byte[] big = new dev.chivato.protocol.Message(decoded.header().toResponse(true,
                dev.chivato.protocol.Rcode.NOERROR), decoded.questions(), many, List.of(), List.of(),
                java.util.Optional.empty()).toWire(); // longer than one packet: several segments
        encoder.write(new DnstapEvent(DnstapEvent.Role.AUTH, Transport.UDP, client, server, 1_000, 2_000, query,
                answer), pcap);
        encoder.write(new DnstapEvent(DnstapEvent.Role.AUTH, Transport.TCP, client, server, 3_000, 4_000, query,
                big), pcap);
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        int code = new CaptureExplainer(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8),
                true, 53).explain(new java.io.ByteArrayInputStream(pcap.toByteArray()));
        String out = text.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertEquals(2, out.lines().filter(l -> l.contains("[::1]:40000 -> [::1]:53  ") && l.contains("query id=5"))
                .count(), out);
        assertEquals(2, out.lines().filter(l -> l.contains("[::1]:53 -> [::1]:40000  ") && l.contains("rtt="))
                .count(), out);
        assertTrue(big.length > 2 * PcapEncoder.SEGMENT, big.length + " octets");
        assertTrue(out.contains(";; 4 DNS messages in 9 frames"), "UDP 2, TCP handshake 3, query 1, answer 3: " + out);
        assertTrue(out.contains("answer=150"), out);
    }

    /**
     * A capture path that is a link (dangling, or to a file of someone else's) is replaced by a new owner-only file;
     * what the link pointed to is neither truncated nor created.
     */
    @Test
    void aCaptureIsCreatedAnewOwnerOnlyNeverThroughALink() throws Exception {
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "precious");
        Path linked = dir.resolve("linked.pcap");
        Files.createSymbolicLink(linked, victim);
        Path dangling = dir.resolve("dangling.pcap");
        Path nowhere = dir.resolve("would-be-created");
        Files.createSymbolicLink(dangling, nowhere);
        Path old = dir.resolve("old.pcap");
        Files.writeString(old, "an old capture");
        Files.setPosixFilePermissions(old, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        for (Path path : List.of(linked, dangling, old)) {
            TapSink sink = TapSink.capture(path, PcapEncoder.fileHeader(), new PcapEncoder(n -> n), 1 << 20,
                    line -> { });
            sink.close(Duration.ofSeconds(5));
            assertTrue(Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS), path + " is a file");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(path)), path.toString());
            assertEquals(24, Files.size(path), "a new capture: its header alone");
        }
        assertEquals("precious", Files.readString(victim), "the link's target is untouched");
        assertTrue(!Files.exists(nowhere), "a dangling link's target is not created");
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".new")), "no temporary file left");
        }
    }
}
