package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chivato.server.data.RecordStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The blog post's dig session, against the real server on loopback, with dig, kdig, drill and the JDK's client. */
class SeedSessionTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer(RecordStore::defaults);



    private static Set<String> set(String... values) {
        return Set.of(values);
    }

    private static Set<String> digShort(String... args) {
        List<String> command = new ArrayList<>(List.of("+short"));
        command.addAll(List.of(args));
        ExternalTool.Result result = ExternalTool.dig(server.port(), command.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.stderr());
        return new HashSet<>(result.lines());
    }

    /** The six questions of the blog post and their answers (order within a set is free). */
    private static void assertSeedSession(Function<String[], Set<String>> ask) {
        assertEquals(set("1.2.3.4", "1.2.3.5"), ask.apply(new String[] {"example.com"}));
        assertEquals(set("1.2.3.5"), ask.apply(new String[] {"example.my"}));
        assertEquals(set(), ask.apply(new String[] {"nowhere.com"}));
        assertEquals(set("example.com."), ask.apply(new String[] {"-x", "1.2.3.4"}));
        assertEquals(set("example.com.", "example.my."), ask.apply(new String[] {"-x", "1.2.3.5"}));
        assertEquals(set(), ask.apply(new String[] {"-x", "1.2.3.6"}));
    }

    @Test
    void digShortAnswersTheSeedSession() {
        assertSeedSession(SeedSessionTest::digShort);
    }

    private static Set<String> kdigShort(String... args) {
        List<String> command = new ArrayList<>(List.of("kdig", "@127.0.0.1", "-p", Integer.toString(server.port()),
                "+timeout=2", "+retry=1", "+short"));
        command.addAll(List.of(args));
        ExternalTool.Result result = ExternalTool.run(command.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.stderr());
        return new HashSet<>(result.lines());
    }

    @Test
    void kdigShortAnswersTheSeedSession() {
        assertSeedSession(SeedSessionTest::kdigShort);
    }

    /** drill has no +short: the rdata of the ANSWER SECTION's lines. */
    private static Set<String> drill(String... args) {
        List<String> command = new ArrayList<>(List.of("drill", "-p", Integer.toString(server.port())));
        command.addAll(List.of(args));
        command.add("@127.0.0.1");
        ExternalTool.Result result = ExternalTool.run(command.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.stdout() + result.stderr());
        Set<String> answers = new HashSet<>();
        boolean inAnswer = false;
        for (String line : result.stdout().lines().toList()) {
            if (line.startsWith(";; ANSWER SECTION:")) {
                inAnswer = true;
            } else if (line.startsWith(";;")) {
                inAnswer = false;
            } else if (inAnswer && !line.isBlank()) {
                String[] fields = line.trim().split("\\s+");
                answers.add(fields[fields.length - 1]);
            }
        }
        return answers;
    }

    @Test
    void drillAnswersTheSeedSession() {
        assertSeedSession(SeedSessionTest::drill);
    }

    private static Set<String> jndi(String name, String type) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(DirContext.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(DirContext.PROVIDER_URL, "dns://127.0.0.1:" + server.port());
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        DirContext context = new InitialDirContext(env);
        try {
            Attributes attributes = context.getAttributes(name, new String[] {type});
            Set<String> values = new HashSet<>();
            Attribute attribute = attributes.get(type);
            if (attribute != null) {
                NamingEnumeration<?> all = attribute.getAll();
                while (all.hasMore()) {
                    values.add(all.next().toString());
                }
            }
            return values;
        } finally {
            context.close();
        }
    }

    @Test
    void jdkJndiClientAnswersTheSeedSession() throws NamingException {
        assertEquals(set("1.2.3.4", "1.2.3.5"), jndi("example.com", "A"));
        assertEquals(set("1.2.3.5"), jndi("example.my", "A"));
        assertThrows(NameNotFoundException.class, () -> jndi("nowhere.com", "A"));
        assertEquals(set("example.com."), jndi("4.3.2.1.in-addr.arpa", "PTR"));
        assertEquals(set("example.com.", "example.my."), jndi("5.3.2.1.in-addr.arpa", "PTR"));
        assertThrows(NameNotFoundException.class, () -> jndi("6.3.2.1.in-addr.arpa", "PTR"));
    }
}
