package dev.chivato.server.transfer;

import dev.chivato.server.core.Cidr;
import dev.chivato.server.tsig.TransactionSignature;
import java.net.InetAddress;
import java.util.List;

/**
 * Who may transfer our zones: clients in {@code allowed} ({@code --allow-transfer}), nobody by default, as NSD and
 * Knot have it; and when keys are configured ({@code --tsig-key}), only with a request signed by one of them.
 */
public record TransferAccess(List<Cidr> allowed, boolean signatureRequired) {
    public static final TransferAccess NOBODY = new TransferAccess(List.of(), false);

    public TransferAccess {
        allowed = List.copyOf(allowed);
    }

    public boolean allows(InetAddress client, TransactionSignature.Check signature) {
        return client != null && allowed.stream().anyMatch(network -> network.contains(client))
                && (!signatureRequired || signature instanceof TransactionSignature.Check.Valid);
    }
}
