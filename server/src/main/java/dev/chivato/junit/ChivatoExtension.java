package dev.chivato.junit;

import dev.chivato.embed.Chivato;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs an embedded {@link Chivato} for the tests of a class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static ChivatoExtension dns = ChivatoExtension.builder().record("192.0.2.1 db.internal").build();
 *
 * @Test
 * void looksUpTheDatabase() {
 *     client.resolveWith(dns.server().address());
 *     assertEquals("db.internal.", dns.server().takeQuery(Duration.ofSeconds(1)).name());
 * }
 * }</pre>
 *
 * Registered on a static field, one server serves the whole class (started before the first test, closed after the
 * last); on an instance field, each test gets its own. Either way each test begins with no recorded queries and no
 * faults.
 */
public final class ChivatoExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final Chivato.Builder builder;
    private Chivato server;
    /**
     * Classes begun and not yet ended that share the server started for the first (a static field; @Nested classes
     * inherit it): kept from one test to the next, closed when the outermost ends. Zero: one server per test.
     */
    private int classes;

    private ChivatoExtension(Chivato.Builder builder) {
        this.builder = builder;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server of the test running now. */
    public Chivato server() {
        if (server == null) {
            throw new IllegalStateException("the chivato extension starts its server before each test (or before "
                    + "all, on a static field): call server() from a test or a @BeforeEach method");
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (classes++ == 0) {
            server = builder.start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null) {
            server = builder.start();
            return;
        }
        server.clearQueries();
        server.clearFaults();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (classes == 0 && server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--classes == 0 && server != null) {
            server.close();
            server = null;
        }
    }

    /** The same settings as {@link Chivato.Builder}; {@link #build()} makes the extension, which starts the server. */
    public static final class Builder {
        private final Chivato.Builder server = Chivato.builder();

        private Builder() {
        }

        /** As {@link Chivato.Builder#record}. */
        public Builder record(String hostsLine) {
            server.record(hostsLine);
            return this;
        }

        /** As {@link Chivato.Builder#zone}. */
        public Builder zone(String origin, String zoneText) {
            server.zone(origin, zoneText);
            return this;
        }

        /** As {@link Chivato.Builder#forward}. */
        public Builder forward(String upstream) {
            server.forward(upstream);
            return this;
        }

        /** As {@link Chivato.Builder#logTo}. */
        public Builder logTo(Consumer<String> lines) {
            server.logTo(lines);
            return this;
        }

        /** As {@link Chivato.Builder#logFormat}. */
        public Builder logFormat(String format) {
            server.logFormat(format);
            return this;
        }

        /** As {@link Chivato.Builder#keepQueries}. */
        public Builder keepQueries(int queries) {
            server.keepQueries(queries);
            return this;
        }

        /** As {@link Chivato.Builder#ttl}. */
        public Builder ttl(Duration ttl) {
            server.ttl(ttl);
            return this;
        }

        /** As {@link Chivato.Builder#unknown}. */
        public Builder unknown(String answer) {
            server.unknown(answer);
            return this;
        }

        public ChivatoExtension build() {
            return new ChivatoExtension(server);
        }
    }
}
