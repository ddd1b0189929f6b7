package dev.chivato.server;

import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.log.LogFormat;
import dev.chivato.server.log.QueryLog;
import dev.chivato.server.network.ServerConfig;
import dev.chivato.server.transfer.TransferAccess;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import dev.chivato.server.core.Cidr;
import java.util.List;
import java.util.Optional;

/**
 * Everything the server runs with, checked: made from the command line (and {@code --config}) by {@link Main}, which
 * refuses what cannot be used before anything is opened; read by {@link Assembly}, which opens and starts it all.
 * Immutable.
 *
 * @param server      the transports, their limits, and forwarding
 * @param seed        serve the seed's records (asked for, or no source given)
 * @param unknown     the answer for names under no zone and with no records; empty: the default for the sources
 * @param watch       how often to look at the files for a change; zero: only on SIGHUP
 * @param logFormat   the query log's format; empty: no log
 * @param logFile     where the log goes; empty: stdout
 * @param tsigKeys    key files, read (and their problems said) when the server is assembled
 * @param ixfrOctets  octets the IXFR differences may take per zone
 * @param dnstap      {@code unix:PATH} or {@code file:PATH}; empty: off
 * @param capture     the pcap file written; empty: off
 * @param cookieSecret the file of the DNS Cookie secret; empty: a random one
 * @param requireCookie BADCOOKIE for a UDP query with a client cookie but no good server cookie
 * @param rateLimits  response rate limiting; empty: off
 * @param web         the page ({@code --web}); empty: off
 */
record Settings(ServerConfig server, List<Path> recordFiles, List<String> recordLines, List<String> zoneSpecs,
                long ttl, boolean snitch, boolean seed, Optional<QueryHandler.UnknownPolicy> unknown, Duration watch,
                Optional<LogFormat> logFormat, Optional<Path> logFile, QueryLog.Overflow logOverflow,
                TransferAccess transfers, List<InetSocketAddress> notifyTargets, List<Path> tsigKeys,
                int ixfrVersions, long ixfrOctets, Optional<InetSocketAddress> metrics, Optional<String> dnstap,
                Optional<String> dnstapIdentity, Optional<Path> capture, long captureOctets,
                Optional<Path> cookieSecret, boolean requireCookie, Optional<RateLimits> rateLimits,
                Optional<Web> web) {
    /** The page: where it listens, whether it may edit, its bearer token's file, the servers Ask may query. */
    record Web(InetSocketAddress address, boolean edit, Optional<Path> tokenFile, List<InetSocketAddress> askable) {
        Web {
            askable = List.copyOf(askable);
        }
    }

    /** Response rate limiting ({@code --rrl}): responses a second, the slip, the window, the exempt networks. */
    record RateLimits(int rate, int slip, int window, List<Cidr> exempt) {
        RateLimits {
            exempt = List.copyOf(exempt);
        }
    }

    Settings {
        recordFiles = List.copyOf(recordFiles);
        recordLines = List.copyOf(recordLines);
        zoneSpecs = List.copyOf(zoneSpecs);
        notifyTargets = List.copyOf(notifyTargets);
        tsigKeys = List.copyOf(tsigKeys);
        if (ttl < 0 || ttl > 0x7fffffffL || watch.isNegative() || ixfrVersions < 0 || ixfrOctets < 0
                || captureOctets < 1) {
            throw new IllegalArgumentException("settings out of range: the options' checks come first");
        }
    }

    /** Whether JSON log lines share stdout with the listening lines (then those are JSON too). */
    boolean jsonOnStdout() {
        return logFormat.equals(Optional.of(LogFormat.JSON)) && logFile.isEmpty();
    }
}
