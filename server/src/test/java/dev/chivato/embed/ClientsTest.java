package dev.chivato.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import javax.naming.CommunicationException;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.ServiceUnavailableException;
import javax.naming.directory.Attribute;
import javax.naming.directory.InitialDirContext;
import dev.chivato.junit.ChivatoExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * The embedded server as the clients users test with see it: the JDK's JNDI DNS provider and dnsjava's
 * {@code SimpleResolver}, each fault as that client reports it.
 */
class ClientsTest {
    /** Started for the class, cleared before each test: the extension as users register it. */
    @RegisterExtension
    static ChivatoExtension server = ChivatoExtension.builder().record("192.0.2.1 db.internal")
            .zone("example.org.", ChivatoTest.ZONE).build();
    private Chivato dns;

    @BeforeEach
    void server() {
        dns = server.server();
    }

    /** The JDK's DNS provider, asking chivato only, quickly giving up. */
    private InitialDirContext jndi() throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", "dns://127.0.0.1:" + dns.port());
        env.put("com.sun.jndi.dns.timeout.initial", "200");
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        return new InitialDirContext(env);
    }

    private String jndiLookup(String name, String type) throws NamingException {
        Attribute values = jndi().getAttributes(name, new String[] {type}).get(type);
        return values == null ? null : values.get().toString();
    }

    private SimpleResolver dnsjava() throws IOException {
        SimpleResolver resolver = new SimpleResolver(dns.address());
        resolver.setTimeout(Duration.ofMillis(300));
        return resolver;
    }

    private static org.xbill.DNS.Message dnsjavaAsk(SimpleResolver resolver, String name, int type)
            throws IOException {
        Record question = Record.newRecord(org.xbill.DNS.Name.fromString(name, org.xbill.DNS.Name.root), type,
                DClass.IN);
        return resolver.send(org.xbill.DNS.Message.newQuery(question));
    }

    @Test
    void jndiLooksUpARecordAndAZone() throws Exception {
        assertEquals("192.0.2.1", jndiLookup("db.internal", "A"));
        assertEquals("10 mail.example.org.", jndiLookup("example.org", "MX"));
        assertEquals("db.internal.", dns.takeQuery(Duration.ofSeconds(1)).name());
    }

    @Test
    void jndiSeesNxdomainAsNameNotFound() {
        dns.fault("db.internal", Fault.nxdomain());
        assertThrows(NameNotFoundException.class, () -> jndiLookup("db.internal", "A"));
    }

    @Test
    void jndiSeesServfailAsServiceUnavailable() {
        dns.fault("db.internal", Fault.servfail());
        assertThrows(ServiceUnavailableException.class, () -> jndiLookup("db.internal", "A"));
    }

    @Test
    void jndiTimesOutOnADrop() {
        dns.fault("db.internal", Fault.drop());
        assertThrows(CommunicationException.class, () -> jndiLookup("db.internal", "A"));
        assertTrue(dns.queries().stream().noneMatch(RecordedQuery::answered), dns.queries().toString());
    }

    @Test
    void jndiAsksAgainOverTcpAfterATruncation() throws Exception {
        dns.fault("db.internal", Fault.truncate());
        assertEquals("192.0.2.1", jndiLookup("db.internal", "A"));
        assertEquals(List.of("udp", "tcp"), dns.queries().stream().map(RecordedQuery::transport).toList());
    }

    @Test
    void jndiFailsToParseGarbage() {
        dns.fault("db.internal", Fault.garbage());
        assertThrows(NamingException.class, () -> jndiLookup("db.internal", "A"));
    }

    @Test
    void dnsjavaLooksUpARecord() throws Exception {
        org.xbill.DNS.Message answer = dnsjavaAsk(dnsjava(), "db.internal", Type.A);
        assertEquals("192.0.2.1", answer.getSection(org.xbill.DNS.Section.ANSWER).get(0).rdataToString());
    }

    @Test
    void dnsjavaSeesEachRcodeFault() throws Exception {
        dns.fault("db.internal", Fault.refused());
        assertEquals(Rcode.REFUSED, dnsjavaAsk(dnsjava(), "db.internal", Type.A).getRcode());
        dns.fault("db.internal", Fault.servfail());
        assertEquals(Rcode.SERVFAIL, dnsjavaAsk(dnsjava(), "db.internal", Type.A).getRcode());
        dns.fault("db.internal", Fault.nxdomain());
        assertEquals(Rcode.NXDOMAIN, dnsjavaAsk(dnsjava(), "db.internal", Type.A).getRcode());
    }

    @Test
    void dnsjavaTimesOutOnADrop() {
        dns.fault("db.internal", Fault.drop());
        assertThrows(IOException.class, () -> dnsjavaAsk(dnsjava(), "db.internal", Type.A));
    }

    @Test
    void dnsjavaRetriesOverTcpAfterATruncation() throws Exception {
        dns.fault("example.org", Fault.truncate());
        org.xbill.DNS.Message answer = dnsjavaAsk(dnsjava(), "example.org", Type.MX);
        assertEquals(1, answer.getSection(org.xbill.DNS.Section.ANSWER).size());
        assertEquals(List.of("udp", "tcp"), dns.queries().stream().map(RecordedQuery::transport).toList());
    }

    @Test
    void dnsjavaFailsToParseGarbage() {
        dns.fault("db.internal", Fault.garbage());
        assertThrows(WireParseException.class, () -> dnsjavaAsk(dnsjava(), "db.internal", Type.A));
    }

    @Test
    void dnsjavaOverTcpSeesTheConnectionClosed() throws Exception {
        dns.fault("db.internal", Fault.closeTcp());
        SimpleResolver tcp = dnsjava();
        tcp.setTCP(true);
        assertThrows(IOException.class, () -> dnsjavaAsk(tcp, "db.internal", Type.A));
        assertEquals("tcp", dns.takeQuery(Duration.ofSeconds(1)).transport());
    }

    @Test
    void dnsjavaGetsTheAnswerAfterACountedFaultIsUsedUp() throws Exception {
        dns.fault("db.internal", Fault.times(1, Fault.servfail()));
        SimpleResolver resolver = dnsjava();
        assertEquals(Rcode.SERVFAIL, dnsjavaAsk(resolver, "db.internal", Type.A).getRcode());
        assertEquals(Rcode.NOERROR, dnsjavaAsk(resolver, "db.internal", Type.A).getRcode());
    }
}
