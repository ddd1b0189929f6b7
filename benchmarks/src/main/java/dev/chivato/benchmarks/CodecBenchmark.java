package dev.chivato.benchmarks;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.WireFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.TextParseException;

/**
 * The codec's common shapes, each done by chivato and by dnsjava 3.6 in the same run. Names: {@code shape_chivato}
 * and {@code shape_dnsjava}, so the two sort side by side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class CodecBenchmark {
    private byte[] digQuery;
    private ByteBuffer digQueryBuffer;
    private byte[] nsdResponse;
    private ByteBuffer nsdResponseBuffer;
    private final ByteBuffer out = ByteBuffer.allocate(65535);
    private Message aResponse;
    private Message largeResponse;
    private org.xbill.DNS.Message aResponseDnsjava;
    private org.xbill.DNS.Message largeResponseDnsjava;

    private byte[] hundred;
    private ByteBuffer hundredBuffer;
    private Message hundredMessage;
    private org.xbill.DNS.Message hundredDnsjava;
    private org.xbill.DNS.Message nsdResponseDnsjava;
    private Message nsdResponseMessage;
    private Name lower;
    private Name mixed;
    private org.xbill.DNS.Name lowerDnsjava;
    private org.xbill.DNS.Name mixedDnsjava;

    @Setup
    public void setUp() throws IOException, WireFormatException {
        hundredMessage = Fixtures.hundredRecords();
        hundred = hundredMessage.toWire();
        hundredBuffer = ByteBuffer.wrap(hundred);
        hundredDnsjava = new org.xbill.DNS.Message(hundred);
        lower = Name.parse("www.example.com.");
        mixed = Name.parse("WWW.Example.COM.");
        lowerDnsjava = org.xbill.DNS.Name.fromString("www.example.com.");
        mixedDnsjava = org.xbill.DNS.Name.fromString("WWW.Example.COM.");
        digQuery = Fixtures.capture("dig-query-a.bin");
        digQueryBuffer = ByteBuffer.wrap(digQuery);
        nsdResponse = Fixtures.capture("nsd-response-a.bin");
        nsdResponseBuffer = ByteBuffer.wrap(nsdResponse);
        aResponse = Fixtures.aResponse();
        largeResponse = Fixtures.largeResponse();
        // dnsjava gets the very same messages, read from our bytes.
        aResponseDnsjava = new org.xbill.DNS.Message(aResponse.toWire());
        largeResponseDnsjava = new org.xbill.DNS.Message(largeResponse.toWire());
        nsdResponseMessage = Message.decode(nsdResponse);
        nsdResponseDnsjava = new org.xbill.DNS.Message(nsdResponse);
    }

    /** A hundred records (A, AAAA, MX, CNAME, TXT) under one zone, compressed: 3,2xx octets. */
    @Benchmark
    public Message decodeHundred_chivato() throws WireFormatException {
        return Message.decode(hundredBuffer);
    }

    @Benchmark
    public org.xbill.DNS.Message decodeHundred_dnsjava() throws IOException {
        return new org.xbill.DNS.Message(hundred);
    }

    @Benchmark
    public int encodeHundred_chivato() {
        out.clear();
        return hundredMessage.encode(out, 65535);
    }

    @Benchmark
    public byte[] encodeHundred_dnsjava() {
        return hundredDnsjava.toWire();
    }

    /** The lookup key's work: two names equal but for case. */
    @Benchmark
    public boolean nameEquals_chivato() {
        return lower.equals(mixed);
    }

    @Benchmark
    public boolean nameEquals_dnsjava() {
        return lowerDnsjava.equals(mixedDnsjava);
    }

    /** Hashing ignores case too; both keep the hash in the name once computed. */
    @Benchmark
    public int nameHash_chivato() {
        return mixed.hashCode();
    }

    @Benchmark
    public int nameHash_dnsjava() {
        return mixedDnsjava.hashCode();
    }

    /** NSD's 140-octet answer as dig prints it. */
    @Benchmark
    public String toString_chivato() {
        return nsdResponseMessage.toString();
    }

    @Benchmark
    public String toString_dnsjava() {
        return nsdResponseDnsjava.toString();
    }

    /** dig's query for example.com A: EDNS with a cookie, 52 octets (testdata dig-query-a.bin). */
    @Benchmark
    public Message decodeDigQuery_chivato() throws WireFormatException {
        return Message.decode(digQueryBuffer);
    }

    @Benchmark
    public org.xbill.DNS.Message decodeDigQuery_dnsjava() throws IOException {
        return new org.xbill.DNS.Message(digQuery);
    }

    /** NSD's answer to example.com A: 2 A, 2 NS, 2 glue A and OPT, 140 octets (testdata nsd-response-a.bin). */
    @Benchmark
    public Message decodeResponse_chivato() throws WireFormatException {
        return Message.decode(nsdResponseBuffer);
    }

    @Benchmark
    public org.xbill.DNS.Message decodeResponse_dnsjava() throws IOException {
        return new org.xbill.DNS.Message(nsdResponse);
    }

    /** The answer to example.com A with two A records, compressed. */
    @Benchmark
    public int encodeAResponse_chivato() {
        out.clear();
        return aResponse.encode(out, 65535);
    }

    @Benchmark
    public byte[] encodeAResponse_dnsjava() {
        return aResponseDnsjava.toWire();
    }

    /** 34 records (NS, SOA, MX, A) whose names share suffixes: compression does most of the work. */
    @Benchmark
    public int encodeLargeResponse_chivato() {
        out.clear();
        return largeResponse.encode(out, 65535);
    }

    @Benchmark
    public byte[] encodeLargeResponse_dnsjava() {
        return largeResponseDnsjava.toWire();
    }

    @Benchmark
    public Name parseName_chivato() {
        return Name.parse("www.example.com.");
    }

    @Benchmark
    public org.xbill.DNS.Name parseName_dnsjava() throws TextParseException {
        return org.xbill.DNS.Name.fromString("www.example.com.");
    }
}
