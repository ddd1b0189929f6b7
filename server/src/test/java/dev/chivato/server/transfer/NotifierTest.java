package dev.chivato.server.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Opcode;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.tsig.MessageSigner;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotifierTest {
    private static ResourceRecord soa(String zone, long serial) {
        return ResourceRecord.in(Name.parse(zone), 3600, new RData.Soa(Name.parse("ns1." + zone),
                Name.parse("hostmaster." + zone), serial, 7200, 3600, 1209600, 300));
    }

    /** A secondary that is down while a zone is reloaded a thousand times holds one NOTIFY per zone, not a queue. */
    @Test
    void aZoneThatKeepsChangingWaitsOnceWithItsLatestSoa() throws Exception {
        try (DatagramSocket secondary = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                Notifier notifier = new Notifier(List.of((InetSocketAddress) secondary.getLocalSocketAddress()),
                        QueryLog.off(), line -> { }, MessageSigner.Factory.UNSIGNED)) {
            secondary.setSoTimeout(5000);
            notifier.changed(soa("example.org", 1));
            DatagramPacket first = new DatagramPacket(new byte[512], 512);
            secondary.receive(first); // the first NOTIFY is under way (no one acknowledges it)
            for (long serial = 2; serial <= 1000; serial++) {
                notifier.changed(soa("example.org", serial));
                notifier.changed(soa("example.net", serial));
            }
            assertEquals(2, notifier.waiting(), "one per zone waits, whatever the reloads");
            Message sent = Message.decode(Arrays.copyOf(first.getData(), first.getLength()));
            assertTrue(sent.header().opcode().equals(Opcode.NOTIFY));
        }
    }
}
