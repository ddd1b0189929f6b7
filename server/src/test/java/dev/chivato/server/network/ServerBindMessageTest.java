package dev.chivato.server.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The line for an address that cannot be had: for a low port refused to a user, what to do about it. */
class ServerBindMessageTest {
    @Test
    void aLowPortRefusedSaysHowToGetIt() {
        String line = Server.cannotListen(new InetSocketAddress("127.0.0.1", 53),
                new BindException("Permission denied"));
        assertTrue(line.startsWith("cannot listen on 127.0.0.1:53: Permission denied (ports below 1024 need "
                + "CAP_NET_BIND_SERVICE"), line);
        assertTrue(line.contains("setcap") && line.contains("authbind") && line.contains("chivato.service"), line);
    }

    @Test
    void anAddressInUseIsSaidAsItIs() {
        assertEquals("cannot listen on 127.0.0.1:53: Address already in use", Server.cannotListen(
                new InetSocketAddress("127.0.0.1", 53), new BindException("Address already in use")));
    }
}
