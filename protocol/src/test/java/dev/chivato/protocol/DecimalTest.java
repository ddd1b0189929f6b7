package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DecimalTest {
    @Property
    void everyNonNegativeLongIsWrittenAsLongToStringWritesIt(@ForAll @LongRange(min = 0) long value) {
        assertEquals(Long.toString(value), written(value));
    }

    @Property
    void everyNumberAnIntHoldsIsWrittenAsLongToStringWritesIt(
            @ForAll @LongRange(min = 0, max = Integer.MAX_VALUE) long value) {
        assertEquals(Long.toString(value), written(value));
    }

    @Test
    void eachPowerOfTenAndTheNumberBeforeItHaveTheirOwnCountOfDigits() {
        long power = 1;
        for (int exponent = 1; exponent <= 18; exponent++) { // 10^18 is the largest power of ten a long holds
            power *= 10;
            assertEquals(Long.toString(power), written(power));
            assertEquals(Long.toString(power - 1), written(power - 1));
        }
        assertEquals("0", written(0));
        assertEquals(Long.toString(Integer.MAX_VALUE + 1L), written(Integer.MAX_VALUE + 1L));
        assertEquals(Long.toString(Long.MAX_VALUE), written(Long.MAX_VALUE));
    }

    /** The digits written into an array that has one octet of room on either side, which must stay untouched. */
    private static String written(long value) {
        int digits = Decimal.digits(value);
        byte[] into = new byte[digits + 2];
        into[0] = '<';
        into[digits + 1] = '>';
        Decimal.write(value, into, 1, digits);
        String text = new String(into, StandardCharsets.ISO_8859_1);
        assertEquals('<', text.charAt(0));
        assertEquals('>', text.charAt(digits + 1));
        return text.substring(1, digits + 1);
    }
}
