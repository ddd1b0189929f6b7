package dev.chivato.server.cookie;

import dev.chivato.protocol.QueryView;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * DNS Cookies (RFC 7873) with server cookies in the interoperable form of RFC 9018, so that chivato, BIND and Knot
 * servers sharing a secret accept each other's cookies. A server cookie is 16 octets: version 1, three reserved
 * octets, a 32-bit timestamp (seconds since 1970, compared in serial arithmetic), and SipHash-2-4, keyed by the
 * 128-bit secret, over the client cookie, version, reserved octets, timestamp and the client's address.
 *
 * <p>A cookie is good for an hour (and five minutes of clock skew ahead), made with the current secret or the
 * previous one (a secret being rolled over). A good cookie younger than half an hour, made with the current secret
 * and its reserved octets zero, is sent back as it came; otherwise the answer carries a fresh one (RFC 9018 section 4.3). Immutable; shared by
 * every event loop.
 */
public final class ServerCookies {
    /** The COOKIE option's code (RFC 7873 section 4). */
    public static final int OPTION_CODE = 10;
    public static final int CLIENT_COOKIE = 8;
    public static final int SERVER_COOKIE = 16;
    /** What an answer's OPT record grows by: the option's code and length, then the two cookies. */
    public static final int OPTION_LENGTH = 4 + CLIENT_COOKIE + SERVER_COOKIE;
    /** A cookie older than this is no longer good (RFC 9018 section 4.3). */
    static final int LIFETIME_SECONDS = 3600;
    /** How far ahead of our clock a cookie's time may be (another server's clock, a step back of ours). */
    static final int SKEW_SECONDS = 300;
    /** A good cookie older than this is replaced by a fresh one. */
    static final int REFRESH_SECONDS = 1800;
    private static final int VERSION = 1;

    /** What a query's COOKIE option says about its sender. */
    public enum Verdict {
        /** No COOKIE option: answered as by a server without cookies (RFC 7873 section 5.2.1). */
        NONE,
        /** A client cookie alone: the client is new to us, or forgot us. */
        CLIENT_ONLY,
        /** A server cookie we did not make, made too long ago, or not in RFC 9018's form. */
        BAD,
        /** A server cookie of ours that is still good; the answer carries a fresh one. */
        GOOD,
        /** A good server cookie, made with the current secret less than half an hour ago: sent back as it came. */
        GOOD_AND_FRESH;

        /** Whether the sender proved it receives what is sent to its address: not to be rate-limited. */
        public boolean proven() {
            return this == GOOD || this == GOOD_AND_FRESH;
        }
    }

    private final byte[] secret;
    /** The secret before this one, still accepted while clients move to the new one; null when none. */
    private final byte[] previous;

    public ServerCookies(byte[] secret, byte[] previous) {
        if (secret.length != 16 || previous != null && previous.length != 16) {
            throw new IllegalArgumentException("a cookie secret is 128 bits (16 octets)");
        }
        this.secret = secret.clone();
        this.previous = previous == null ? null : previous.clone();
    }

    /** A secret of this process's own, drawn at start: cookies are good until it stops. */
    public static ServerCookies random() {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        return new ServerCookies(secret, null);
    }

