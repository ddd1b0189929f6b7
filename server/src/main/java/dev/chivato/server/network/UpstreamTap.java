package dev.chivato.server.network;

import dev.chivato.server.core.Transport;
import dev.chivato.server.dnstap.DnstapEvent;
import dev.chivato.server.forward.Forwarder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What the forwarders do with upstreams, recorded as the rest is: FORWARDER_QUERY and FORWARDER_RESPONSE frames (with
 * both ends: our socket is bound), their packets in the capture, and the upstream metrics. The client's own exchange
 * is not here: it goes through the {@link Completion} like every other.
 */
final class UpstreamTap implements Forwarder.Observer {
    private final Service service;

    UpstreamTap(Service service) {
        this.service = service;
    }

    @Override
    public boolean wantsMessages() {
        return service.tapping();
    }

    @Override
    public void sent(Transport transport, InetSocketAddress local, InetSocketAddress upstream, ByteBuffer query,
            long nanos) {
        if (service.metrics() != null) {
            service.metrics().forwardTry();
        }
        if (service.tapping()) {
            service.tap().offer(new DnstapEvent(DnstapEvent.Role.FORWARDER, transport, local, upstream, nanos, 0,
                    copy(query), null));
        }
    }

    @Override
    public void received(Transport transport, InetSocketAddress local, InetSocketAddress upstream, ByteBuffer answer,
            long sentNanos, long nanos) {
        if (service.metrics() != null) {
            service.metrics().upstreamAnswered(transport, nanos - sentNanos);
        }
        if (service.tapping() && answer != null) {
            service.tap().offer(new DnstapEvent(DnstapEvent.Role.FORWARDER, transport, local, upstream, sentNanos,
                    nanos, null, copy(answer)));
        }
    }

    @Override
    public void tryFailed(Forwarder.TryFailed why) {
        if (service.metrics() != null) {
            service.metrics().forwardTryFailed(why);
        }
    }

    @Override
    public void dropped() {
        if (service.metrics() != null) {
            service.metrics().forwardDropped();
        }
    }

    private static byte[] copy(ByteBuffer message) {
        byte[] bytes = new byte[message.remaining()];
        message.get(message.position(), bytes);
        return bytes;
    }
}
