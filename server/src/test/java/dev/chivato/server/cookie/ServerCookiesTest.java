package dev.chivato.server.cookie;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chivato.protocol.Edns;
import dev.chivato.protocol.EdnsOption;
import dev.chivato.protocol.Hex;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.QueryView;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.WireFormatException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Server cookies as RFC 9018 makes them: its appendix A's vectors, the verdicts, and the window of time. */
class ServerCookiesTest {
    private static final String SECRET = "e5e973e5a6b2a43f48e7dc849e37bfcf";

    private static ServerCookies cookies(String secret, String previous) {
        return new ServerCookies(Hex.parse(secret), previous == null ? null : Hex.parse(previous));
    }

    private static String made(ServerCookies cookies, String clientCookie, String client, long now)
            throws UnknownHostException {
        return Hex.format(cookies.serverCookie(Hex.parse(clientCookie), InetAddress.getByName(client), now));
    }

    @Test
    void appendixA1LearningANewServerCookie() throws UnknownHostException {
        assertEquals("010000005CF79F111F8130C3EEE29480",
                made(cookies(SECRET, null), "2464c4abcf10c957", "198.51.100.100", 1559731985));
    }

    @Test
    void appendixA2TheSameClientRenewingIt() throws UnknownHostException {
        assertEquals("010000005CF7A871D4A564A1442ACA77",
                made(cookies(SECRET, null), "2464c4abcf10c957", "198.51.100.100", 1559734385));
    }

    @Test
    void appendixA3AnotherClientRenewingIt() throws UnknownHostException {
        assertEquals("010000005CF7A9ACF73A7810ACA2381E",
                made(cookies(SECRET, null), "fc93fc62807ddb86", "203.0.113.203", 1559734700));
    }

    @Test
    void appendixA4AnIpv6ClientAfterTheSecretRolledOver() throws UnknownHostException {
        assertEquals("010000005CF7C609A6BB79D16625507A", made(cookies("445536bcd2513298075a5d379663c962", null),
                "22681ab97d52c298", "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961));
    }

    @Test
    void aCookieFromAppendixA1ComesBackGoodFortyMinutesLaterAndIsRenewed() throws Exception {
        assertEquals(ServerCookies.Verdict.GOOD, verdict(cookies(SECRET, null),
                "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.100", 1559734385));
    }

    @Test
    void aCookieYoungerThanHalfAnHourIsSentBackAsItCame() throws Exception {
        assertEquals(ServerCookies.Verdict.GOOD_AND_FRESH, verdict(cookies(SECRET, null),
                "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.100", 1559731985 + 60));
    }

    /**
     * A.3: the client sent reserved octets that are not zero; the hash covers them as they came. (Checked a minute
     * after the cookie's time: at the appendix's own time, 1559734700, it is 6715 seconds old and no longer good.)
     * Not ours as we make them, so renewed rather than sent back.
     */
    @Test
    void reservedOctetsAsTheClientSentThemAreHashed() throws Exception {
        String cookie = "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5";
        assertEquals(ServerCookies.Verdict.GOOD, verdict(cookies(SECRET, null), cookie, "203.0.113.203",
                0x5cf78f71L + 60));
        assertEquals(ServerCookies.Verdict.BAD, verdict(cookies(SECRET, null), cookie, "203.0.113.203", 1559734700));
    }

    @Test
    void aCookieMadeWithThePreviousSecretIsGoodButRenewed() throws Exception {
        String cookie = "22681ab97d52c298010000005cf7c57926556bd0934c72f8";
        String client = "2001:db8:220:1:59de:d0f4:8769:82b8";
        assertEquals(ServerCookies.Verdict.GOOD, verdict(cookies("445536bcd2513298075a5d379663c962",
                "dd3bdf9344b678b185a6f5cb60fca715"), cookie, client, 1559741961));
        assertEquals(ServerCookies.Verdict.BAD, verdict(cookies("445536bcd2513298075a5d379663c962", null), cookie,
                client, 1559741961));
    }

    @Test
    void theSameCookieFromAnotherAddressIsBad() throws Exception {
        assertEquals(ServerCookies.Verdict.BAD, verdict(cookies(SECRET, null),
                "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.101", 1559731985));
    }

    @Test
    void aCookieIsGoodForAnHourAndFiveMinutesAheadAndNoMore() throws Exception {
        String cookie = "2464c4abcf10c957010000005cf79f111f8130c3eee29480";
        long made = 1559731985;
        ServerCookies cookies = cookies(SECRET, null);
        assertEquals(ServerCookies.Verdict.GOOD, verdict(cookies, cookie, "198.51.100.100", made + 3600));
        assertEquals(ServerCookies.Verdict.BAD, verdict(cookies, cookie, "198.51.100.100", made + 3601));
        assertEquals(ServerCookies.Verdict.GOOD_AND_FRESH, verdict(cookies, cookie, "198.51.100.100", made - 300));
        assertEquals(ServerCookies.Verdict.BAD, verdict(cookies, cookie, "198.51.100.100", made - 301));
    }

    @Test
    void aClientCookieAloneAndServerCookiesOfOtherFormsHaveTheirVerdicts() throws Exception {
        ServerCookies cookies = cookies(SECRET, null);
        assertEquals(ServerCookies.Verdict.CLIENT_ONLY, verdict(cookies, "2464c4abcf10c957", "192.0.2.1", 0));
        assertEquals(ServerCookies.Verdict.BAD, verdict(cookies, "2464c4abcf10c957" + "00".repeat(8), "192.0.2.1", 0));
        assertEquals(ServerCookies.Verdict.BAD, verdict(cookies, "2464c4abcf10c957" + "02" + "00".repeat(15),
                "192.0.2.1", 0), "version 2 is not ours");
    }

    private static ServerCookies.Verdict verdict(ServerCookies cookies, String option, String client, long now)
            throws WireFormatException, UnknownHostException {
        Edns edns = new Edns(1232, 0, 0, false, 0, List.of(new EdnsOption(EdnsOption.COOKIE, Hex.parse(option))));
        byte[] wire = Message.query(7, true, Question.of("example.com.", RRType.A), Optional.of(edns)).toWire();
        ByteBuffer query = ByteBuffer.allocate(wire.length + 5).position(5).put(wire).position(5); // not at 0
        return cookies.check(query, QueryView.of(wire), InetAddress.getByName(client), now);
    }
}
