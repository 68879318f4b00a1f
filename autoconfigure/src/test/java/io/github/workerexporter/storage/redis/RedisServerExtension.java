package io.github.workerexporter.storage.redis;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Redis server of a test class, a real one ({@link RedisServerSupport}), registered
 * as a static field:
 * <ul>
 * <li>{@code @RegisterExtension static final RedisServerExtension redis =
 * RedisServerExtension.started(arguments...)}: a server of the class's own, started
 * before its first test and stopped after its last;</li>
 * <li>{@code @RegisterExtension static final RedisServerExtension redis =
 * RedisServerExtension.shared()}: the server of the JVM
 * ({@link RedisServerSupport#shared()}), which test classes share with key prefixes of
 * their own.</li>
 * </ul>
 * When no {@code redis-server} can be had, every test of the class is SKIPPED with the
 * reason ({@link RedisServerSupport} aborts). A test that needs a server of a particular
 * kind for itself (TLS, Sentinel, a cluster, one it stops) starts it with
 * {@link RedisServerSupport} and is skipped the same way.
 *
 * @author Worker Exporter
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private final boolean own;

    private final List<String> arguments;

    private @Nullable RedisServerSupport server;

    private RedisServerExtension(boolean own, List<String> arguments) {
        this.own = own;
        this.arguments = arguments;
    }

    /**
     * A server of the class's own.
     * @param arguments more {@code redis-server} arguments
     * @return the extension
     */
    public static RedisServerExtension started(String... arguments) {
        return new RedisServerExtension(true, List.of(arguments));
    }

    /**
     * The server of the JVM, shared with other test classes.
     * @return the extension
     */
    public static RedisServerExtension shared() {
        return new RedisServerExtension(false, List.of());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        this.server = this.own ? RedisServerSupport.start(this.arguments.toArray(String[]::new))
                : RedisServerSupport.shared();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisServerSupport started = this.server;
        this.server = null;
        if (this.own && started != null) {
            started.close();
        }
    }

    /**
     * The server, between the class's first and last test.
     * @return the server
     */
    public RedisServerSupport server() {
        RedisServerSupport current = this.server;
        if (current == null) {
            throw new IllegalStateException("No Redis server before the class's first test or after its last");
        }
        return current;
    }

    /**
     * The server's host.
     * @return the host
     */
    public String host() {
        return server().host();
    }

    /**
     * The server's port.
     * @return the port
     */
    public int port() {
        return server().port();
    }

}
