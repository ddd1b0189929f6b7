package dev.chivato.server;

import dev.chivato.protocol.Addresses;
import dev.chivato.protocol.Edns;
import dev.chivato.protocol.Explainer;
import dev.chivato.protocol.Message;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.Question;
import dev.chivato.protocol.RData;
import dev.chivato.protocol.RRClass;
import dev.chivato.protocol.RRType;
import dev.chivato.server.answer.QueryHandler;
import dev.chivato.server.data.RecordStore;
import dev.chivato.server.log.Problems;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code chivato query}: a small dig built on this project's codec. */
@Command(name = "query", mixinStandardHelpOptions = true, versionProvider = ServerOptions.Version.class,
        description = {"Ask a DNS server one question and print the answer as dig does. The server defaults to "
                + "chivato's own default, 127.0.0.1 port 10053.",
                "Arguments in dig's style: @SERVER, NAME, TYPE (or -t TYPE), -x ADDRESS, -p PORT, and " + QueryCommand.FLAGS
                        + "."})
final class QueryCommand implements Callable<Integer> {
    private static final SecureRandom IDS = new SecureRandom();
    /** The flags it takes, said in its help and when it is given one of dig's it lacks. */
    static final String FLAGS = "+tcp +norec +noedns +dnssec +ignore +bufsize=N +short +noall +answer +explain "
            + "+timeout=SECONDS +tries=N";

    @Option(names = "-t", paramLabel = "TYPE", description = "The type asked for, as dig's -t (default: A).")
    String typeOption;

    @Option(names = "-p", paramLabel = "PORT", description = "Server port (default: 10053).")
    int port = 10053;

    @Option(names = "-x", paramLabel = "ADDRESS", description = "Reverse lookup: ask for the PTR of this address.")
    String reverse;

    @Parameters(paramLabel = "ARGS", description = "[@SERVER] NAME [TYPE] [+flags]")
    List<String> args = new ArrayList<>();

    private final PrintStream out;

    QueryCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Main.UsageException {
        DigArguments asked = DigArguments.of(args);
        RRType type = typeAsked(asked.type);
        Name name = nameAsked(asked.name);
        if (reverse != null && type == null) {
            type = RRType.PTR;
        }
        InetSocketAddress server = serverAddress(asked.server, port);
        Optional<Edns> edns = asked.edns ? Optional.of(Edns.of(asked.bufsize, asked.dnssec)) : Optional.empty();
        Message query = Message.query(IDS.nextInt(0x10000), asked.recursion,
                new Question(name, type == null ? RRType.A : type, RRClass.IN), edns);

        StubClient client = new StubClient(server, Duration.ofMillis((long) (asked.timeoutSeconds * 1000)),
                asked.tries);
        List<StubClient.Exchange> exchanges;
        try {
            exchanges = client.ask(query, asked.tcp, asked.ignoreTruncation);
        } catch (StubClient.NoAnswerException e) {
            out.println(";; " + e.getMessage());
            return 9; // as dig does when no reply came
        }
        for (int i = 0; i < exchanges.size(); i++) {
            print(exchanges.get(i), i == exchanges.size() - 1, asked, server);
        }
        return 0;
    }

    /** The type from the arguments or {@code -t} (not both); null when neither gave one. */
    private RRType typeAsked(RRType fromArguments) throws Main.UsageException {
        if (typeOption == null) {
            return fromArguments;
        }
        if (fromArguments != null) {
            throw new Main.UsageException("chivato query: two types, " + fromArguments + " and -t " + typeOption);
        }
        try {
            return RRType.parse(typeOption);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("chivato query: -t " + e.getMessage());
        }
    }

    /** The name asked: the NAME argument, or the reverse name of {@code -x}'s address (not both). */
    private Name nameAsked(String nameText) throws Main.UsageException {
        try {
            if (reverse != null) {
                if (nameText != null) {
                    throw new Main.UsageException("chivato query: -x takes the place of NAME");
                }
                return RecordStore.reverseName(reverse.contains(":") ? RData.AAAA.parse(reverse)
                        : RData.A.parse(reverse));
            }
            if (nameText == null) {
                throw new Main.UsageException("chivato query: which NAME? (see chivato query --help)");
            }
            return Name.parse(nameText);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("chivato query: " + e.getMessage());
        }
    }

    /** Prints one exchange as dig would; only the last is the answer (those before it came back truncated). */
    private void print(StubClient.Exchange exchange, boolean last, DigArguments asked, InetSocketAddress server) {
        if (asked.explain) {
            out.println(";; QUERY SENT over " + exchange.transport() + "\n");
            out.print(Explainer.render(Explainer.explain(exchange.queryWire())));
            out.println("\n;; RESPONSE RECEIVED over " + exchange.transport() + "\n");
            out.print(Explainer.render(Explainer.explain(exchange.responseWire())));
            out.println();
        }
        if (!last) {
            if (!asked.shortOutput && !asked.answerOnly) {
                out.println(";; Truncated, retrying in TCP mode.");
            }
            return;
        }
        Message response = exchange.response();
        if (asked.answerOnly) {
            response.answers().forEach(out::println);
        } else if (asked.shortOutput) {
            response.answers().forEach(record -> out.println(record.data()));
        } else {
            out.println("; <<>> chivato query <<>> " + String.join(" ", args));
            out.println(";; Got answer:");
            out.print(response);
            out.println();
            out.println(";; Query time: " + exchange.millis() + " msec");
            out.println(";; SERVER: " + server.getAddress().getHostAddress() + "#" + server.getPort() + " ("
                    + exchange.transport() + ")");
            out.println(";; MSG SIZE  rcvd: " + exchange.responseWire().length);
        }
    }

