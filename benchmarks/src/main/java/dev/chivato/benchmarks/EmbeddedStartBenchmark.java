package dev.chivato.benchmarks;

import dev.chivato.embed.Chivato;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The embedded test server's start, after the first in the JVM: {@code start()} with a record and a small zone, then
 * one query over UDP to its first answer (the goal: under 50 ms). Closing is outside the measured time.
 * {@code -wi 1 -w 1} leaves one start uncounted: a test JVM pays the first (class loading) once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 50)
@Fork(3)
public class EmbeddedStartBenchmark {
    private static final String ZONE = """
            @    3600 SOA ns.example.org. admin.example.org. 1 7200 900 1209600 300
                 3600 NS  ns
            ns   3600 A   192.0.2.53
            """;
    private static final byte[] QUERY = Message.query(1, true, Question.of("db.internal", RRType.A), Optional.empty())
            .toWire();
    private Chivato started;

    @Benchmark
    public int startToFirstAnswer() throws IOException {
        started = Chivato.builder().record("192.0.2.1 db.internal").zone("example.org.", ZONE).start();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(started.address());
            socket.setSoTimeout(5000);
            socket.send(new DatagramPacket(QUERY, QUERY.length));
            byte[] answer = new byte[512];
            DatagramPacket packet = new DatagramPacket(answer, answer.length);
            socket.receive(packet);
            return packet.getLength();
        }
    }

    @TearDown(Level.Iteration)
    public void close() {
        if (started != null) {
            started.close();
            started = null;
        }
    }
}
