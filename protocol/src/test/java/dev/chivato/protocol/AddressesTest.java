package dev.chivato.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {
    @ParameterizedTest
    @ValueSource(strings = {"::-1", "+1::+ff", "1.2.3.4::", "1.2.3.4::1", "::0x1", "1:2:3:4:5:6:7:8:9", ":::",
            "12345::", "::g", ""})
    void textThatIsNotAnIPv6AddressIsRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Addresses.parseIPv6(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "2001:db8::1", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "::", "FFFF::"})
    void ipv6TextIsAccepted(String text) {
        Addresses.parseIPv6(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+1.2.3.4", "1.2.3.-4", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4.",
            "0001.2.3.4", "1.2.3.", "", "1.2.3.4x", " 1.2.3.4"})
    void textThatIsNotAnIPv4AddressIsRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Addresses.parseIPv4(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "192.0.2.1", "010.1.2.3"})
    void ipv4TextIsReadAndFormattedBack(String text) {
        org.junit.jupiter.api.Assertions.assertEquals(text.replaceFirst("^0+(?=\\d)", ""),
                Addresses.formatIPv4(Addresses.parseIPv4(text)));
    }

    @org.junit.jupiter.api.Test
    void aTrailingDottedQuadFillsTheLastTwoGroups() {
        byte[] expected = new byte[16];
        expected[10] = (byte) 0xff;
        expected[11] = (byte) 0xff;
        expected[12] = 1;
        expected[13] = 2;
        expected[14] = 3;
        expected[15] = 4;
        assertArrayEquals(expected, Addresses.parseIPv6("::ffff:1.2.3.4"));
    }
}
