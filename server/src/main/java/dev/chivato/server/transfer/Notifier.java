package dev.chivato.server.transfer;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.core.Transport;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.tsig.MessageSigner;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells the secondaries ({@code --notify}) that a zone changed (RFC 1996): a NOTIFY for the zone, its new SOA in
 * the answer section, sent over UDP until one acknowledges it (a response with the same ID and opcode), at most
 * {@link #TRIES} times, waiting 1, 2, 4, 8 and 16 seconds after each. Each target has its own thread, so a secondary
 * that is down delays no other; each NOTIFY is logged with how it ended.
 *
 * <p>Bounded: one NOTIFY per zone and target waits at most (coalesced: a zone that changes again before its NOTIFY
 * went out is notified once, with its latest SOA), besides the one being sent.
 */
public final class Notifier implements AutoCloseable {
    public static final int TRIES = 5;
    private static final int FIRST_WAIT_MILLIS = 1000;

    private final List<Target> targets = new ArrayList<>();
    private final QueryLog log;
    private final Consumer<String> warnings;
    private final MessageSigner.Factory signers;
    private final SecureRandom random = new SecureRandom();

    public Notifier(List<InetSocketAddress> targets, QueryLog log, Consumer<String> warnings,
            MessageSigner.Factory signers) {
        this.log = log;
        this.warnings = warnings;
        this.signers = signers;
        for (InetSocketAddress target : targets) {
            this.targets.add(new Target(target));
        }
    }

    /** One secondary: its thread, and the latest SOA of each zone whose NOTIFY waits to go out to it. */
    private final class Target {
        final InetSocketAddress address;
        final ExecutorService thread;
        /** Guarded by this. */
        private final Map<Name, ResourceRecord> waiting = new HashMap<>();

        Target(InetSocketAddress address) {
            this.address = address;
            this.thread = Executors.newSingleThreadExecutor(runnable -> {
                Thread notifying = new Thread(runnable, "chivato-notify-" + address);
                notifying.setDaemon(true);
                return notifying;
            });
        }

        void changed(ResourceRecord soa) {
            boolean queued;
            synchronized (this) {
                queued = waiting.put(soa.name(), soa) != null;
            }
            if (!queued) {
                thread.execute(() -> {
                    ResourceRecord latest;
                    synchronized (this) {
                        latest = waiting.remove(soa.name());
                    }
                    notifySaying(address, latest);
                });
            }
        }

        synchronized int waiting() {
            return waiting.size();
        }
    }

    /** Notifies every target that {@code zone} now has this SOA; returns at once. */
    public void changed(ResourceRecord soa) {
        targets.forEach(target -> target.changed(soa));
    }

    /** NOTIFYs waiting to go out, over all targets: at most one per zone and target. */
    int waiting() {
        return targets.stream().mapToInt(Target::waiting).sum();
    }

    /** A NOTIFY whose failure, a bug included, is said: an executor would otherwise drop it without a word. */
    private void notifySaying(InetSocketAddress target, ResourceRecord soa) {
        try {
            notify(target, soa);
        } catch (RuntimeException | Error bug) {
            warnings.accept("chivato: NOTIFY " + soa.name() + " to " + address(target) + " failed: "
                    + dev.chivato.server.log.Problems.describe(bug));
        }
    }

    private void notify(InetSocketAddress target, ResourceRecord soa) {
        long start = System.nanoTime();
        int id = random.nextInt(0x10000);
        Header header = new Header(id, false, Opcode.NOTIFY, true, false, false, false, false, false, false,
                Rcode.NOERROR);
        Message notify = new Message(header, List.of(new Question(soa.name(), RRType.SOA, RRClass.IN)), List.of(soa),
                List.of(), List.of(), Optional.empty());
        byte[] wire = signers.sign(notify);
        String outcome = "no answer after " + TRIES + " tries";
        int tries = 0;
        try (DatagramSocket socket = new DatagramSocket()) {
            for (int wait = FIRST_WAIT_MILLIS; tries < TRIES; wait *= 2) {
                tries++;
                socket.send(new DatagramPacket(wire, wire.length, target));
                Optional<Rcode> answered = awaitAcknowledgement(socket, target, id, wait);
                if (answered.isPresent()) {
                    outcome = answered.get().equals(Rcode.NOERROR) ? null : "answered " + answered.get();
                    break;
                }
            }
        } catch (IOException e) {
            outcome = "cannot send: " + e.getMessage();
        }
        if (outcome != null) {
            warnings.accept("chivato: NOTIFY " + soa.name() + " to " + address(target) + ": " + outcome);
        }
        if (log.enabled()) {
            log.log(new LogEntry.Notify(System.currentTimeMillis(), Transport.UDP, target, soa.name().toString(),
                    ((dev.chivato.protocol.RData.Soa) soa.data()).serial(), tries,
                    (System.nanoTime() - start) / 1_000_000, Optional.ofNullable(outcome)));
        }
    }

    /** The rcode of the acknowledgement from {@code target}, or empty when none came within {@code millis}. */
    private static Optional<Rcode> awaitAcknowledgement(DatagramSocket socket, InetSocketAddress target, int id,
            int millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        byte[] buffer = new byte[4096];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return Optional.empty();
            }
            socket.setSoTimeout((int) left);
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return Optional.empty();
            }
            if (!target.equals(packet.getSocketAddress())) {
                continue; // not from the secondary asked
            }
            try {
                Message answer = Message.decode(Arrays.copyOf(packet.getData(), packet.getLength()));
                if (answer.header().qr() && answer.header().id() == id
                        && answer.header().opcode().equals(Opcode.NOTIFY)) {
                    return Optional.of(answer.rcode());
                }
            } catch (WireFormatException ignored) {
                // not DNS: keep waiting
            }
        }
    }

    private static String address(InetSocketAddress target) {
        return dev.chivato.server.log.LogFormat.address(target);
    }

    @Override
    public void close() {
        targets.forEach(target -> target.thread.shutdownNow());
        for (Target target : targets) {
            try {
                target.thread.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
