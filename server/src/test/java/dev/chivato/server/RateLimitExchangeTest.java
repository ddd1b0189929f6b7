package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.EdnsOption;
import dev.chivato.protocol.Hex;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.cookie.ServerCookies;
import dev.chivato.server.core.Cidr;
import dev.chivato.server.core.Transport;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.ExchangePath;
import dev.chivato.server.network.Service;
import dev.chivato.server.ratelimit.RateLimiter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Rate limiting on the exchange path: what is limited, what a slipped answer is, and who is never limited. */
class RateLimitExchangeTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 5353);
    private final Service service = new Service(
            new QueryHandler(TestServer.seedAndBig(), QueryHandler.UnknownPolicy.NXDOMAIN, false, 300),
            QueryLog.off());
    private final ExchangePath exchanges = ExchangePath.standalone(service);

    private void limit(List<Cidr> exempt) {
        service.limitRates(new RateLimiter(2, 2, 15, exempt));
    }

    private static byte[] query(byte[] cookie) {
        List<EdnsOption> options = cookie == null ? List.of() : List.of(new EdnsOption(EdnsOption.COOKIE, cookie));
        return Message.query(9, true, Question.of("example.com.", RRType.A),
                Optional.of(new Edns(1232, 0, 0, false, 0, options))).toWire();
    }

    /** What came back for each of {@code n} asks: the answer, or null when nothing was sent. */
    private List<Message> ask(byte[] query, Transport transport, int n) throws Exception {
        List<Message> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ByteBuffer out = ByteBuffer.allocate(65535);
            int length = exchanges.answer(ByteBuffer.wrap(query), out, transport, CLIENT);
            answers.add(length < 0 ? null : Message.decode(Arrays.copyOf(out.array(), length)));
        }
        return answers;
    }

    @Test
    void pastTheRateEveryOtherAnswerIsDroppedAndTheRestGoOutEmptyWithTc() throws Exception {
        limit(List.of());
        List<Message> answers = ask(query(null), Transport.UDP, 6);
        assertFalse(answers.get(0).answers().isEmpty());
        assertFalse(answers.get(1).answers().isEmpty());
        assertEquals(null, answers.get(2), "dropped");
        Message slipped = answers.get(3);
        assertTrue(slipped.header().tc());
        assertTrue(slipped.answers().isEmpty() && slipped.authority().isEmpty());
        assertEquals(Rcode.NOERROR, slipped.rcode());
        assertEquals(9, slipped.header().id());
        assertEquals("example.com.", slipped.questions().get(0).name().toString(), "the question, for the retry");
        assertEquals(null, answers.get(4));
        assertTrue(answers.get(5).header().tc());
    }

    @Test
    void tcpIsNeverLimited() throws Exception {
        limit(List.of());
        assertTrue(ask(query(null), Transport.TCP, 10).stream().allMatch(m -> m != null && !m.answers().isEmpty()));
    }

    @Test
    void anExemptNetworkIsNeverLimited() throws Exception {
        limit(List.of(Cidr.parse("192.0.2.0/24")));
        assertTrue(ask(query(null), Transport.UDP, 10).stream().allMatch(m -> m != null && !m.answers().isEmpty()));
    }

    @Test
    void aClientWithAGoodServerCookieIsNeverLimitedAndASlippedAnswerGivesOne() throws Exception {
        limit(List.of());
        List<Message> answers = ask(query(Hex.parse("0102030405060708")), Transport.UDP, 4);
        Message slipped = answers.get(3);
        assertTrue(slipped.header().tc());
        byte[] cookie = slipped.edns().orElseThrow().options().stream().filter(o -> o.code() == EdnsOption.COOKIE)
                .findFirst().orElseThrow().data();
        assertEquals(ServerCookies.CLIENT_COOKIE + ServerCookies.SERVER_COOKIE, cookie.length);
        assertTrue(ask(query(cookie), Transport.UDP, 10).stream().allMatch(m -> m != null && !m.answers().isEmpty()),
                "with the cookie the slip gave it, the client is answered in full");
    }
}
