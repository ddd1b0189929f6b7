package dev.chivato.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RRType;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.AnswerSource;
import dev.chivato.server.network.ExchangeWitness;
import dev.chivato.server.Wait;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The feed's bounds: a page that takes nothing loses its own lines, counted; the kept exchanges are bounded. */
class LiveFeedTest {
    private static final byte[] QUERY = Message.query(7, true, Question.of("example.com", RRType.A),
            Optional.empty()).toWire();

    private static ExchangeWitness.Seen seen(byte[] answer) {
        return new ExchangeWitness.Seen(1_796_000_000_000L, Transport.UDP, new InetSocketAddress("127.0.0.1", 5353),
                QUERY, answer, AnswerSource.RECORDS, 42);
    }

    private static void waitForTotal(LiveFeed feed, int total) throws InterruptedException {
        Wait.until(Duration.ofSeconds(10), () -> feed.stats().json(1_796_000_000_000L, 0, 0, 0)
                .contains("\"total\":" + total + ","), "the feed's thread counting " + total);
    }

    @Test
    void aPageThatTakesNothingLosesWhatIsOverItsQueueAndNoOneElseDoes() throws Exception {
        try (LiveFeed feed = new LiveFeed()) {
            LiveFeed.Page stalled = feed.open();
            LiveFeed.Page reading = feed.open();
            int first = LiveFeed.PAGE_QUEUE;
            int more = 500;
            for (int i = 0; i < first; i++) {
                feed.answered(seen(QUERY));
            }
            waitForTotal(feed, first);
            assertEquals(first, drain(reading), "the reading page had room for them all");
            for (int i = 0; i < more; i++) {
                feed.answered(seen(QUERY));
            }
            waitForTotal(feed, first + more);
            assertEquals(more, drain(reading));
            assertEquals(more, stalled.dropped.get(), "the stalled page lost what was over its queue");
            assertEquals(0, reading.dropped.get());
            assertEquals(more, feed.droppedByPages());
        }
    }

    private static int drain(LiveFeed.Page page) {
        int lines = 0;
        while (page.lines.poll() != null) {
            lines++;
        }
        return lines;
    }

    @Test
    void theExchangesKeptForTheBytesViewAreBounded() throws Exception {
        try (LiveFeed feed = new LiveFeed()) {
            int sent = LiveFeed.KEPT + 10;
            for (int i = 0; i < sent; i++) {
                feed.answered(seen(QUERY));
            }
            waitForTotal(feed, sent);
            assertNull(feed.find(1), "the oldest are let go");
            assertNotNull(feed.find(sent));
            assertEquals(100, feed.recent(100).size());
        }
    }

    @Test
    void aDroppedAnswerIsShownWithoutAnRcode() throws Exception {
        try (LiveFeed feed = new LiveFeed()) {
            feed.answered(seen(null));
            waitForTotal(feed, 1);
            assertTrue(feed.recent(1).get(0).contains("\"rcode\":null"), feed.recent(1).get(0));
        }
    }
}
