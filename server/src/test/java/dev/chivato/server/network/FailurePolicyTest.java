package dev.chivato.server.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.dnstap.ExchangeTap;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.tsig.TransactionSignature;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The failure policy, by fault injection at each step of an exchange: whatever throws costs that answer at most
 * (SERVFAIL in its place, a line for the operator, an internal-error log entry), and the next query is answered.
 */
class FailurePolicyTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5300);
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private static byte[] query(int id, RRType type) {
        return Message.query(id, true, Question.of("example.com", type), Optional.empty()).toWire();
    }

    private static Message answer(ExchangePath path, byte[] query) throws Exception {
        Recorder recorder = new Recorder();
        path.receive(ByteBuffer.wrap(query), Transport.UDP, CLIENT, recorder);
        return Message.decode(recorder.sent().get(0));
    }

    /** The seed's handler, but its answer to TXT holds a record no message can carry (its encoding throws). */
    private static QueryHandler unencodable() {
        return new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.NXDOMAIN, false, 300) {
            @Override
            public Reply handle(Message query, Transport transport, InetAddress client,
                    TransactionSignature.Check signature) {
                if (!query.questions().get(0).type().equals(RRType.TXT)) {
                    return super.handle(query, transport, client, signature);
                }
                ResourceRecord huge = ResourceRecord.in(query.questions().get(0).name(), 300,
                        new RData.Unknown(RRType.TXT, new byte[70_000]));
                return Reply.of(new Message(query.header().toResponse(true, Rcode.NOERROR), query.questions(),
                        List.of(huge), List.of(), List.of(), Optional.empty()), AnswerSource.ZONE);
            }
        };
    }

    @Test
    void anAnswerThatCannotBeEncodedCostsThatAnswerAndIsLoggedAsAnInternalError() throws Exception {
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        QueryLog log = QueryLog.writingTo(logged, LogFormat.JSON, QueryLog.Overflow.BLOCK);
        ExchangePath path = ExchangePath.standalone(new Service(unencodable(), log, warnings::add));
        Message failed = answer(path, query(7, RRType.TXT));
        assertEquals(Rcode.SERVFAIL, failed.rcode());
        assertEquals(7, failed.header().id());
        assertEquals(2, answer(path, query(8, RRType.A)).answers().size(), "the next query is answered");
        log.close();
        String text = logged.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\"kind\":\"internal-error\"") && text.contains("IllegalArgumentException"), text);
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("chivato: internal error answering 127.0.0.1:5300")),
                warnings.toString());
    }

    @Test
    void aTapThatThrowsCostsALineNotTheAnswer() throws Exception {
        ExchangeTap broken = new ExchangeTap() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void offer(DnstapEvent event) {
                throw new IllegalStateException("the tap broke");
            }
        };
        ExchangePath path = ExchangePath.standalone(new Service(new QueryHandler(RecordStore.defaults(),
                QueryHandler.UnknownPolicy.NXDOMAIN, false, 300), QueryLog.off(), warnings::add, null, broken));
        assertEquals(2, answer(path, query(1, RRType.A)).answers().size());
        assertEquals(2, answer(path, query(2, RRType.A)).answers().size());
        assertEquals(2, warnings.stream().filter(w -> w.contains("internal error tapping an answer")).count(),
                warnings.toString());
    }

    @Test
    void aDestinationThatThrowsCostsThatAnswerOnly() throws Exception {
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        QueryLog log = QueryLog.writingTo(logged, LogFormat.JSON, QueryLog.Overflow.BLOCK);
        ExchangePath path = ExchangePath.standalone(new Service(new QueryHandler(RecordStore.defaults(),
                QueryHandler.UnknownPolicy.NXDOMAIN, false, 300), log, warnings::add));
        Destination throwing = new Destination() {
            @Override
            public Optional<String> send(ByteBuffer out, int length) {
                throw new IllegalStateException("the socket layer broke");
            }

            @Override
            public Destination keep() {
                return this;
            }

            @Override
            public void release() {
            }
        };
        path.receive(ByteBuffer.wrap(query(1, RRType.A)), Transport.UDP, CLIENT, throwing);
        assertEquals(2, answer(path, query(2, RRType.A)).answers().size(), "the next query is answered");
        log.close();
        String text = logged.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\"unsent\":\"internal error: java.lang.IllegalStateException: the socket layer "
                + "broke\""), text);
    }
}
