package io.github.workerexporter.server;

import java.io.IOException;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpsConfigurator;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;

import io.github.workerexporter.testing.RawHttp;

/**
 * A registry with a test counter, settings on loopback, and {@code GET /metrics} through
 * the tests' raw client ({@link RawHttp}).
 */
final class MetricsServerTestSupport {

    static final String LOOPBACK = "127.0.0.1";

    private MetricsServerTestSupport() {
    }

    static PrometheusRegistry registryWithCounter() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("test_requests").help("Requests of the test").register(registry).inc(3);
        return registry;
    }

    static MetricsServerSettings settings(int port) {
        return new MetricsServerSettings(LOOPBACK, port, "/metrics", 1, Duration.ZERO, true, null, null);
    }

    static MetricsServerSettings retrying(int port, int attempts, boolean fail) {
        return new MetricsServerSettings(LOOPBACK, port, "/metrics", attempts, Duration.ofMillis(50), fail, null, null);
    }

    static MetricsServerSettings https(HttpsConfigurator https) {
        return new MetricsServerSettings(LOOPBACK, 0, "/metrics", 1, Duration.ZERO, true, https, null);
    }

    static MetricsServerSettings authenticated(Authenticator authenticator) {
        return new MetricsServerSettings(LOOPBACK, 0, "/metrics", 1, Duration.ZERO, true, null, authenticator);
    }

    static RawHttp.Response get(int port, String... headers) throws IOException {
        return get(null, port, headers);
    }

    /**
     * {@code GET /metrics} once, on a connection of its own.
     * @param tls the client's TLS context, or {@code null} for plain HTTP
     * @param port the port on 127.0.0.1
     * @param headers header names and values, in pairs
     * @return the response
     * @throws IOException on a connection or TLS failure
     */
    static RawHttp.Response get(@Nullable SSLContext tls, int port, String... headers) throws IOException {
        String[] lines = new String[headers.length / 2];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = headers[2 * i] + ": " + headers[2 * i + 1];
        }
        try (RawHttp http = new RawHttp(port, tls)) {
            return http.send(RawHttp.request("GET", "/metrics", lines));
        }
    }

}
