package dev.chivato.server;

import dev.chivato.protocol.Message;
import dev.chivato.protocol.WireFormatException;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.core.Transport;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.ExchangePath;
import dev.chivato.server.network.Service;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What must hold for any packet through the whole server path, shared by the jqwik properties and the Jazzer fuzz
 * target: the packet is dropped or answered; an answer decodes, fits the size limit of its transport, carries the
 * query's id and echoes its question.
 */
final class HandlerChecks {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5300);
    static final ExchangePath PATH = ExchangePath.standalone(new Service(
            new QueryHandler(TestServer.seedAndBig(), QueryHandler.UnknownPolicy.NXDOMAIN, false, 300),
            QueryLog.off()));

    private HandlerChecks() {
    }

    static void check(byte[] packet) {
        for (Transport transport : Transport.values()) {
            ByteBuffer out = ByteBuffer.allocate(2 + 0xffff);
            int length = PATH.answer(ByteBuffer.wrap(packet), out, transport, CLIENT);
            if (length < 0) {
                if (packet.length >= 12 && (packet[2] & 0x80) == 0) {
                    throw new AssertionError("a query with a header was dropped over " + transport);
                }
                continue;
            }
            Message response;
            try {
                response = Message.decode(ByteBuffer.wrap(out.array(), 0, length));
            } catch (WireFormatException e) {
                throw new AssertionError("the server's own answer does not decode: " + e, e);
            }
            int id = (packet[0] & 0xff) << 8 | packet[1] & 0xff;
            if (response.header().id() != id) {
                throw new AssertionError("answer id " + response.header().id() + " for query id " + id);
            }
            if (!response.header().qr()) {
                throw new AssertionError("answer without QR");
            }
            int limit = transport == Transport.TCP ? 0xffff : 1232;
            if (length > limit) {
                throw new AssertionError(length + " octets over " + transport);
            }
            Message query;
            try {
                query = Message.decode(packet);
            } catch (WireFormatException e) {
                continue; // FORMERR: nothing to echo
            }
            if (transport == Transport.UDP) {
                int allowed = dev.chivato.server.answer.QueryHandler.responseLimit(query.edns(), Transport.UDP);
                if (length > allowed) {
                    throw new AssertionError(length + " octets where the client allows " + allowed);
                }
            }
            if (!response.questions().isEmpty() && !(response.questions().equals(query.questions())
                    && response.questions().get(0).name().equalsExactly(query.questions().get(0).name()))) {
                throw new AssertionError("question not echoed as sent");
            }
        }
    }
}
