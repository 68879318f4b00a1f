package io.github.workerexporter.instrument;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.github.workerexporter.metrics.RequestExposition;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route labels (status as its class) and request queue time against a real server over
 * HTTP, the same for every server: a subclass starts an application that serves the paths
 * used here.
 *
 * @author Worker Exporter
 */
@TestPropertySource(properties = { "exporter.worker.id=w1", "exporter.metrics.route-labels=true",
        "exporter.metrics.status-label=class", "exporter.metrics.queue-time.enabled=true",
        "exporter.prometheus.metrics-port=0" })
abstract class AbstractRouteLabelsServerTests {

    private static final String QUEUE = "gunicorn_worker_request_queue_seconds";

    private static final String INVALID = "gunicorn_worker_request_queue_header_invalid_total{worker_id=\"w1\"}";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort
    private int port;

    @Autowired
    private PrometheusRegistry registry;

    @Test
    void labelsRequestsByMethodRouteAndStatusClass() throws Exception {
        RequestExposition before = scrape();
        assertThat(send(get("/users/1")).statusCode()).isEqualTo(200);
        assertThat(send(get("/users/2")).statusCode()).isEqualTo(200);
        assertThat(send(get("/users/0")).statusCode()).isEqualTo(400);
        String ok = "{endpoint=\"/users/{id}\",method=\"GET\",status=\"2xx\",worker_id=\"w1\"}";
        String bad = "{endpoint=\"/users/{id}\",method=\"GET\",status=\"4xx\",worker_id=\"w1\"}";
        awaitDelta(before, "gunicorn_worker_requests_total" + bad, 1);
        RequestExposition after = scrape();
        assertThat(delta(before, after, "gunicorn_worker_requests_total" + ok)).isEqualTo(2);
        assertThat(delta(before, after, "gunicorn_worker_request_duration_seconds_count" + ok)).isEqualTo(2);
        assertThat(delta(before, after, "gunicorn_worker_response_size_bytes_sum" + ok)).isEqualTo(12);
        assertThat(after.series("gunicorn_worker_requests_total")).noneMatch((s) -> s.contains("/users/1"));
    }

    @Test
    void recordsTheQueueTimeOfARequestStartHeader() throws Exception {
        RequestExposition before = scrape();
        long start = System.currentTimeMillis() - 300;
        assertThat(send(get("/users/1").header("X-Request-Start", "t=" + start)).statusCode()).isEqualTo(200);
        awaitDelta(before, QUEUE + "_count{worker_id=\"w1\"}", 1);
        RequestExposition after = scrape();
        assertThat(delta(before, after, QUEUE + "_bucket{worker_id=\"w1\",le=\"0.25\"}")).isZero();
        assertThat(delta(before, after, QUEUE + "_bucket{worker_id=\"w1\",le=\"+Inf\"}")).isEqualTo(1);
        assertThat(delta(before, after, QUEUE + "_sum{worker_id=\"w1\"}")).isGreaterThanOrEqualTo(0.3);
        assertThat(delta(before, after, INVALID)).isZero();
    }

    @Test
    void countsAGarbageHeaderAsInvalidAndServesTheRequest() throws Exception {
        RequestExposition before = scrape();
        assertThat(send(get("/users/1").header("X-Queue-Start", "t=yesterday")).statusCode()).isEqualTo(200);
        awaitDelta(before, INVALID, 1);
        assertThat(delta(before, scrape(), QUEUE + "_count{worker_id=\"w1\"}")).isZero();
    }

    private void awaitDelta(RequestExposition before, String key, double expected) throws InterruptedException {
        for (int i = 0; i < 500 && delta(before, scrape(), key) < expected; i++) {
            Thread.sleep(10);
        }
        assertThat(delta(before, scrape(), key)).isEqualTo(expected);
    }

    private RequestExposition scrape() {
        return RequestExposition.scrape(this.registry);
    }

    private static double delta(RequestExposition before, RequestExposition after, String key) {
        return after.value(key) - before.value(key);
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

}
