package dev.chivato.server.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.server.core.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The accounts of rate limiting: credit, debt, slip, prefixes, classes, exemptions and the table's bound. */
class RateLimiterTest {
    private static final long CLASS = ResponseClass.answer(12345, 1);

    private static InetAddress address(String text) throws UnknownHostException {
        return InetAddress.getByName(text);
    }

    private static int[] counts(RateLimiter limiter, InetAddress client, long responseClass, int second, int n) {
        int[] counts = new int[3];
        for (int i = 0; i < n; i++) {
            counts[limiter.count(client, responseClass, second).ordinal()]++;
        }
        return counts;
    }

    @Test
    void rateResponsesASecondGoAndEverySecondOfTheRestSlips() throws UnknownHostException {
        RateLimiter limiter = new RateLimiter(10, 2, 15, List.of());
        int[] counts = counts(limiter, address("192.0.2.1"), CLASS, 1, 30);
        assertEquals(10, counts[RateLimiter.Verdict.SEND.ordinal()]);
        assertEquals(10, counts[RateLimiter.Verdict.SLIP.ordinal()]);
        assertEquals(10, counts[RateLimiter.Verdict.DROP.ordinal()]);
    }

    @Test
    void aSlipOfZeroDropsEverythingOverTheLimitAndOneSlipsEverything() throws UnknownHostException {
        assertEquals(20, counts(new RateLimiter(10, 0, 15, List.of()), address("192.0.2.1"), CLASS, 1, 30)
                [RateLimiter.Verdict.DROP.ordinal()]);
        assertEquals(20, counts(new RateLimiter(10, 1, 15, List.of()), address("192.0.2.1"), CLASS, 1, 30)
                [RateLimiter.Verdict.SLIP.ordinal()]);
    }

    @Test
    void eachSecondCreditsTheRateAgainUpToOneSecondsWorth() throws UnknownHostException {
        RateLimiter limiter = new RateLimiter(10, 0, 15, List.of());
        InetAddress client = address("192.0.2.1");
        assertEquals(10, counts(limiter, client, CLASS, 1, 10)[0]);
        assertEquals(10, counts(limiter, client, CLASS, 2, 20)[0], "a second later: ten more, not twenty");
        assertEquals(10, counts(limiter, client, CLASS, 100, 20)[0], "long after: ten, never a saved-up burst");
    }

    @Test
    void aFloodRunsUpADebtOfAtMostTheWindowAndIsForgivenWithinIt() throws UnknownHostException {
        InetAddress client = address("192.0.2.1");
        RateLimiter stillInDebt = new RateLimiter(10, 0, 3, List.of());
        counts(stillInDebt, client, CLASS, 1, 10_000); // a debt far past 3 seconds' worth
        assertEquals(0, counts(stillInDebt, client, CLASS, 3, 1)[0], "two seconds later: still in debt");
        RateLimiter forgiven = new RateLimiter(10, 0, 3, List.of());
        counts(forgiven, client, CLASS, 1, 10_000);
        assertEquals(10, counts(forgiven, client, CLASS, 1 + 3 + 1, 20)[0], "the window and a second later: all");
    }

    @Test
    void addressesOfOnePrefixShareAnAccountAndOthersHaveTheirOwn() throws UnknownHostException {
        RateLimiter limiter = new RateLimiter(10, 0, 15, List.of());
        assertEquals(10, counts(limiter, address("192.0.2.1"), CLASS, 1, 10)[0]);
        assertEquals(0, counts(limiter, address("192.0.2.200"), CLASS, 1, 5)[0], "the same /24");
        assertEquals(5, counts(limiter, address("192.0.3.1"), CLASS, 1, 5)[0], "another /24");
        assertEquals(10, counts(limiter, address("2001:db8:0:100::1"), CLASS, 1, 10)[0]);
        assertEquals(0, counts(limiter, address("2001:db8:0:1ff::2"), CLASS, 1, 5)[0], "the same /56");
        assertEquals(5, counts(limiter, address("2001:db8:0:200::1"), CLASS, 1, 5)[0], "another /56");
    }

    @Test
    void eachResponseClassHasItsOwnAccount() throws UnknownHostException {
        RateLimiter limiter = new RateLimiter(10, 0, 15, List.of());
        InetAddress client = address("192.0.2.1");
        assertEquals(10, counts(limiter, client, CLASS, 1, 20)[0]);
        assertEquals(10, counts(limiter, client, ResponseClass.answer(12345, 28), 1, 20)[0], "another type");
        assertEquals(10, counts(limiter, client, ResponseClass.ERROR, 1, 20)[0]);
    }

    @Test
    void exemptNetworksAreSaidSo() throws UnknownHostException {
        RateLimiter limiter = new RateLimiter(10, 2, 15, List.of(Cidr.parse("192.0.2.0/28")));
        assertTrue(limiter.exempt(address("192.0.2.15")));
        assertTrue(!limiter.exempt(address("192.0.2.16")));
    }

    /** 100,000 clients in as many prefixes, each asking its own name: the table fills to its bound and no further. */
    @Test
    void aFloodFromAHundredThousandAddressesKeepsTheTableWithinItsBound() throws UnknownHostException {
        RateLimiter limiter = new RateLimiter(10, 2, 15, List.of());
        for (int i = 0; i < 100_000; i++) {
            InetAddress client = InetAddress.getByAddress(new byte[] {127, (byte) (i >>> 16), (byte) (i >>> 8),
                    (byte) i});
            limiter.count(client, ResponseClass.answer(i, 1), 1);
        }
        assertTrue(limiter.accounts() <= RateLimiter.CAPACITY, limiter.accounts() + " accounts");
        assertTrue(limiter.accounts() > RateLimiter.CAPACITY * 9 / 10, limiter.accounts() + " accounts: nearly full");
        // the newest accounts are the ones kept: a client seen last is still counted, not started afresh
        InetAddress last = InetAddress.getByAddress(new byte[] {127, 1, (byte) 0x86, (byte) 0x9f}); // 99,999
        assertEquals(9, counts(limiter, last, ResponseClass.answer(99_999, 1), 1, 20)[0]);
    }

    @Test
    void summariesSayWhatWasLimitedAtMostOnceASecond() {
        RateLimiter limiter = new RateLimiter(10, 2, 15, List.of());
        assertTrue(!limiter.unlogged());
        limiter.limited(RateLimiter.Verdict.DROP);
        limiter.limited(RateLimiter.Verdict.SLIP);
        limiter.limited(RateLimiter.Verdict.DROP);
        assertTrue(limiter.unlogged());
    }
}
