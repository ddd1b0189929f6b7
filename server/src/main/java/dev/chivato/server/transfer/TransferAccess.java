package dev.chivato.server.transfer;

import dev.chivato.server.forward.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * Who may transfer our zones: clients in {@code allowed} ({@code --allow-transfer}); nobody by default, as NSD
 * and Knot have it.
 */
public record TransferAccess(List<Cidr> allowed) {
    public static final TransferAccess NOBODY = new TransferAccess(List.of());

    public TransferAccess {
        allowed = List.copyOf(allowed);
    }

    public boolean allows(InetAddress client) {
        return client != null && allowed.stream().anyMatch(network -> network.contains(client));
    }
}
