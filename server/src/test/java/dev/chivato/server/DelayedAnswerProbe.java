package dev.chivato.server;

import dev.chivato.embed.Chivato;
import dev.chivato.embed.Fault;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.server.network.Server;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Run by {@link BatchedUdpIT} on a JDK 22 or later, with chivato.jar on its class path: an embedded server whose UDP
 * is read in batches answers a delayed query from its loop, over the reader's socket, after the delay. Prints how
 * UDP is read, then the milliseconds the answer took and its first record.
 */
public final class DelayedAnswerProbe {
    private DelayedAnswerProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(Server.udpReading());
        try (Chivato dns = Chivato.builder().record("192.0.2.1 db.internal").start();
                DatagramSocket socket = new DatagramSocket()) {
            dns.fault("db.internal", Fault.delay(Duration.ofMillis(300)));
            byte[] query = Message.query(7, true, Question.of("db.internal", RRType.A), Optional.empty()).toWire();
            socket.setSoTimeout(5000);
            long start = System.nanoTime();
            socket.send(new DatagramPacket(query, query.length, dns.address()));
            byte[] buffer = new byte[0xffff];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            Message answer = Message.decode(Arrays.copyOf(buffer, packet.getLength()));
            System.out.println((System.nanoTime() - start) / 1_000_000 + " ms "
                    + answer.answers().get(0).data());
        }
    }
}
