package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chivato.protocol.Header;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.capture.CaptureReader;
import dev.chivato.server.capture.Datagrams;
import dev.chivato.server.capture.PcapEncoder;
import dev.chivato.server.core.Transport;
import dev.chivato.server.dnstap.DnstapEvent;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's own {@code --capture}, read by tcpdump and by Wireshark's dissector (tshark): for every message, the
 * header, the question and every record's type, class, TTL and RDATA as tshark prints them must be what our decoder
 * reads.
 */
class WiresharkAgreementTest {
    /** What tshark prints per frame, in this order. */
    private static final List<String> FIELDS = List.of("frame.number", "dns.id", "dns.flags", "dns.qry.name",
            "dns.qry.type", "dns.qry.class", "dns.count.answers", "dns.count.auth_rr", "dns.count.add_rr",
            "dns.resp.name", "dns.resp.type", "dns.resp.class", "dns.resp.ttl", "dns.a", "dns.aaaa", "dns.ns", "dns.cname",
            "dns.ptr.domain_name", "dns.mx.mail_exchange", "dns.txt", "dns.soa.mname", "dns.srv.target");

    @TempDir
    Path dir;

    @Test
    void wiresharkReadsEveryMessageOfOurCaptureAsOurDecoderDoes() throws Exception {
        ExternalTool.require("tshark");
        Path zone = dir.resolve("example.org.zone");
        Files.writeString(zone, Files.readString(Path.of(getClass().getResource("/zones/example.org.zone").toURI())));
        Path capture = dir.resolve("own.pcap");
        String port;
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--zone", zone.toString(), "--capture",
                capture.toString(), "--log", "off")) {
            port = Integer.toString(server.port);
            for (String question : List.of("example.org SOA", "example.org MX", "txt.example.org TXT",
                    "_sip._udp.example.org SRV", "alias.example.org A", "www.example.org AAAA",
                    "nowhere.example.org A", "host.sub.example.org A", "example.org NS", "x.wild.example.org TXT")) {
                String[] q = question.split(" ");
                ExternalTool.dig(server.port, q[0], q[1]);
                ExternalTool.dig(server.port, "+tcp", q[0], q[1]);
            }
            assertEquals(0, server.terminate(10), server.stderrText());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(capture)));
        ExternalTool.Result tcpdump = ExternalTool.run("tcpdump", "-r", capture.toString(), "-n");
        assertEquals(0, tcpdump.exitCode(), tcpdump.stderr());

        Map<Long, String> ours = ourView(capture, Integer.parseInt(port));
        List<String> command = new ArrayList<>(List.of("tshark", "-r", capture.toString(), "-d",
                "udp.port==" + port + ",dns", "-d", "tcp.port==" + port + ",dns", "-Y", "dns", "-T", "fields",
                "-E", "occurrence=a", "-E", "aggregator=|"));
        FIELDS.forEach(f -> command.addAll(List.of("-e", f)));
        ExternalTool.Result tshark = ExternalTool.run(command.toArray(String[]::new));
        assertEquals(0, tshark.exitCode(), tshark.stderr());
        Map<Long, String> theirs = new LinkedHashMap<>();
        for (String line : tshark.lines()) {
            String[] fields = line.split("\t", -1);
            theirs.put(Long.parseLong(fields[0]), line.substring(line.indexOf('\t') + 1));
        }
        assertEquals(40, ours.size(), "20 questions over UDP and TCP, each asked and answered");
        assertEquals(ours.keySet(), theirs.keySet(), "the same frames hold DNS messages");
        ours.forEach((frame, view) -> assertEquals(view, theirs.get(frame), "frame " + frame));
    }

    @Test
    void wiresharkReadsEveryTestdataCaptureAsOurDecoderDoes() throws Exception {
        ExternalTool.require("tshark");
        Path capture = dir.resolve("testdata.pcap");
        java.io.ByteArrayOutputStream pcap = new java.io.ByteArrayOutputStream();
        pcap.writeBytes(PcapEncoder.fileHeader());
        PcapEncoder encoder = new PcapEncoder(nanos -> nanos);
        java.net.InetSocketAddress client = new java.net.InetSocketAddress("127.0.0.1", 40000);
        java.net.InetSocketAddress server = new java.net.InetSocketAddress("127.0.0.1", 53);
        List<String> files = new ArrayList<>();
        try (InputStream list = getClass().getResourceAsStream("/captures/captures.tsv")) {
            for (String line : new String(list.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    files.add(line.split("\t")[0]);
                }
            }
        }
        long nanos = 1_000_000_000L;
        for (String file : files) {
            try (InputStream in = getClass().getResourceAsStream("/captures/" + file)) {
                byte[] message = in.readAllBytes(); // each one its own datagram, to port 53
                encoder.write(new DnstapEvent(DnstapEvent.Role.AUTH, Transport.UDP, client, server, nanos += 1000,
                        0, message, null), pcap);
            }
        }
        Files.write(capture, pcap.toByteArray());
        Map<Long, String> ours = ourView(capture, 53);
        List<String> command = new ArrayList<>(List.of("tshark", "-r", capture.toString(), "-Y", "dns", "-T",
                "fields", "-E", "occurrence=a", "-E", "aggregator=|"));
        FIELDS.forEach(f -> command.addAll(List.of("-e", f)));
        ExternalTool.Result tshark = ExternalTool.run(command.toArray(String[]::new));
        assertEquals(0, tshark.exitCode(), tshark.stderr());
        Map<Long, String> theirs = new LinkedHashMap<>();
        for (String line : tshark.lines()) {
            theirs.put(Long.parseLong(line.split("\t", -1)[0]), line.substring(line.indexOf('\t') + 1));
        }
        assertEquals(files.size(), ours.size(), "every testdata capture is well formed and read");
        assertEquals(ours.keySet(), theirs.keySet());
        ours.forEach((frame, view) -> assertEquals(view, theirs.get(frame), files.get((int) (frame - 1))));
    }

    /** Each message of the capture, by the frame that completes it, printed as tshark prints those fields. */
    private static Map<Long, String> ourView(Path capture, int port) throws Exception {
        Map<Long, String> view = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(capture)) {
            CaptureReader reader = CaptureReader.open(in);
            Map<String, java.io.ByteArrayOutputStream> streams = new LinkedHashMap<>();
            for (CaptureReader.Packet packet; (packet = reader.next()) != null; ) {
                Datagrams.Segment segment = Datagrams.of(packet);
                if (!segment.readable() || segment.payload().length == 0) {
                    continue;
                }
                byte[] wire = segment.payload();
                if (segment.tcp()) { // our capture sends each message in segments of its own, in order
                    String key = segment.source() + segment.sourcePort() + segment.destinationPort();
                    java.io.ByteArrayOutputStream held = streams.computeIfAbsent(key,
                            k -> new java.io.ByteArrayOutputStream());
                    held.writeBytes(wire);
                    byte[] all = held.toByteArray();
                    if (all.length < 2 || all.length < 2 + ((all[0] & 0xff) << 8 | all[1] & 0xff)) {
                        continue;
                    }
                    wire = java.util.Arrays.copyOfRange(all, 2, all.length);
                    held.reset();
                }
                view.put(packet.frame(), fields(Message.decode(wire)));
            }
        }
        return view;
    }

    private static String name(Name name) {
        String text = name.toString();
        return text.equals(".") ? "<Root>" : text.substring(0, text.length() - 1);
    }

    private static String fields(Message m) {
        Header h = m.header();
        int flags = (h.qr() ? 0x8000 : 0) | h.opcode().value() << 11 | (h.aa() ? 0x400 : 0) | (h.tc() ? 0x200 : 0)
                | (h.rd() ? 0x100 : 0) | (h.ra() ? 0x80 : 0) | (h.z() ? 0x40 : 0) | (h.ad() ? 0x20 : 0)
                | (h.cd() ? 0x10 : 0) | h.rcode().value() & 0xf;
        List<ResourceRecord> records = new ArrayList<>(m.answers());
        records.addAll(m.authority());
        records.addAll(m.additional());
        List<String> types = new ArrayList<>(records.stream().map(r -> Integer.toString(r.type().value())).toList());
        // tshark prints an SRV record's owner as service, protocol and name fields of their own, not as resp.name
        List<String> owners = new ArrayList<>(records.stream().filter(r -> !r.type().equals(RRType.SRV))
                .map(r -> name(r.name())).toList());
        if (m.edns().isPresent()) {
            types.add("41");
            owners.add("<Root>");
        }
        return String.join("\t", List.of(
                String.format("0x%04x", h.id()), String.format("0x%04x", flags),
                m.question().map(q -> name(q.name())).orElse(""),
                m.question().map(q -> Integer.toString(q.type().value())).orElse(""),
                m.question().map(q -> String.format("0x%04x", q.qclass().value())).orElse(""),
                Integer.toString(m.answers().size()), Integer.toString(m.authority().size()),
                Integer.toString(m.additional().size() + (m.edns().isPresent() ? 1 : 0)),
                String.join("|", owners), String.join("|", types),
                join(records, r -> String.format("0x%04x", r.rrClass().value())),
                join(records, r -> Long.toString(r.ttl())),
                rdata(records, RData.A.class, Object::toString),
                rdata(records, RData.AAAA.class, Object::toString),
                rdata(records, RData.Ns.class, d -> name(d.host())),
                rdata(records, RData.Cname.class, d -> name(d.target())),
                rdata(records, RData.Ptr.class, d -> name(d.target())),
                rdata(records, RData.Mx.class, d -> name(d.exchange())),
                rdata(records, RData.Txt.class, d -> d.strings().stream()
                        .map(s -> new String(s, StandardCharsets.ISO_8859_1)).collect(Collectors.joining("|"))),
                rdata(records, RData.Soa.class, d -> name(d.mname())),
                rdata(records, RData.Srv.class, d -> name(d.target()))));
    }

    private static String join(List<ResourceRecord> records, Function<ResourceRecord, String> field) {
        return records.stream().map(field).collect(Collectors.joining("|"));
    }

    private static <T extends RData> String rdata(List<ResourceRecord> records, Class<T> type,
            Function<T, String> text) {
        return records.stream().map(ResourceRecord::data).filter(type::isInstance).map(type::cast).map(text)
                .collect(Collectors.joining("|"));
    }
}
