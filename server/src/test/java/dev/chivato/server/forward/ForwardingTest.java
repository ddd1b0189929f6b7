package dev.chivato.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chivato.protocol.Name;
import dev.chivato.server.core.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForwardingTest {
    private static Forwarding of(String... specs) {
        return new Forwarding(Forwarding.routes(List.of(specs)), List.of(), Forwarding.TRY_TIMEOUT,
                Forwarding.DEADLINE, Forwarding.MAX_PENDING, false);
    }

    @Test
    void theLongestDomainAtOrAboveANameWins() throws Exception {
        Forwarding forwarding = of("192.0.2.1", "corp.example=192.0.2.2", "lab.corp.example=192.0.2.3:5353",
                "corp.example=192.0.2.4");
        assertEquals(List.of(new InetSocketAddress(InetAddress.getByName("192.0.2.3"), 5353)),
                forwarding.upstreamsFor(Name.parse("x.LAB.corp.example")).orElseThrow());
        assertEquals(List.of(new InetSocketAddress(InetAddress.getByName("192.0.2.2"), 53),
                new InetSocketAddress(InetAddress.getByName("192.0.2.4"), 53)),
                forwarding.upstreamsFor(Name.parse("corp.example")).orElseThrow(), "in the order given");
        assertEquals(53, forwarding.upstreamsFor(Name.parse("example.org")).orElseThrow().get(0).getPort());
        assertEquals(Optional.empty(), of("corp.example=192.0.2.2").upstreamsFor(Name.parse("example.org")));
    }

    @Test
    void upstreamsAreAddressesWithAnOptionalPortAndIpv6InBrackets() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 5353), Forwarding.upstream("[::1]:5353"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 53), Forwarding.upstream("::1"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 53), Forwarding.upstream("127.0.0.1"));
        for (String bad : new String[] {"localhost", "127.0.0.1:0", "127.0.0.1:70000", "[::1", "[::1]x", "1.2.3"}) {
            assertThrows(IllegalArgumentException.class, () -> Forwarding.upstream(bad), bad);
        }
    }

    @Test
    void networksContainTheirAddressesOnly() throws Exception {
        Cidr net = Cidr.parse("192.0.2.0/25");
        assertTrue(net.contains(InetAddress.getByName("192.0.2.127")));
        assertFalse(net.contains(InetAddress.getByName("192.0.2.128")));
        assertFalse(net.contains(InetAddress.getByName("::1")));
        assertTrue(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:ffff::1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.9")));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("192.0.2.0/33"));
    }

    @Test
    void localClientsAlwaysIncludeLoopback() throws Exception {
        List<Cidr> local = Forwarding.localClients(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                53)));
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        InetAddress elsewhere = InetAddress.getByName("192.0.2.1");
        assertTrue(local.stream().anyMatch(c -> c.contains(v4)));
        assertTrue(local.stream().anyMatch(c -> c.contains(v6)));
        assertFalse(local.stream().anyMatch(c -> c.contains(elsewhere)));
    }
}
