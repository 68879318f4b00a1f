package io.github.workerexporter.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpsConfigurator;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A registry with a test counter, settings on loopback, and plain HTTP requests.
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

    static HttpResponse<byte[]> get(int port, String... headers) throws IOException, InterruptedException {
        return get(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), "http", port, headers);
    }

    static HttpResponse<byte[]> get(HttpClient client, String scheme, int port, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/metrics"));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

}
