package dev.chivato.protocol;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;

/**
 * LOC's RDATA (RFC 1876 section 2): version 0; size, horizontal and vertical precision, each a digit times a power
 * of ten centimetres in one octet (mantissa high, exponent low); latitude and longitude in thousandths of an arc
 * second offset by 2^31 (the equator, the prime meridian); altitude in centimetres above 100,000 m below the
 * reference spheroid. Printed as dig prints it: {@code 52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m}. A size
 * of zero written with a power of ten other than 0 prints as {@code 0m} and reads back as 0x00, as with BIND.
 *
 * <p>How to read this file: {@code check} the wire form, {@code print} it, {@code parse} it back, in the order of
 * the fields above; the helpers below each turn one field (an angle, a precision, metres) between octets and text.
 */
final class LocText {
    private static final long EQUATOR = 1L << 31;
    private static final long ALTITUDE_BASE = 10_000_000L;
    private static final long ARC_SECOND = 1000;

    private LocText() {
    }

    static void check(byte[] wire, int at, int end) throws WireFormatException {
        if (end - at != 16) {
            throw new WireFormatException(at, "LOC RDATA of " + (end - at) + " octets; version 0 has 16");
        }
        if (wire[at] != 0) {
            throw new WireFormatException(at, "LOC version " + (wire[at] & 0xff) + "; only 0 is defined");
        }
        for (int i = 1; i <= 3; i++) {
            int precision = wire[at + i] & 0xff;
            if (precision >> 4 > 9 || (precision & 0xf) > 9) {
                throw new WireFormatException(at + i, "LOC size or precision octet 0x"
                        + Integer.toHexString(precision) + " has a digit over 9");
            }
        }
        checkAngle(wire, at + 4, 90, "latitude");
        checkAngle(wire, at + 8, 180, "longitude");
    }

    private static void checkAngle(byte[] wire, int at, int degrees, String what) throws WireFormatException {
        if (Math.abs(FieldKind.u32(wire, at) - EQUATOR) > degrees * 3600 * ARC_SECOND) {
            throw new WireFormatException(at, "LOC " + what + " beyond " + degrees + " degrees");
        }
    }

    static void print(byte[] wire, int at, StringBuilder out) {
        angle(FieldKind.u32(wire, at + 4) - EQUATOR, 'N', 'S', out);
        out.append(' ');
        angle(FieldKind.u32(wire, at + 8) - EQUATOR, 'E', 'W', out);
        long altitude = FieldKind.u32(wire, at + 12) - ALTITUDE_BASE;
        out.append(' ').append(altitude < 0 ? "-" : "").append(Math.abs(altitude) / 100).append('.')
                .append(String.format("%02d", Math.abs(altitude) % 100)).append('m');
        for (int i = 1; i <= 3; i++) {
            out.append(' ').append(precision(wire[at + i] & 0xff));
        }
    }

    private static void angle(long thousandths, char positive, char negative, StringBuilder out) {
        long value = Math.abs(thousandths);
        out.append(value / (3600 * ARC_SECOND)).append(' ').append(value / (60 * ARC_SECOND) % 60).append(' ')
                .append(value / ARC_SECOND % 60).append('.').append(String.format("%03d", value % ARC_SECOND))
                .append(' ').append(thousandths < 0 ? negative : positive);
    }

    /** As BIND prints a size: whole metres from 1 m up, else {@code 0.cc}. */
    private static String precision(int octet) {
        int mantissa = octet >> 4;
        int exponent = octet & 0xf;
        return exponent >= 2 ? mantissa * BigDecimal.TEN.pow(exponent - 2).longValueExact() + "m"
                : "0." + String.format("%02d", mantissa * (exponent == 1 ? 10 : 1)) + "m";
    }

    static void parse(TextFields in, ByteArrayOutputStream out) {
        long latitude = angle(in, "latitude", 90, "N", "S");
        long longitude = angle(in, "longitude", 180, "E", "W");
        BigDecimal altitude = metres(in.word("altitude"), in, "altitude");
        if (altitude.compareTo(new BigDecimal("-100000")) < 0
                || altitude.compareTo(new BigDecimal("42849672.95")) > 0) {
            throw in.problem("altitude " + altitude + "m is not in -100000..42849672.95");
        }
        int size = in.hasMore() ? precision(in, "size") : 0x12; // 1 m
        int horizontal = in.hasMore() ? precision(in, "horizontal precision") : 0x16; // 10,000 m
        int vertical = in.hasMore() ? precision(in, "vertical precision") : 0x13; // 10 m
        out.write(0);
        out.write(size);
        out.write(horizontal);
        out.write(vertical);
        FieldKind.put32(out, EQUATOR + latitude);
        FieldKind.put32(out, EQUATOR + longitude);
        FieldKind.put32(out, altitude.movePointRight(2).longValueExact() + ALTITUDE_BASE);
    }

    /** Degrees, then minutes and seconds if given, then the hemisphere letter: thousandths of a second, signed. */
    private static long angle(TextFields in, String what, int maxDegrees, String positive, String negative) {
        long degrees = in.number(what + " degrees", maxDegrees);
        long minutes = 0;
        BigDecimal seconds = BigDecimal.ZERO;
        String next = in.word(what + " hemisphere");
        if (!isHemisphere(next, positive, negative)) {
            minutes = in.number(next, what + " minutes", 59);
            next = in.word(what + " hemisphere");
            if (!isHemisphere(next, positive, negative)) {
                seconds = decimal(next, in, what + " seconds", 3);
                if (seconds.compareTo(new BigDecimal("60")) >= 0) {
                    throw in.problem(what + " seconds " + next + " is not under 60");
                }
                next = in.word(what + " hemisphere");
            }
        }
        if (!isHemisphere(next, positive, negative)) {
            throw in.problem(what + " needs " + positive + " or " + negative + ", not \"" + next + "\"");
        }
        long value = (degrees * 3600 + minutes * 60) * ARC_SECOND + seconds.movePointRight(3).longValueExact();
        if (value > maxDegrees * 3600 * ARC_SECOND) {
            throw in.problem(what + " is beyond " + maxDegrees + " degrees");
        }
        return next.equalsIgnoreCase(negative) ? -value : value;
    }

    private static boolean isHemisphere(String text, String positive, String negative) {
        return text.equalsIgnoreCase(positive) || text.equalsIgnoreCase(negative);
    }

    private static BigDecimal metres(String text, TextFields in, String what) {
        String number = text.endsWith("m") || text.endsWith("M") ? text.substring(0, text.length() - 1) : text;
        return decimal(number, in, what, 2);
    }

    private static BigDecimal decimal(String text, TextFields in, String what, int places) {
        if (!text.matches("-?[0-9]{1,10}(\\.[0-9]{1," + places + "})?")) {
            throw in.problem(what + " \"" + text + "\" is not a number with at most " + places + " decimals");
        }
        return new BigDecimal(text);
    }

    /** A size or precision in metres as one octet: its first digit and the power of ten of centimetres. */
    private static int precision(TextFields in, String what) {
        String text = in.word(what);
        BigDecimal metres = metres(text, in, what);
        if (metres.signum() < 0 || metres.compareTo(new BigDecimal("90000000")) > 0) {
            throw in.problem(what + " " + text + " is not in 0..90000000m");
        }
        long centimetres = metres.movePointRight(2).longValueExact();
        int exponent = 0;
        while (centimetres >= 10) { // the first digit kept, the rest cut off, as NSD and BIND do (25m is 20m)
            centimetres /= 10;
            exponent++;
        }
        return (int) centimetres << 4 | exponent;
    }
}
