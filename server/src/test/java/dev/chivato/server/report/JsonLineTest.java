package dev.chivato.server.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLineTest {
    @Test
    void aLogEntryParsesToItsFields() throws Exception {
        Map<String, Object> entry = JsonLine.parseObject("{\"ts\":\"2026-11-26T00:22:39.865Z\",\"id\":27080,"
                + "\"rd\":true,\"edns_size\":null,\"zones\":[\"a.\",\"b.\"],\"note\":\"say \\\"hi\\\"\\u0021\"}");
        assertEquals("2026-11-26T00:22:39.865Z", entry.get("ts"));
        assertEquals(27080.0, entry.get("id"));
        assertEquals(true, entry.get("rd"));
        assertTrue(entry.containsKey("edns_size") && entry.get("edns_size") == null);
        assertEquals(List.of("a.", "b."), entry.get("zones"));
        assertEquals("say \"hi\"!", entry.get("note"));
    }

    @Test
    void whatIsNotJsonSaysWhereItGoesWrong() {
        for (String line : List.of("plain text", "{\"a\":1", "{\"a\":tru}", "{\"a\":1} x", "{\"a\":-}", "{a:1}",
                "{\"a\":\"\\q\"}", "[1,2]")) {
            JsonLine.NotJsonException e = assertThrows(JsonLine.NotJsonException.class,
                    () -> JsonLine.parseObject(line), line);
            assertTrue(e.getMessage().contains("column") || e.getMessage().contains("object"), e.getMessage());
        }
    }

    @Test
    void nestingBeyondTheLimitIsRefusedNotFollowed() {
        char[] open = new char[10_000];
        Arrays.fill(open, '[');
        assertThrows(JsonLine.NotJsonException.class, () -> JsonLine.parseObject("{\"a\":" + new String(open)));
    }
}
