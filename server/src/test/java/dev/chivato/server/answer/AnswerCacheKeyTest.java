package dev.chivato.server.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Name;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnswerCacheKeyTest {
    private static long keyOf(String name) {
        byte[] wire = Name.parse(name).wire();
        return AnswerCache.key(Name.hashCodeOf(wire, 0, wire.length), 1, 1232, 1, wire.length);
    }

    @Test
    void namesOfOneLengthThatShareASlotMostlyHaveDifferentKeys() {
        // New names a forwarder is asked, all of one length: many land in a slot another already took.
        Map<Long, Long> firstKeyBySlot = new HashMap<>();
        int sharing = 0;
        int sameKey = 0;
        for (int i = 100_000; i < 200_000 && sharing < 2_000; i++) {
            long key = keyOf("m" + i + ".bench.test");
            Long earlier = firstKeyBySlot.putIfAbsent(key >>> 43 & (AnswerCache.CAPACITY - 1), key);
            if (earlier != null) {
                sharing++;
                sameKey += earlier == key ? 1 : 0;
            }
        }
        assertEquals(2_000, sharing);
        assertTrue(sameKey < 40, sameKey + " of 2000 names sharing a slot had its first name's key");
    }

    @Test
    void theSameNameInAnotherCaseHasTheSameKey() {
        assertEquals(keyOf("www.example.com"), keyOf("WWW.Example.COM"));
    }

    @Test
    void aKeyIsNeverTheMarkOfAQueryNotKept() {
        for (int i = 0; i < 10_000; i++) {
            byte[] wire = ("x" + i).getBytes(StandardCharsets.US_ASCII);
            long key = AnswerCache.key(Name.hashCodeOf(wire, 0, wire.length), 0xffff, 0xffff, 2, 255);
            assertTrue(key != AnswerCache.NOT_CACHEABLE);
        }
    }
}
