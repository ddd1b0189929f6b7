package dev.chivato.server;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.WireFormatException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * A client that sends one question over UDP from one loopback address at a steady rate for a bounded time, and
 * counts what comes back: full answers, slipped ones (TC set, nothing in them), and octets each way. The flood of
 * the rate-limiting tests; it stops by itself.
 */
final class UdpFlood {
    /** What came of a flood. */
    record Result(int sent, int answered, int slipped, long octetsSent, long octetsReceived) {
        /** Octets back per octet sent: what a forged source would reflect onto its victim. */
        double amplification() {
            return octetsSent == 0 ? 0 : (double) octetsReceived / octetsSent;
        }
    }

    private UdpFlood() {
    }

    /**
     * Sends {@code perSecond} queries for {@code name} {@code type} from {@code from} to {@code port} for
     * {@code seconds}, then waits half a second for late answers.
     */
    static Result run(String from, int port, String name, String type, int perSecond, double seconds)
            throws IOException, InterruptedException {
        byte[] query = Message.query(1, false, Question.of(name, RRType.parse(type)), Optional.of(Edns.of(1232,
                false))).toWire();
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.bind(new InetSocketAddress(from, 0));
            channel.connect(new InetSocketAddress("127.0.0.1", port));
            Receiver receiver = new Receiver(channel);
            Thread thread = new Thread(receiver, "flood receiver");
            thread.setDaemon(true);
            thread.start();
            int total = (int) (perSecond * seconds);
            long start = System.nanoTime();
            long interval = 1_000_000_000L / perSecond;
            ByteBuffer out = ByteBuffer.wrap(query);
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                long early = due - System.nanoTime();
                if (early > 200_000) {
                    LockSupport.parkNanos(early); // the flood's own pace, not a wait for the server
                }
                query[0] = (byte) (i >>> 8);
                query[1] = (byte) i;
                channel.write(out.clear());
            }
            LockSupport.parkNanos(500_000_000L); // answers still on their way
            receiver.stop = true;
            thread.join(2000);
            return new Result(total, receiver.answered, receiver.slipped, (long) total * query.length,
                    receiver.octets);
        }
    }

    private static final class Receiver implements Runnable {
        private final DatagramChannel channel;
        volatile boolean stop;
        volatile int answered;
        volatile int slipped;
        volatile long octets;

        Receiver(DatagramChannel channel) throws IOException {
            this.channel = channel;
            channel.configureBlocking(false);
        }

        @Override
        public void run() {
            ByteBuffer in = ByteBuffer.allocate(65535);
            while (!stop) {
                try {
                    int length = channel.read(in.clear());
                    if (length <= 0) {
                        LockSupport.parkNanos(100_000);
                        continue;
                    }
                    octets += length;
                    Message answer = Message.decode(ByteBuffer.wrap(in.array(), 0, length));
                    if (answer.header().tc() && answer.answers().isEmpty()) {
                        slipped++;
                    } else {
                        answered++;
                    }
                } catch (IOException | WireFormatException e) {
                    // a refused port or an answer that does not decode: counted as nothing
                }
            }
        }
    }
}
