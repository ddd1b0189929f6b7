package dev.chivato.server.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.answer.Transport;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.dnstap.DnstapSink;
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
        DnstapSink sink = DnstapSink.capture(file, PcapEncoder.fileHeader(), new PcapEncoder(n -> n), 16 * 1024,
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
}
