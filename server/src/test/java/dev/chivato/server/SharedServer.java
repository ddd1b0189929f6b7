package dev.chivato.server;

import dev.chivato.server.data.RecordStore;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real server for all the tests of a class: started before the first, stopped after the last.
 * {@code @RegisterExtension static final SharedServer server = new SharedServer(RecordStore::defaults);}
 */
final class SharedServer implements BeforeAllCallback, AfterAllCallback {
    private final Supplier<RecordStore> records;
    private TestServer server;

    SharedServer(Supplier<RecordStore> records) {
        this.records = records;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = TestServer.start(records.get());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        server.close();
    }

    int port() {
        return server.port();
    }
}
