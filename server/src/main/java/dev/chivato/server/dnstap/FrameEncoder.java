package dev.chivato.server.dnstap;

import java.io.IOException;
import java.io.OutputStream;

/** Turns an exchange into the records of an output's format (dnstap frames, pcap packets); the writer thread's. */
public interface FrameEncoder {
    /** Writes the event's records to {@code out}; returns how many it wrote. */
    int write(DnstapEvent event, OutputStream out) throws IOException;
}
