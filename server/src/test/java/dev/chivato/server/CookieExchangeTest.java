package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.EdnsOption;
import dev.chivato.protocol.Hex;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.cookie.ServerCookies;
import dev.chivato.server.core.Transport;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.ExchangePath;
import dev.chivato.server.network.Service;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DNS Cookies through the exchange path: every producer's answer carries this client's cookie, and only its. */
class CookieExchangeTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.2", 5353);
    private static final InetSocketAddress OTHER = new InetSocketAddress("127.0.0.3", 5353);
    private static final byte[] SECRET = Hex.parse("e5e973e5a6b2a43f48e7dc849e37bfcf");
    private final Service service = new Service(
            new QueryHandler(TestServer.seedAndBig(), QueryHandler.UnknownPolicy.NXDOMAIN, false, 300),
            QueryLog.off());
    private final ExchangePath exchanges = ExchangePath.standalone(service);

    CookieExchangeTest() {
        service.useCookies(new ServerCookies(SECRET, null), false);
    }

    private static byte[] query(String name, int payloadSize, byte[] cookie) {
        List<EdnsOption> options = cookie == null ? List.of() : List.of(new EdnsOption(EdnsOption.COOKIE, cookie));
        return Message.query(42, true, Question.of(name, RRType.A),
                Optional.of(new Edns(payloadSize, 0, 0, false, 0, options))).toWire();
    }

    private byte[] answer(byte[] query, Transport transport, InetSocketAddress client) {
        ByteBuffer out = ByteBuffer.allocate(65535);
        int length = exchanges.answer(ByteBuffer.wrap(query), out, transport, client);
        return Arrays.copyOf(out.array(), length);
    }

    private static byte[] cookieOf(byte[] answer) throws WireFormatException {
        return Message.decode(answer).edns().orElseThrow().options().stream()
                .filter(o -> o.code() == EdnsOption.COOKIE).findFirst().map(EdnsOption::data).orElse(null);
    }

    @Test
    void aClientCookieGetsItBackWithAServerCookieThatIsGood() throws Exception {
        byte[] clientCookie = Hex.parse("0102030405060708");
        byte[] answer = answer(query("example.com.", 1232, clientCookie), Transport.UDP, CLIENT);
        byte[] cookie = cookieOf(answer);
        assertEquals(24, cookie.length);
        assertArrayEquals(clientCookie, Arrays.copyOf(cookie, 8));
        assertEquals(1, cookie[8], "RFC 9018 version 1");
        byte[] again = query("example.com.", 1232, cookie);
        assertEquals(ServerCookies.Verdict.GOOD_AND_FRESH, new ServerCookies(SECRET, null).check(ByteBuffer.wrap(
                again), QueryView.of(again), CLIENT.getAddress(), System.currentTimeMillis() / 1000));
        assertArrayEquals(cookie, cookieOf(answer(again, Transport.UDP, CLIENT)), "a fresh cookie goes back as it came");
    }

    @Test
    void aQueryWithoutACookieGetsNone() throws Exception {
        byte[] answer = answer(query("example.com.", 1232, null), Transport.UDP, CLIENT);
        assertEquals(null, cookieOf(answer));
        assertEquals(Rcode.NOERROR, Message.decode(answer).rcode());
    }

    /** The second answer comes from the answer cache: it carries the second client's cookie, made for its address. */
    @Test
    void aCachedAnswerCarriesThisClientsCookieNeverAnothers() throws Exception {
        byte[] first = cookieOf(answer(query("example.com.", 1232, Hex.parse("1111111111111111")), Transport.UDP,
                CLIENT));
        Message.countDecodes();
        long decodesBefore = Message.decodes();
        byte[] secondAnswer = answer(query("example.com.", 1232, Hex.parse("2222222222222222")), Transport.UDP,
                OTHER);
        assertEquals(decodesBefore, Message.decodes(), "answered from the cache: nothing decoded");
        byte[] second = cookieOf(secondAnswer);
        assertArrayEquals(Hex.parse("2222222222222222"), Arrays.copyOf(second, 8));
        assertNotEquals(Hex.format(Arrays.copyOfRange(first, 8, 24)), Hex.format(Arrays.copyOfRange(second, 8, 24)));
        byte[] replayed = query("example.com.", 1232, second);
        assertEquals(ServerCookies.Verdict.GOOD_AND_FRESH, new ServerCookies(SECRET, null).check(
                ByteBuffer.wrap(replayed), QueryView.of(replayed), OTHER.getAddress(),
                System.currentTimeMillis() / 1000));
    }

    @Test
    void anAnswerWithACookieStaysWithinTheClientsSize() throws Exception {
        byte[] answer = answer(query("big.example.com.", 512, Hex.parse("0102030405060708")), Transport.UDP,
                CLIENT);
        assertTrue(answer.length <= 512, answer.length + " octets");
        assertTrue(Message.decode(answer).header().tc());
        assertEquals(24, cookieOf(answer).length);
    }

    @Test
    void aMalformedCookieOptionIsFormerr() throws Exception {
        byte[] answer = answer(query("example.com.", 1232, new byte[12]), Transport.UDP, CLIENT);
        assertEquals(Rcode.FORMERR, Message.decode(answer).rcode());
        assertEquals(42, Message.decode(answer).header().id());
    }

    @Test
    void requiredCookiesRefuseUdpWithoutAGoodServerCookieWithBadcookieAndAFreshOne() throws Exception {
        service.useCookies(new ServerCookies(SECRET, null), true);
        byte[] answer = answer(query("example.com.", 1232, Hex.parse("0102030405060708")), Transport.UDP, CLIENT);
        Message refused = Message.decode(answer);
        assertEquals(Rcode.BADCOOKIE, refused.rcode());
        assertTrue(refused.answers().isEmpty());
        byte[] cookie = cookieOf(answer);
        assertEquals(24, cookie.length);
        Message retried = Message.decode(answer(query("example.com.", 1232, cookie), Transport.UDP, CLIENT));
        assertEquals(Rcode.NOERROR, retried.rcode());
        assertFalse(retried.answers().isEmpty());
    }

    @Test
    void requiredCookiesNeverRefuseTcpNorAClientWithoutCookies() throws Exception {
        service.useCookies(new ServerCookies(SECRET, null), true);
        Message overTcp = Message.decode(answer(query("example.com.", 1232, Hex.parse("0102030405060708")),
                Transport.TCP, CLIENT));
        assertEquals(Rcode.NOERROR, overTcp.rcode());
        assertEquals(24, cookieOf(overTcp.toWire()).length);
        Message noCookie = Message.decode(answer(query("example.com.", 1232, null), Transport.UDP, CLIENT));
        assertEquals(Rcode.NOERROR, noCookie.rcode());
    }

    @Test
    void errorAnswersCarryTheCookieToo() throws Exception {
        byte[] query = query("example.com.", 1232, Hex.parse("0102030405060708"));
        query[3] = 0x00;
        query[2] = 0x28; // opcode 5 (UPDATE): NOTIMP, written by the engine
        byte[] answer = answer(query, Transport.UDP, CLIENT);
        assertEquals(Rcode.NOTIMP, Message.decode(answer).rcode());
        assertEquals(24, cookieOf(answer).length);
    }
}
