package dev.chivato.server.core;

/** How a message arrived; the answer goes back the same way. */
public enum Transport {
    UDP, TCP;

    /** Lower-case name, as the log writes it. */
    public String label() {
        return this == UDP ? "udp" : "tcp";
    }
}
