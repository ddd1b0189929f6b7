package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.log.LogEntry;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.LogLine;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How one entry is written, in each format. */
class LogFormatTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5300);

    /** A query whose additional section holds {@code count} empty records (root owner, type 0, no RDATA). */
    static byte[] queryWithEmptyRecords(int count) {
        ByteBuffer wire = ByteBuffer.allocate(12 + 11 * count);
        wire.putShort((short) 7).putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                .putShort((short) count);
        for (int i = 0; i < count; i++) {
            wire.put((byte) 0).putShort((short) 0xff00).putShort((short) 1).putInt(0).putShort((short) 0);
        }
        return wire.array();
    }

    private static LogEntry.Query query(byte[] wire, Optional<String> unsent) {
        return new LogEntry.Query(0, Transport.UDP, CLIENT, wire, 0, 0, AnswerSource.NONE, false, 12, 1,
                Optional.of(wire), unsent);
    }

    private static String format(LogFormat format, LogEntry entry) {
        LogLine text = new LogLine();
        format.appendTo(text, entry);
        return text.toString();
    }

    @Test
    void explainOutputOfOneMessageIsBounded() {
        byte[] wire = queryWithEmptyRecords(5_900);
        String text = format(LogFormat.EXPLAIN, query(wire, Optional.empty()));
        assertTrue(text.length() < 2 * LogFormat.MAX_EXPLAINED_CHARS + 1_000, text.length() + " characters");
        assertTrue(text.contains("explanation cut after"), "the cut is said");
    }

    @Test
    void anAnswerTheSocketRefusedIsLoggedAsUnsent() {
        byte[] wire = queryWithEmptyRecords(0);
        String json = format(LogFormat.JSON, query(wire, Optional.of("the socket's send buffer is full")));
        assertTrue(json.endsWith("\"unsent\":\"the socket's send buffer is full\"}"), json);
        String text = format(LogFormat.TEXT, query(wire, Optional.of("the socket's send buffer is full")));
        assertTrue(text.contains(" unsent=\"the socket's send buffer is full\""), text);
        assertTrue(format(LogFormat.JSON, query(wire, Optional.empty())).endsWith("\"unsent\":null}"));
    }

    @Test
    void anInternalErrorHasAKindOfItsOwn() {
        LogEntry.Malformed failure = new LogEntry.Malformed(0, Transport.UDP, CLIENT, new byte[12], 0,
                "java.lang.IllegalStateException: simulated", 0, true, 2, 1, Optional.empty(), Optional.empty());
        assertTrue(format(LogFormat.JSON, failure).contains("\"kind\":\"internal-error\""));
        assertTrue(format(LogFormat.TEXT, failure).contains("INTERNAL-ERROR"));
    }

    @Test
    void aJsonNoteIsJson() {
        LogLine text = new LogLine();
        LogFormat.JSON.appendNote(text, "cannot write an entry: \"x\"");
        assertEquals("{\"kind\":\"log-note\",\"note\":\"cannot write an entry: \\\"x\\\"\"}", text.toString());
    }

    @Test
    void aReloadIsAnEntryOfItsOwn() {
        LogEntry.Reload reload = new LogEntry.Reload(0, List.of("example.org. 7"), 12, 3,
                List.of("z.zone:4: \"x\" is not a record type"), 1);
        assertEquals("{\"ts\":\"1970-01-01T00:00:00.000Z\",\"kind\":\"reload\",\"ok\":false,\"result\":\"partial\","
                + "\"zones\":[\"example.org. 7\"],\"records\":12,\"ms\":3,"
                + "\"failures\":[\"z.zone:4: \\\"x\\\" is not a record type\"]}", format(LogFormat.JSON, reload));
        assertEquals("1970-01-01T00:00:00.000Z reload partial zones=example.org./7 records=12 3ms "
                + "failed=\"z.zone:4: \\\"x\\\" is not a record type\"", format(LogFormat.TEXT, reload));
        assertEquals(format(LogFormat.TEXT, reload), format(LogFormat.EXPLAIN, reload));
    }

    @Test
    void aReloadThatReadNothingWellFailedItIsNotPartial() {
        LogEntry.Reload reload = new LogEntry.Reload(0, List.of("example.org. 7"), 12, 3,
                List.of("z.zone:4: bad"), 0);
        assertTrue(format(LogFormat.TEXT, reload).contains(" reload failed zones="), format(LogFormat.TEXT, reload));
        assertTrue(format(LogFormat.JSON, reload).contains("\"result\":\"failed\""));
    }

    private static byte[] wireQuery(int id, String name, Optional<Edns> edns) {
        ByteBuffer out = ByteBuffer.allocate(512);
        int length = Message.query(id, true, Question.of(name, RRType.A), edns).encode(out, 512);
        return Arrays.copyOf(out.array(), length);
    }

    private static String formatFresh(LogFormat format, LogEntry entry) throws Exception {
        // Each writer thread remembers the question parts it wrote: a new thread writes from nothing.
        AtomicReference<String> line = new AtomicReference<>();
        Thread writer = new Thread(() -> line.set(format(format, entry)));
        writer.start();
        writer.join();
        return line.get();
    }

    @ParameterizedTest
    @EnumSource(LogFormat.class)
    void aRememberedQuestionIsWrittenAsAFreshOneWithTheQuerysOwnId(LogFormat format) throws Exception {
        Optional<Edns> edns = Optional.of(Edns.of(1232, true));
        format(format, query(wireQuery(1, "example.com", edns), Optional.empty()));
        LogEntry.Query again = query(wireQuery(2, "example.com", edns), Optional.empty());
        String remembered = format(format, again);
        assertEquals(formatFresh(format, again), remembered);
        assertTrue(remembered.contains(format == LogFormat.JSON ? "\"id\":2," : "id=2 "), remembered);
    }

    @Test
    void questionsThatDifferOnlyInTheirEdnsAreWrittenApart() {
        String plain = format(LogFormat.JSON, query(wireQuery(1, "example.com", Optional.empty()), Optional.empty()));
        String withDo = format(LogFormat.JSON,
                query(wireQuery(1, "example.com", Optional.of(Edns.of(1232, true))), Optional.empty()));
        assertTrue(plain.contains("\"do\":false,") && plain.contains("\"edns_size\":null"), plain);
        assertTrue(withDo.contains("\"do\":true,") && withDo.contains("\"edns_size\":1232"), withDo);
    }

    @Test
    void manyQuestionsSharingTheRememberedSlotsEachKeepTheirOwnName() {
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 2_000; i++) {
                String name = "host" + i + ".example.com.";
                String line = format(LogFormat.TEXT, query(wireQuery(i, name, Optional.empty()), Optional.empty()));
                assertTrue(line.contains(" id=" + i + " QUERY " + name + " IN A "), line);
            }
        }
    }

    @Test
    void quotedValuesOfTheTextFormatEscapeQuotesBackslashesAndLineEnds() throws Exception {
        byte[] wire = dev.chivato.protocol.Message.query(1, true, dev.chivato.protocol.Question.of("example.com",
                dev.chivato.protocol.RRType.A), Optional.empty()).toWire();
        LogEntry.Query entry = new LogEntry.Query(0, Transport.UDP, CLIENT, wire,
                dev.chivato.protocol.QueryView.of(wire), 2, 0, AnswerSource.FORWARDED,
                false, 12, 1, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("upstream said \"no\"\\\nsecond line"));
        String text = format(LogFormat.TEXT, entry);
        assertTrue(text.contains(" note=\"upstream said \\\"no\\\"\\\\\\nsecond line\" "), text);
        assertEquals(1, text.lines().count(), "one line");
    }
}
