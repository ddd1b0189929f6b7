package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.data.RecordStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Response codes and flags as dig reports them. */
class StatusTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer(RecordStore::defaults);



    private static String dig(String... args) {
        ExternalTool.Result result = ExternalTool.dig(server.port(), args);
        return result.stdout();
    }

    @Test
    void unknownNameIsNxdomain() {
        String out = dig("nowhere.com");
        assertTrue(out.contains("status: NXDOMAIN"), out);
        assertTrue(out.contains("flags: qr aa rd;"), out);
    }

    @Test
    void knownNameWithoutTheTypeIsNodata() {
        String out = dig("example.com", "AAAA");
        assertTrue(out.contains("status: NOERROR"), out);
        assertTrue(out.contains("ANSWER: 0,"), out);
    }

    @Test
    void unknownOpcodeIsNotimp() {
        String out = dig("+opcode=15", "example.com");
        assertTrue(out.contains("opcode: RESERVED15, status: NOTIMP"), out);
    }

    @Test
    void ednsVersionOneIsBadvers() {
        String out = dig("+edns=1", "+noednsneg", "example.com");
        assertTrue(out.contains("status: BADVERS"), out);
        assertTrue(out.contains("EDNS: version: 0"), out);
    }

    @Test
    void recursionIsNeverAvailable() {
        String out = dig("example.com");
        assertTrue(out.contains("WARNING: recursion requested but not available"), out);
    }

    @Test
    void doFlagIsCopiedAndOurSizeIs1232() {
        String out = dig("+dnssec", "example.com");
        assertTrue(out.contains("; EDNS: version: 0, flags: do; udp: 1232"), out);
    }

    @Test
    void questionCaseIsEchoed() {
        String out = dig("ExAmPlE.CoM");
        assertTrue(out.contains("ExAmPlE.CoM.\t\t300\tIN\tA\t1.2.3.4"), out);
    }

    @Test
    void snitchAnswersNxdomainToKnownNamesAndLogsThem() throws Exception {
        List<String> log;
        try (TestServer snitch = TestServer.start(RecordStore.defaults(), true)) {
            String out = ExternalTool.dig(snitch.port(), "example.com").stdout();
            assertTrue(out.contains("status: NXDOMAIN"), out);
            log = snitch.stopAndReadLog();
        }
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).contains("\"qname\":\"example.com.\""), log.get(0));
        assertTrue(log.get(0).contains("\"rcode\":\"NXDOMAIN\""), log.get(0));
    }

    @Test
    void aQuerySignedWithAnUnknownKeyIsNotauthBadkeyForDigAndKdig() {
        String out = dig("-y", "hmac-sha256:nokey:c2VjcmV0c2VjcmV0c2VjcmV0", "example.com");
        assertTrue(out.contains("status: NOTAUTH"), out);
        assertTrue(out.contains("BADKEY"), out);
        ExternalTool.Result kdig = ExternalTool.run("kdig", "@127.0.0.1", "-p", Integer.toString(server.port()),
                "+timeout=2", "+retry=0", "-y", "hmac-sha256:nokey:c2VjcmV0c2VjcmV0c2VjcmV0", "example.com");
        assertTrue(kdig.stdout().contains("status: BADKEY"), kdig.stdout());
        assertTrue(kdig.stdout().contains("QUERY: 1"), "the question kept: " + kdig.stdout());
    }
}
