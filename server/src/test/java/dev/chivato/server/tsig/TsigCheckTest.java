package dev.chivato.server.tsig;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.protocol.Rcode;
import dev.chivato.protocol.ResourceRecord;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Transport;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.ExchangePath;
import dev.chivato.server.network.Service;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What RFC 8945 section 5.2 says of a MAC of the wrong size, or a TSIG record in the wrong place. */
class TsigCheckTest {
    private static final TransactionSignature.Key KEY = new TransactionSignature.Key(Name.parse("k.example."),
            Name.parse("hmac-sha256."), "HmacSHA256", new byte[32]);

    private static Message answer(byte[] query) throws Exception {
        Service service = new Service(new QueryHandler(RecordStore.defaults(), QueryHandler.UnknownPolicy.NXDOMAIN,
                false, 300), QueryLog.off());
        service.signWith(List.of(KEY));
        ByteBuffer out = ByteBuffer.allocate(65535);
        int length = ExchangePath.standalone(service).answer(ByteBuffer.wrap(query), out, Transport.UDP,
                new InetSocketAddress("127.0.0.1", 5300));
        return Message.decode(Arrays.copyOf(out.array(), length));
    }

    /** A signed query for example.com A whose MAC is {@code mac} octets long (its octets need not be right). */
    private static byte[] signedWithMacOf(int mac) {
        Message query = Message.query(7, true, Question.of("example.com", RRType.A), Optional.empty());
        byte[] algorithm = Name.parse("hmac-sha256.").wire();
        ByteBuffer rdata = ByteBuffer.allocate(algorithm.length + 16 + mac).put(algorithm)
                .putShort((short) 0).putInt((int) (System.currentTimeMillis() / 1000)).putShort((short) 300)
                .putShort((short) mac).put(new byte[mac]).putShort((short) 7).putShort((short) 0).putShort((short) 0);
        ResourceRecord tsig = new ResourceRecord(KEY.name(), RRClass.ANY, 0, new RData.Unknown(RRType.TSIG,
                rdata.array()));
        return new Message(query.header(), query.questions(), List.of(), List.of(), List.of(tsig), Optional.empty())
                .toWire();
    }

    @Test
    void aMacLongerThanTheAlgorithmMakesIsFormerr() throws Exception {
        assertEquals(Rcode.FORMERR, answer(signedWithMacOf(40)).rcode());
    }

    @Test
    void aMacCutShorterThanAllowedIsBadtrunc() throws Exception {
        Message reply = answer(signedWithMacOf(8)); // under the larger of 10 and half of 32
        assertEquals(Rcode.NOTAUTH, reply.rcode());
        ResourceRecord tsig = reply.additional().get(reply.additional().size() - 1);
        assertEquals(TransactionSignature.BADTRUNC, TransactionSignature.fields(tsig).orElseThrow().error());
    }

    @Test
    void aMacOfAllowedLengthButWrongIsBadsig() throws Exception {
        Message reply = answer(signedWithMacOf(16));
        ResourceRecord tsig = reply.additional().get(reply.additional().size() - 1);
        assertEquals(TransactionSignature.BADSIG, TransactionSignature.fields(tsig).orElseThrow().error());
    }

    @Test
    void aTsigRecordOutsideTheAdditionalSectionIsFormerr() throws Exception {
        Message signed = Message.decode(signedWithMacOf(32));
        byte[] misplaced = new Message(signed.header(), signed.questions(), signed.additional(), List.of(),
                List.of(), Optional.empty()).toWire();
        assertEquals(Rcode.FORMERR, answer(misplaced).rcode());
    }
}
