package dev.chivato.server.core;

import dev.chivato.protocol.Addresses;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** A network: an address and a prefix length ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, or one address). */
public record Cidr(byte[] network, int prefixLength) {
    public Cidr {
        network = network.clone();
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("a network is an IPv4 or IPv6 address");
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not in 0.." + network.length * 8);
        }
    }

    /** {@code ADDRESS[/LENGTH]}; without a length, the one address. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] octets;
        if (address.contains(":")) {
            octets = Addresses.parseIPv6(address);
        } else {
            int bits = Addresses.parseIPv4(address);
            octets = new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
        }
        int length = octets.length * 8;
        if (slash >= 0) {
            try {
                length = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + text + "\": the prefix length is not a number");
            }
        }
        return new Cidr(octets, length);
    }

    public static Cidr of(InetAddress address, int prefixLength) {
        return new Cidr(address.getAddress(), prefixLength);
    }

    public boolean contains(InetAddress address) {
        byte[] octets = address.getAddress();
        if (octets.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (octets[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        int mask = (0xff << (8 - rest)) & 0xff;
        return rest == 0 || (octets[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four or sixteen octets always make an address
        }
    }
}
