package dev.chivato.server.network;

import java.io.Closeable;

/**
 * A thread's work that reads one UDP socket and answers each datagram in turn ({@link UdpReader}, or in batches,
 * {@link BatchedDatagrams}); {@link #close} makes it end.
 */
interface DatagramReader extends Runnable, Closeable {
}
