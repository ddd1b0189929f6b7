package dev.chivato.server.data;

import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import java.util.List;

/** One line of a hosts file: an address (A or AAAA RDATA) and the names that have it. */
public record HostEntry(RData address, List<Name> names) {
    public HostEntry {
        if (!(address instanceof RData.A) && !(address instanceof RData.AAAA)) {
            throw new IllegalArgumentException("an address is A or AAAA RDATA, not " + address.type());
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("an address needs at least one name");
        }
        names = List.copyOf(names);
    }
}
