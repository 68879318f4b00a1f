package io.github.workerexporter.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Requests that touch every family: path variables, a handled and an unhandled error, a
 * 503 (the 5xx of the route panels), a large response, an upload and requests with a load
 * balancer's {@code X-Request-Start} header (the queue time).
 *
 * @author Worker Exporter
 */
final class SampleTraffic {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final URI base;

    SampleTraffic(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Send one round of requests; the status codes do not matter, only that each one was
     * answered.
     */
    void round() {
        for (String path : new String[] { "/", "/users/1", "/users/2", "/orders/42", "/orders/abc", "/boom",
                "/unavailable", "/large?kb=64" }) {
            send(HttpRequest.newBuilder(this.base.resolve(path)).GET());
        }
        for (String path : new String[] { "/", "/users/3" }) {
            // As a load balancer writes it: the request waited 100 ms before the worker.
            send(HttpRequest.newBuilder(this.base.resolve(path))
                .header("X-Request-Start", "t=" + (System.currentTimeMillis() - 100))
                .GET());
        }
        send(HttpRequest.newBuilder(this.base.resolve("/upload"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[8 * 1024])));
    }

    private void send(HttpRequest.Builder request) {
        try {
            this.http.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
        }
        catch (IOException ex) {
            throw new IllegalStateException("Request to the sample app failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", ex);
        }
    }

}