    /**
     * The verdict on the COOKIE option of the query in {@code query} (position to limit), seen by {@code view}, from
     * {@code client}, at {@code now} (seconds since 1970). The option's length was checked by the view.
     */
    public Verdict check(ByteBuffer query, QueryView view, InetAddress client, long now) {
        int at = view.cookieOffset();
        if (at == QueryView.ABSENT) {
            return Verdict.NONE;
        }
        int length = view.cookieLength();
        if (length == CLIENT_COOKIE) {
            return Verdict.CLIENT_ONLY;
        }
        int base = query.position();
        if (length != CLIENT_COOKIE + SERVER_COOKIE || query.get(base + at + CLIENT_COOKIE) != VERSION) {
            return Verdict.BAD;
        }
        byte[] input = new byte[CLIENT_COOKIE + 8 + 16];
        query.get(base + at, input, 0, CLIENT_COOKIE + 8); // client cookie, version, reserved, timestamp
        long stamped = Integer.toUnsignedLong(query.getInt(base + at + CLIENT_COOKIE + 4));
        int age = (int) (now - stamped); // serial arithmetic: the timestamp wraps in 2106
        if (age > LIFETIME_SECONDS || age < -SKEW_SECONDS) {
            return Verdict.BAD;
        }
        int inputLength = withAddress(input, client);
        long received = 0; // the hash's octets, least significant first
        for (int i = 7; i >= 0; i--) {
            received = received << 8 | query.get(base + at + CLIENT_COOKIE + 8 + i) & 0xff;
        }
        if (SipHash.hash(secret, input, inputLength) == received) {
            boolean reservedZero = input[CLIENT_COOKIE + 1] == 0 && input[CLIENT_COOKIE + 2] == 0
                    && input[CLIENT_COOKIE + 3] == 0; // as we make them: else another server's, renewed in ours
            return age < REFRESH_SECONDS && reservedZero ? Verdict.GOOD_AND_FRESH : Verdict.GOOD;
        }
        return previous != null && SipHash.hash(previous, input, inputLength) == received ? Verdict.GOOD : Verdict.BAD;
    }

    /**
     * Writes the COOKIE option of the answer: code, length, the query's client cookie, and the query's server cookie
     * when {@code verdict} says it may go back as it came, else a fresh one made at {@code now}.
     */
    public void writeOption(ByteBuffer out, ByteBuffer query, QueryView view, InetAddress client, long now,
            Verdict verdict) {
        out.putShort((short) OPTION_CODE).putShort((short) (CLIENT_COOKIE + SERVER_COOKIE));
        out.put(optionData(query, view, client, now, verdict));
    }

    /** The COOKIE option's data for the answer: the client cookie, then the server cookie, as above. */
    public byte[] optionData(ByteBuffer query, QueryView view, InetAddress client, long now, Verdict verdict) {
        int from = query.position() + view.cookieOffset();
        byte[] data = new byte[CLIENT_COOKIE + SERVER_COOKIE];
        query.get(from, data, 0, verdict == Verdict.GOOD_AND_FRESH ? data.length : CLIENT_COOKIE);
        if (verdict != Verdict.GOOD_AND_FRESH) {
            byte[] clientCookie = java.util.Arrays.copyOf(data, CLIENT_COOKIE);
            System.arraycopy(serverCookie(clientCookie, client, now), 0, data, CLIENT_COOKIE, SERVER_COOKIE);
        }
        return data;
    }

    /** A fresh server cookie for {@code clientCookie} from {@code client} at {@code now}. */
    public byte[] serverCookie(byte[] clientCookie, InetAddress client, long now) {
        byte[] input = new byte[CLIENT_COOKIE + 8 + 16];
        System.arraycopy(clientCookie, 0, input, 0, CLIENT_COOKIE);
        input[CLIENT_COOKIE] = VERSION; // then three reserved octets, zero
        ByteBuffer.wrap(input).putInt(CLIENT_COOKIE + 4, (int) now);
        long hash = SipHash.hash(secret, input, withAddress(input, client));
        byte[] cookie = new byte[SERVER_COOKIE];
        System.arraycopy(input, CLIENT_COOKIE, cookie, 0, 8);
        SipHash.putLittleEndian(hash, cookie, 8);
        return cookie;
    }

    /** Puts the client's address after the timestamp; returns the length of the hash's input. */
    private static int withAddress(byte[] input, InetAddress client) {
        byte[] address = client.getAddress();
        System.arraycopy(address, 0, input, CLIENT_COOKIE + 8, address.length);
        return CLIENT_COOKIE + 8 + address.length;
    }
}
