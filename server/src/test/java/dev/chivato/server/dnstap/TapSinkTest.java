package dev.chivato.server.dnstap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.core.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TapSinkTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 53);

    @TempDir
    Path dir;

    private static DnstapEvent exchange(int octets) {
        return new DnstapEvent(DnstapEvent.Role.AUTH, Transport.TCP, CLIENT, SERVER, System.nanoTime(),
                System.nanoTime(), new byte[octets], new byte[octets]);
    }

    @Test
    void withNoCollectorTheQueueFillsToItsBoundThenDropsAndCountsWithoutWaiting() {
        List<String> warnings = new ArrayList<>();
        TapSink sink = open("unix:" + dir.resolve("nobody-listens.sock"), warnings);
        int events = 1000; // 1000 x 2 x 32 KiB: four times the queue's 16 MiB
        long start = System.nanoTime();
        for (int i = 0; i < events; i++) {
            sink.offer(exchange(32 << 10));
            assertTrue(sink.queuedOctets() <= TapSink.QUEUE_OCTETS, "the bound holds");
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "offering never waits");
        assertTrue(sink.droppedFrames() >= 2 * 700, "three quarters dropped: " + sink.droppedFrames());
        String problem = sink.close(Duration.ofSeconds(5));
        assertEquals(2L * events, sink.droppedFrames() + sink.lostFrames(), "every frame is counted once");
        assertEquals(0, sink.writtenFrames());
        assertTrue(problem.contains("dropped because the queue was full") && problem.contains("lost"), problem);
        assertTrue(warnings.stream().anyMatch(w -> w.contains("no collector at unix:")), warnings.toString());
        assertEquals(1, warnings.stream().filter(w -> w.contains("no collector")).count(),
                "one line per outage, not one per try");
    }

    @Test
    void aFileGetsEveryFrameAndEndsTheStream() throws IOException {
        Path file = dir.resolve("out.dnstap");
        TapSink sink = open("file:" + file, new ArrayList<>());
        for (int i = 0; i < 1000; i++) {
            sink.offer(exchange(100));
        }
        assertEquals(null, sink.close(Duration.ofSeconds(5)));
        assertEquals(2000, sink.writtenFrames());
        assertEquals(0, sink.queuedOctets());
        assertEquals(2000, DnstapFrames.read(file).size());
    }

    @Test
    void aTargetOfNeitherFormIsRefusedWithTheFormsItTakes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TapSink.open("tcp:127.0.0.1:6000", "x", "y", line -> { }));
        assertTrue(e.getMessage().contains("unix:PATH") && e.getMessage().contains("file:PATH"), e.getMessage());
    }

    @Test
    void aFileThatCannotBeCreatedFailsAtOnce() {
        assertThrows(IOException.class,
                () -> TapSink.open("file:" + dir.resolve("no/such/dir/x.dnstap"), "x", "y", line -> { }));
    }

    private static TapSink open(String target, List<String> warnings) {
        try {
            return TapSink.open(target, "test", "chivato test", line -> {
                synchronized (warnings) {
                    warnings.add(line);
                }
            });
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