    /** What dig-style arguments ask for: {@code @SERVER}, NAME, TYPE and the {@code +flags}, with dig's defaults. */
    private static final class DigArguments {
        String server = "127.0.0.1";
        String name;
        RRType type;
        boolean tcp;
        boolean recursion = true;
        boolean edns = true;
        boolean dnssec;
        boolean ignoreTruncation;
        boolean shortOutput;
        boolean explain;
        boolean answerOnly;
        int bufsize = QueryHandler.OUR_UDP_PAYLOAD_SIZE;
        double timeoutSeconds = 2;
        int tries = 2;

        static DigArguments of(List<String> args) throws Main.UsageException {
            DigArguments asked = new DigArguments();
            for (String arg : args) {
                if (arg.startsWith("@")) {
                    asked.server = arg.substring(1);
                } else if (arg.startsWith("+")) {
                    asked.flag(arg);
                } else if (asked.name == null) {
                    asked.name = arg;
                } else if (asked.type == null) {
                    try {
                        asked.type = RRType.parse(arg);
                    } catch (IllegalArgumentException e) {
                        throw new Main.UsageException("chivato query: " + e.getMessage());
                    }
                } else {
                    throw new Main.UsageException("chivato query: unexpected argument " + arg);
                }
            }
            if (asked.bufsize < 0 || asked.bufsize > 0xffff || asked.tries < 1 || !(asked.timeoutSeconds > 0)) {
                throw new Main.UsageException(
                        "chivato query: +bufsize is 0..65535, +tries at least 1, +timeout above 0");
            }
            return asked;
        }

        private void flag(String arg) throws Main.UsageException {
            String flag = arg.substring(1).toLowerCase(java.util.Locale.ROOT);
            switch (flag) {
                case "tcp" -> tcp = true;
                case "notcp" -> tcp = false;
                case "norec", "norecurse" -> recursion = false;
                case "rec", "recurse" -> recursion = true;
                case "noedns" -> edns = false;
                case "edns" -> edns = true;
                case "dnssec" -> dnssec = true;
                case "ignore" -> ignoreTruncation = true;
                case "short" -> shortOutput = true;
                case "explain" -> explain = true;
                case "noall" -> answerOnly = true; // sections come back with +answer, the only one printed
                case "answer", "nocmd", "nocomments", "noquestion", "nostats" -> { } // what +noall leaves
                default -> valueFlag(arg, flag);
            }
        }

        private void valueFlag(String arg, String flag) throws Main.UsageException {
            int equals = flag.indexOf('=');
            String key = equals < 0 ? flag : flag.substring(0, equals);
            String value = equals < 0 ? "" : flag.substring(equals + 1);
            try {
                switch (key) {
                    case "bufsize" -> bufsize = Integer.parseInt(value);
                    case "timeout", "time" -> timeoutSeconds = Double.parseDouble(value);
                    case "tries" -> tries = Integer.parseInt(value);
                    default -> throw new Main.UsageException("chivato query: " + arg
                            + " is one of dig's that chivato query lacks; it takes " + FLAGS);
                }
            } catch (NumberFormatException e) {
                throw new Main.UsageException("chivato query: " + arg + ": not a number");
            }
        }
    }

    /**
     * The server, as dig takes it: an IPv4 or IPv6 literal, or a host name looked up once by the JDK's resolver
     * ({@code @localhost}). Dotted digits must be an IPv4 address: {@code @999.1.1.1} is refused, not looked up.
     */
    static InetSocketAddress serverAddress(String text, int port) throws Main.UsageException {
        if (port < 1 || port > 65535) {
            throw new Main.UsageException("chivato query: -p " + port + ": a port is 1..65535");
        }
        try {
            byte[] octets;
            if (text.contains(":")) {
                octets = Addresses.parseIPv6(text.startsWith("[") && text.endsWith("]")
                        ? text.substring(1, text.length() - 1) : text);
            } else if (text.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9')) {
                int v4 = Addresses.parseIPv4(text);
                octets = new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
            } else {
                return new InetSocketAddress(InetAddress.getByName(text), port);
            }
            return new InetSocketAddress(InetAddress.getByAddress(octets), port);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("chivato query: @" + text + ": " + e.getMessage());
        } catch (UnknownHostException e) {
            throw new Main.UsageException("chivato query: @" + text + ": no such host");
        }
    }

    /**
     * Turns what a command throws into one line: a usage error exits 2, anything else (a bug) 1. A user never sees
     * a stack trace.
     */
    static CommandLine.IExecutionExceptionHandler usageErrors() {
        return (e, commandLine, parseResult) -> {
            if (e instanceof Main.UsageException) {
                commandLine.getErr().println(e.getMessage());
                return Main.EXIT_USAGE;
            }
            commandLine.getErr().println("chivato: " + commandLine.getCommandName() + " failed: "
                    + Problems.describe(e));
            return Main.EXIT_FAILURE;
        };
    }
}
