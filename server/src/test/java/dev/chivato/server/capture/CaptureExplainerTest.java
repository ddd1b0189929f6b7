package dev.chivato.server.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CaptureExplainerTest {
    private record Run(int exitCode, String out) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private static Run explain(byte[] capture, boolean brief) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = new CaptureExplainer(out, brief, 53).explain(new ByteArrayInputStream(capture));
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private static byte[] query(int id, String name) {
        return Message.query(id, true, Question.of(name, RRType.A), Optional.empty()).toWire();
    }

    private static byte[] answer(int id, String name, String address) {
        Message query = Message.query(id, true, Question.of(name, RRType.A), Optional.empty());
        return new Message(query.header().toResponse(true, Rcode.NOERROR), query.questions(),
                List.of(ResourceRecord.in(query.questions().get(0).name(), 300, RData.A.parse(address))), List.of(),
                List.of(), Optional.empty()).toWire();
    }

    private static byte[] udpExchange(Pcaps pcaps) {
        return pcaps.udp(1_000_000, 1, 40000, 2, 53, query(7, "example.com"))
                .udp(1_002_500, 2, 53, 1, 40000, answer(7, "example.com", "192.0.2.1"))
                .udp(1_003_000, 1, 40001, 2, 53, query(8, "lost.example")).bytes();
    }

    @Test
    void udpMessagesAreListedInDigsTermsAndEachResponsePairedWithItsQuery() throws Exception {
        Run run = explain(udpExchange(Pcaps.pcap(ByteOrder.LITTLE_ENDIAN)), true);
        assertEquals(0, run.exitCode(), run.out());
        assertEquals(List.of(
                "frame 1  1970-01-01T00:00:01Z  10.0.0.1:40000 -> 10.0.0.2:53  udp  query id=7 QUERY NOERROR "
                        + "flags=rd example.com. IN A answer=0 authority=0 additional=0",
                "frame 2  1970-01-01T00:00:01.002500Z  10.0.0.2:53 -> 10.0.0.1:40000  udp  response id=7 QUERY "
                        + "NOERROR flags=qr,aa,rd example.com. IN A answer=1 authority=0 additional=0  rtt=2.500 ms "
                        + "(query in frame 1)",
                "frame 3  1970-01-01T00:00:01.003Z  10.0.0.1:40001 -> 10.0.0.2:53  udp  query id=8 QUERY NOERROR "
                        + "flags=rd lost.example. IN A answer=0 authority=0 additional=0",
                "",
                ";; 1 queries without a response:",
                "frame 3  1970-01-01T00:00:01.003Z  10.0.0.1:40001 -> 10.0.0.2:53  udp  query id=8 QUERY NOERROR "
                        + "flags=rd lost.example. IN A answer=0 authority=0 additional=0",
                ";; 3 DNS messages in 3 frames, port 53"), run.lines());
    }

    @Test
    void bothByteOrdersAndPcapngWithItsResolutionReadAlike() throws Exception {
        String little = explain(udpExchange(Pcaps.pcap(ByteOrder.LITTLE_ENDIAN)), true).out();
        assertEquals(little, explain(udpExchange(Pcaps.pcap(ByteOrder.BIG_ENDIAN)), true).out());
        assertEquals(little, explain(udpExchange(Pcaps.pcapng(ByteOrder.LITTLE_ENDIAN)), true).out());
        assertEquals(little, explain(udpExchange(Pcaps.pcapng(ByteOrder.BIG_ENDIAN)), true).out());
    }

    /** The brief lines without their times (a simple packet block has none). */
    private static List<String> withoutTimes(String out) {
        return out.lines().map(l -> l.replaceAll("  \\d{4}-\\S+  ", "  ")).toList();
    }

    @Test
    void everyLinkTypeAndTheSimplePacketBlockReadAlike() throws Exception {
        List<String> ethernet = withoutTimes(explain(udpExchange(Pcaps.pcap(ByteOrder.LITTLE_ENDIAN)), true).out());
        for (int link : new int[] {-1, 113, 0, 101}) { // VLAN-tagged Ethernet, Linux SLL, BSD loopback, raw IP
            assertEquals(ethernet, withoutTimes(explain(udpExchange(Pcaps.pcap(ByteOrder.LITTLE_ENDIAN, link)),
                    true).out()), "link type " + link);
        }
        List<String> simple = withoutTimes(explain(udpExchange(Pcaps.pcapng(ByteOrder.LITTLE_ENDIAN).simple()), true)
                .out());
        assertEquals(ethernet.stream().map(l -> l.replaceAll("  rtt=.*", "")).toList(),
                simple.stream().map(l -> l.replaceAll("  rtt=.*", "")).toList());
    }

    @Test
    void tcpMessagesAreReassembledAcrossSegmentsSeveralToASegmentAndRetransmissionsOnce() throws Exception {
        byte[] first = Pcaps.framed(query(1, "one.example"));
        byte[] second = Pcaps.framed(query(2, "two.example"));
        byte[] third = Pcaps.framed(query(3, "three.example"));
        byte[] stream = new byte[first.length + second.length + third.length];
        System.arraycopy(first, 0, stream, 0, first.length);
        System.arraycopy(second, 0, stream, first.length, second.length);
        System.arraycopy(third, 0, stream, first.length + second.length, third.length);
        int cut = first.length + 5; // the first whole, the second begun
        long isn = 1000;
        byte[] capture = Pcaps.pcap(ByteOrder.LITTLE_ENDIAN)
                .tcp(1_000_000, 1, 40000, 2, 53, isn, 0x02, new byte[0])
                .tcp(1_000_100, 1, 40000, 2, 53, isn + 1, 0x18, Arrays.copyOfRange(stream, 0, cut))
                .tcp(1_000_200, 1, 40000, 2, 53, isn + 1, 0x18, Arrays.copyOfRange(stream, 0, cut)) // again
                .tcp(1_000_300, 1, 40000, 2, 53, isn + 1 + cut, 0x18, Arrays.copyOfRange(stream, cut,
                        stream.length))
                .bytes();
        Run run = explain(capture, true);
        List<String> queries = run.lines().stream().takeWhile(l -> !l.isEmpty())
                .filter(l -> l.contains(" tcp  query ")).toList();
        assertEquals(3, queries.size(), run.out());
        assertTrue(queries.get(0).contains("one.example.") && queries.get(1).contains("two.example.")
                && queries.get(2).contains("three.example."), run.out());
        assertTrue(queries.get(1).startsWith("frame 4 ") && queries.get(2).startsWith("frame 4 "), run.out());
    }

    @Test
    void anIpFragmentIsReportedNotPassedOver() throws Exception {
        byte[] capture = Pcaps.pcap(ByteOrder.LITTLE_ENDIAN).fragment(1_000_000, 1, 2, new byte[64]).bytes();
        Run run = explain(capture, true);
        assertEquals(";; frame 1: an IPv4 fragment (10.0.0.1 -> 10.0.0.2), not reassembled", run.lines().get(0));
    }

    @Test
    void aSegmentThatCameEarlyWaitsForTheGapToFill() throws Exception {
        byte[] message = Pcaps.framed(query(9, "late.example"));
        byte[] capture = Pcaps.pcap(ByteOrder.LITTLE_ENDIAN)
                .tcp(1_000_000, 1, 40000, 2, 53, 500, 0x02, new byte[0])
                .tcp(1_000_100, 1, 40000, 2, 53, 511, 0x18, Arrays.copyOfRange(message, 10, message.length))
                .tcp(1_000_200, 1, 40000, 2, 53, 501, 0x18, Arrays.copyOfRange(message, 0, 10))
                .bytes();
        Run run = explain(capture, true);
        assertTrue(run.out().contains("frame 3 ") && run.out().contains("late.example."), run.out());
    }

    @Test
    void theFullViewShowsEachMessageByteByByteAfterWhereItWent() throws Exception {
        Run run = explain(udpExchange(Pcaps.pcap(ByteOrder.LITTLE_ENDIAN)), false);
        assertTrue(run.out().startsWith(";; frame 1  1970-01-01T00:00:01Z  10.0.0.1:40000 -> 10.0.0.2:53  udp  "
                + "29 octets\n"), run.out());
        assertTrue(run.out().contains("QUESTION"), run.out());
    }

    @Test
    void everyCutOfASmallCaptureIsExplainedUpToTheCutAndNeverThrows() throws Exception {
        for (byte[] whole : List.of(udpExchange(Pcaps.pcap(ByteOrder.LITTLE_ENDIAN)),
                udpExchange(Pcaps.pcapng(ByteOrder.BIG_ENDIAN)))) {
            String full = explain(whole, true).out();
            for (int cut = 0; cut < whole.length; cut++) {
                byte[] part = Arrays.copyOf(whole, cut);
                try {
                    Run run = explain(part, true);
                    assertTrue(run.exitCode() == 1 && run.out().contains("damaged at offset")
                            || run.exitCode() == 0, "cut at " + cut + ": " + run.out());
                    List<String> wholeLines = full.lines().toList();
                    for (String line : run.lines().stream().takeWhile(l -> !l.isEmpty())
                            .filter(l -> l.startsWith("frame ")).toList()) {
                        assertTrue(wholeLines.contains(line), "cut at " + cut + ", a line the whole capture does "
                                + "not have: " + line);
                    }
                } catch (CaptureReader.NotACaptureException e) {
                    assertTrue(cut < 32, "only a cut inside the file's own header is not a capture: " + cut);
                }
            }
        }
    }

    /** With no port asked, DNS is found on any port by what the packets hold, and the ports used are said. */
    @Test
    void withNoPortAskedDnsIsFoundOnAnyPortAndThePortIsSaid() throws Exception {
        byte[] capture = Pcaps.pcap(ByteOrder.LITTLE_ENDIAN)
                .udp(1_000_000, 1, 40000, 2, 5300, query(7, "example.com"))
                .udp(1_001_000, 2, 5300, 1, 40000, answer(7, "example.com", "192.0.2.1"))
                .udp(1_002_000, 1, 40002, 2, 9999, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
                .udp(1_003_000, 1, 40003, 2, 10053, query(9, "other.example")).bytes();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new CaptureExplainer(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 0)
                .explain(new ByteArrayInputStream(capture));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains(";; 3 DNS messages in 4 frames, on port 53, 5300, 10053 (5300 found by what the "
                + "packets hold); --port N reads one port only"), out);
        assertTrue(!out.contains(":9999"), "not DNS: passed over");
    }
}
