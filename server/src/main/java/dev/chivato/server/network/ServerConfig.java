package dev.chivato.server.network;

import dev.chivato.server.forward.Forwarding;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How the transports run.
 *
 * @param idleTimeout    a TCP connection with nothing to do for this long is closed
 * @param ioTimeout      a TCP connection that has sent part of a message and then nothing, or has left its answers
 *                       untaken, for this long is closed
 * @param maxConnections TCP connections open at once; past it the longest-idle one is closed for a new one, or
 *                       the new one is refused when none is idle
 * @param tcpMemory      octets all TCP connections may hold in buffers together; past it those holding the most are
 *                       closed
 * @param forwarding     where the names we do not hold are sent, and for whom
 */
public record ServerConfig(List<InetSocketAddress> listen, int threads, Duration idleTimeout, Duration ioTimeout,
                           int maxConnections, long tcpMemory, Forwarding forwarding) {
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_CONNECTIONS = 1000;
    public static final long DEFAULT_TCP_MEMORY = 64L << 20;

    public ServerConfig {
        listen = List.copyOf(listen);
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("nothing to listen on");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        if (maxConnections < 1 || tcpMemory < 1) {
            throw new IllegalArgumentException("connections and TCP memory must be positive");
        }
    }

    /** Nothing forwarded. */
    public ServerConfig(List<InetSocketAddress> listen, int threads, Duration idleTimeout, Duration ioTimeout,
            int maxConnections, long tcpMemory) {
        this(listen, threads, idleTimeout, ioTimeout, maxConnections, tcpMemory, Forwarding.none());
    }

    public ServerConfig withForwarding(Forwarding next) {
        return new ServerConfig(listen, threads, idleTimeout, ioTimeout, maxConnections, tcpMemory, next);
    }

    public static ServerConfig of(List<InetSocketAddress> listen, int threads) {
        return new ServerConfig(listen, threads, DEFAULT_IDLE_TIMEOUT, DEFAULT_IO_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_TCP_MEMORY);
    }
}
