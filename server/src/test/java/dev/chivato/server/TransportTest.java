package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.network.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** UDP, TCP, truncation and pipelining, seen through dig and a raw socket. */
class TransportTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer(TestServer::seedAndBig);



    private static List<String> answerLines(ExternalTool.Result result) {
        return result.stdout().lines().filter(l -> l.startsWith("big.example.com.") || l.startsWith("example."))
                .filter(l -> l.contains("\tA\t")).toList();
    }

    @Test
    void digOverTcpGetsTheAnswer() {
        ExternalTool.Result result = ExternalTool.dig(server.port(), "+tcp", "+short", "example.com");
        assertEquals(List.of("1.2.3.4", "1.2.3.5"), result.lines());
    }

    @Test
    void digWithoutEdnsGetsAnAnswerWithoutOpt() {
        ExternalTool.Result result = ExternalTool.dig(server.port(), "+noedns", "example.com");
        assertTrue(result.stdout().contains("status: NOERROR"), result.stdout());
        assertTrue(!result.stdout().contains("OPT PSEUDOSECTION"), result.stdout());
        assertEquals(2, answerLines(result).size());
    }

    @Test
    void hundredRecordsOverUdpAreTruncatedWithoutEdns() {
        ExternalTool.Result result = ExternalTool.dig(server.port(), "+noedns", "+ignore", "big.example.com");
        assertTrue(result.stdout().contains("flags: qr aa tc rd;"), result.stdout());
        assertTrue(result.stdout().contains("ANSWER: 0,"), result.stdout());
    }

    @Test
    void hundredRecordsWithBufsize512AreTruncatedThenFullOverTcp() {
        ExternalTool.Result result = ExternalTool.dig(server.port(), "+bufsize=512", "big.example.com");
        assertTrue(result.stdout().contains("Truncated, retrying in TCP mode."), result.stdout());
        assertEquals(100, answerLines(result).size(), result.stdout());
        assertTrue(result.stdout().contains("(TCP)"), result.stdout());
    }

    @Test
    void hundredRecordsWithDefaultEdnsAlsoFallBackToTcp() {
        // 100 A records take 1,627 octets: more than our 1232 even with EDNS.
        ExternalTool.Result result = ExternalTool.dig(server.port(), "big.example.com");
        assertTrue(result.stdout().contains("Truncated, retrying in TCP mode."), result.stdout());
        assertEquals(100, answerLines(result).size(), result.stdout());
        assertTrue(result.stdout().contains("(TCP)"), result.stdout());
        ExternalTool.Result udpOnly = ExternalTool.dig(server.port(), "+ignore", "big.example.com");
        assertTrue(udpOnly.stdout().contains("flags: qr aa tc rd; QUERY: 1, ANSWER: 0,"), udpOnly.stdout());
    }

    @Test
    void digKeepopenAsksSeveralQueriesOnOneConnection() {
        ExternalTool.Result result = ExternalTool.dig(server.port(), "+tcp", "+keepopen", "+short",
                "example.com", "example.my", "-x", "1.2.3.5");
        assertEquals(List.of("1.2.3.4", "1.2.3.5", "1.2.3.5", "example.com.", "example.my."), result.lines());
    }

    @Test
    void threePipelinedQueriesInOneWriteAreAllAnswered() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        String[] names = {"example.com", "example.my", "nowhere.com"};
        for (int i = 0; i < names.length; i++) {
            byte[] query = Message.query(100 + i, true, Question.of(names[i], RRType.A), Optional.empty()).toWire();
            stream.write(query.length >> 8);
            stream.write(query.length);
            stream.write(query);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(stream.toByteArray());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int[] answerCounts = {2, 1, 0};
            for (int i = 0; i < names.length; i++) {
                byte[] answer = new byte[in.readUnsignedShort()];
                in.readFully(answer);
                Message response = Message.decode(answer);
                assertEquals(100 + i, response.header().id());
                assertEquals(answerCounts[i], response.answers().size());
                assertEquals(i == 2 ? Rcode.NXDOMAIN : Rcode.NOERROR, response.rcode());
            }
        }
    }

    @Test
    void ipv6ListenAddressIsServedOverUdpAndTcp() throws Exception {
        ServerConfig config = ServerConfig.of(List.of(new InetSocketAddress("::1", 0)), 1);
        try (TestServer v6 = TestServer.start(TestServer.seedAndBig(), config)) {
            String port = Integer.toString(v6.port());
            assertEquals("[::1]:" + port, LogFormat.address(v6.server.udpAddress()));
            for (String transport : List.of("+notcp", "+tcp")) {
                ExternalTool.Result result = ExternalTool.run("dig", "@::1", "-p", port, "+time=2", "+tries=2",
                        "+short", transport, "six.example.com", "AAAA");
                assertEquals(List.of("2001:db8::1"), result.lines(), transport);
            }
        }
    }
}
