package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.data.RecordStore;
import dev.chivato.server.log.LogFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JSON log: one entry per query sent, with the documented fields. */
class QueryLogTest {
    private static String field(String line, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]*)").matcher(line);
        assertTrue(m.find(), name + " in " + line);
        String value = m.group(1);
        return value.startsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }

    @Test
    void jsonLogHasExactlyOneEntryPerQueryWithItsFields() throws Exception {
        List<String> log;
        try (TestServer server = TestServer.start(RecordStore.defaults())) {
            ExternalTool.dig(server.port(), "+short", "example.com");
            ExternalTool.dig(server.port(), "+short", "+noedns", "+norec", "nowhere.com", "AAAA");
            ExternalTool.dig(server.port(), "+short", "+tcp", "+dnssec", "-x", "1.2.3.5");
            log = server.stopAndReadLog();
        }
        assertEquals(3, log.size(), String.join("\n", log));

        String a = log.get(0);
        assertEquals("query", field(a, "kind"));
        assertEquals("udp", field(a, "transport"));
        assertTrue(field(a, "client").startsWith("127.0.0.1:"), a);
        assertTrue(field(a, "ts").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), a);
        assertEquals("QUERY", field(a, "opcode"));
        assertEquals("true", field(a, "rd"));
        assertEquals("false", field(a, "do"));
        assertEquals("example.com.", field(a, "qname"));
        assertEquals("A", field(a, "qtype"));
        assertEquals("IN", field(a, "qclass"));
        assertEquals("1232", field(a, "edns_size"));
        assertEquals("NOERROR", field(a, "rcode"));
        assertEquals("2", field(a, "answers"));
        assertEquals("records", field(a, "source"));
        assertTrue(Integer.parseInt(field(a, "size")) > 12, a);
        assertTrue(Long.parseLong(field(a, "us")) >= 0, a);

        String miss = log.get(1);
        assertEquals("false", field(miss, "rd"));
        assertEquals("null", field(miss, "edns_size"));
        assertEquals("AAAA", field(miss, "qtype"));
        assertEquals("NXDOMAIN", field(miss, "rcode"));
        assertEquals("0", field(miss, "answers"));
        assertEquals("none", field(miss, "source"));

        String ptr = log.get(2);
        assertEquals("tcp", field(ptr, "transport"));
        assertEquals("true", field(ptr, "do"));
        assertEquals("5.3.2.1.in-addr.arpa.", field(ptr, "qname"));
        assertEquals("PTR", field(ptr, "qtype"));
        assertEquals("2", field(ptr, "answers"));
        assertEquals("synthesized-ptr", field(ptr, "source"));
    }

    @Test
    void explainLogShowsTheLineThenBothMessagesByteByByte() throws Exception {
        String log;
        try (TestServer server = TestServer.startLogging(RecordStore.defaults(), LogFormat.EXPLAIN)) {
            ExternalTool.dig(server.port(), "+short", "example.my");
            log = String.join("\n", server.stopAndReadLog());
        }
        assertTrue(log.contains("QUERY example.my. IN A flags=rd edns=1232 -> NOERROR answers=1"), log);
        assertTrue(log.contains(";; received"), log);
        assertTrue(log.contains(";; sent"), log);
        assertTrue(log.contains("EDNS option code 10 (COOKIE)"), log);
        assertTrue(log.contains("A address 1.2.3.5"), log);
    }
}
