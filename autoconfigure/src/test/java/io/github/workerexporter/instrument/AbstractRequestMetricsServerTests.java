package io.github.workerexporter.instrument;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.testing.RawHttp;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of the request metrics against a real server, the same for every server: a
 * subclass starts an application that serves the paths used here. Every test works on the
 * difference between two scrapes of the shared registry.
 *
 * @author Worker Exporter
 */
@TestPropertySource(properties = { "exporter.worker.id=w1", "exporter.metrics.max-label-sets=50",
        "exporter.prometheus.metrics-port=0", "management.endpoints.web.exposure.include=prometheus" })
abstract class AbstractRequestMetricsServerTests {

    /**
     * Random URLs per server: enough to show that raw paths never become labels (10,000
     * took 20 s per servlet server here); the cap itself is tested with 10,000 label sets
     * in {@code RequestMetricsTests}.
     */
    private static final int RANDOM_URLS = 2_000;

    private static final String REQUESTS = "gunicorn_worker_requests_total{worker_id=\"w1\"}";

    private static final String IN_FLIGHT = "gunicorn_worker_requests_in_flight{worker_id=\"w1\"}";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort
    private int port;

    @Autowired
    private PrometheusRegistry registry;

    @Autowired
    private WorkerLifecycle lifecycle;

    @Test
    void notesAnOutOfMemoryErrorThatEscapesARequestAsTheStopReason() throws Exception {
        assertThat(get("/unhandled").statusCode()).isEqualTo(500);
        assertThat(this.lifecycle.stopReason()).isNull();
        // Thrown, not provoked: a full heap would disturb the other tests of this JVM
        // (e2e.WorkerRestartsTests fills a real heap).
        try {
            assertThat(get("/out-of-memory").statusCode()).isEqualTo(500);
        }
        catch (IOException ex) {
            // Reactor Netty drops the connection on an error fatal to the JVM.
        }
        assertThat(this.lifecycle.stopReason()).isEqualTo(StopReason.OOM);
    }

    @Test
    void countsARequestEndedByAnErrorFatalToTheJvmOnceAndTakesItOutOfFlight() throws Exception {
        // Thrown by the handler, signalled by its result, thrown as its result is
        // produced (asynchronously on a servlet), and an error other than OOM.
        for (String path : List.of("/out-of-memory", "/out-of-memory-signalled", "/out-of-memory-later",
                "/stack-overflow")) {
            double before = scrape().value(REQUESTS);
            getDropped(path);
            for (int i = 0; i < 500 && scrape().value(REQUESTS) < before + 1; i++) {
                Thread.sleep(10);
            }
            assertThat(scrape().value(REQUESTS)).as(path).isEqualTo(before + 1);
            assertThat(scrape().value(IN_FLIGHT)).as(path).isZero();
        }
        assertThat(scrape().value("gunicorn_worker_failed_requests_total{endpoint=\"/stack-overflow\","
                + "error_type=\"StackOverflowError\",method=\"GET\",worker_id=\"w1\"}"))
            .isEqualTo(1);
        assertThat(this.lifecycle.stopReason()).isEqualTo(StopReason.OOM);
    }

    @Test
    void countsEveryRequestOnceAndTheScrapeRequestItself() throws Exception {
        RequestExposition first = RequestExposition.parse(get("/actuator/prometheus").body());
        for (int i = 1; i <= 5; i++) {
            assertThat(get("/users/" + i).statusCode()).isEqualTo(200);
        }
        double expected = first.value(REQUESTS) + 5 + 1;
        awaitRequests(expected);
        RequestExposition second = RequestExposition.parse(get("/actuator/prometheus").body());
        assertThat(second.value(REQUESTS)).isEqualTo(expected);
        assertThat(second.types()).doesNotHaveDuplicates()
            .contains("gunicorn_worker_requests_total", "gunicorn_worker_request_duration_seconds",
                    "gunicorn_worker_request_size_bytes", "gunicorn_worker_response_size_bytes");
        assertThat(second.value("gunicorn_worker_request_duration_seconds_count{worker_id=\"w1\"}"))
            .isEqualTo(expected);
        // The second scrape is recorded after its response: not in the next test's
        // window.
        awaitRequests(expected + 1);
    }

    @Test
    void countsAnExceptionHandledByExceptionHandlerAsHandledNotFailed() throws Exception {
        RequestExposition before = scrapeAfter(() -> assertThat(get("/users/0").statusCode()).isEqualTo(400));
        RequestExposition after = scrape();
        assertThat(delta(before, after, errors("error_handling", "/users/{id}", "IllegalArgumentException")))
            .isEqualTo(1);
        assertThat(after.series("gunicorn_worker_failed_requests_total")).noneMatch((s) -> s.contains("/users/"));
    }

    @Test
    void countsAnUnhandledExceptionAsFailedWithItsClassNameOnce() throws Exception {
        RequestExposition before = scrapeAfter(() -> assertThat(get("/unhandled").statusCode()).isEqualTo(500));
        RequestExposition after = scrape();
        assertThat(delta(before, after, errors("failed_requests", "/unhandled", "IllegalStateException"))).isEqualTo(1);
        assertThat(after.series("gunicorn_worker_error_handling_total")).noneMatch((s) -> s.contains("/unhandled"));
    }

    @Test
    void countsA503AsFailed() throws Exception {
        RequestExposition before = scrapeAfter(() -> assertThat(get("/unavailable").statusCode()).isEqualTo(503));
        assertThat(delta(before, scrape(), errors("failed_requests", "/unavailable", "HTTP_503"))).isEqualTo(1);
    }

    @Test
    void measuresA64KibResponseIntoThe65536Bucket() throws Exception {
        RequestExposition before = scrapeAfter(() -> assertThat(get("/big").body()).hasSize(65536));
        RequestExposition after = scrape();
        assertThat(delta(before, after, bucket("response", "16384.0"))).isZero();
        assertThat(delta(before, after, bucket("response", "65536.0"))).isEqualTo(1);
        assertThat(delta(before, after, "gunicorn_worker_response_size_bytes_sum{worker_id=\"w1\"}")).isEqualTo(65536);
    }

    @Test
    void measuresAPostedBody() throws Exception {
        String body = "b".repeat(3000);
        RequestExposition before = scrapeAfter(() -> assertThat(post("/echo", body).body()).isEqualTo("3000"));
        RequestExposition after = scrape();
        assertThat(delta(before, after, bucket("request", "1024.0"))).isZero();
        assertThat(delta(before, after, bucket("request", "4096.0"))).isEqualTo(1);
        assertThat(delta(before, after, "gunicorn_worker_request_size_bytes_sum{worker_id=\"w1\"}")).isEqualTo(3000);
    }

    @Test
    void countsTextInTheBytesItEncodesTo() throws Exception {
        RequestExposition before = scrapeAfter(() -> assertThat(get("/text").body()).isEqualTo("héllo wörld"));
        assertThat(delta(before, scrape(), "gunicorn_worker_response_size_bytes_sum{worker_id=\"w1\"}")).isEqualTo(13);
    }

    @Test
    void countsAnAsyncResponseOnce() throws Exception {
        RequestExposition before = scrapeAfter(() -> assertThat(get("/async").body()).hasSize(2000));
        assertThat(delta(before, scrape(), "gunicorn_worker_response_size_bytes_sum{worker_id=\"w1\"}"))
            .isEqualTo(2000);
    }

    @Test
    void measuresAStreamedResponse() throws Exception {
        RequestExposition before = scrapeAfter(() -> assertThat(get("/stream").body()).hasSize(100_000));
        RequestExposition after = scrape();
        assertThat(delta(before, after, bucket("response", "65536.0"))).isZero();
        assertThat(delta(before, after, bucket("response", "262144.0"))).isEqualTo(1);
    }

    @Test
    void keepsSeriesBoundedUnderRandomUrls() throws Exception {
        RequestExposition before = scrape();
        List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
        for (int i = 0; i < RANDOM_URLS; i++) {
            batch.add(this.client.sendAsync(request("/random/" + UUID.randomUUID()).build(),
                    HttpResponse.BodyHandlers.ofString()));
            if (batch.size() == 32) {
                batch.forEach((response) -> assertThat(response.join().statusCode()).isEqualTo(404));
                batch.clear();
            }
        }
        awaitRequests(before.value(REQUESTS) + RANDOM_URLS);
        RequestExposition after = scrape();
        assertThat(after.value(REQUESTS)).isEqualTo(before.value(REQUESTS) + RANDOM_URLS);
        List<String> series = new ArrayList<>(after.series("gunicorn_worker_error_handling_total"));
        series.addAll(after.series("gunicorn_worker_failed_requests_total"));
        assertThat(series).hasSizeLessThanOrEqualTo(2 * 50 + 10).noneMatch((s) -> s.contains("/random/"));
    }

    @Test
    void countsRequestsInFlightUntilTheyFinish() throws Exception {
        assertThat(scrape().value(IN_FLIGHT)).isZero();
        HeldRequests.hold();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(this.client.sendAsync(request("/held").build(), HttpResponse.BodyHandlers.ofString()));
        }
        awaitInFlight(5);
        HeldRequests.release();
        held.forEach((response) -> assertThat(response.join().body()).isEqualTo("released"));
        awaitInFlight(0);
    }

    @Test
    void countsAnAsyncRequestInFlightUntilItCompletes() throws Exception {
        HeldRequests.hold();
        CompletableFuture<HttpResponse<String>> held = this.client.sendAsync(request("/held-async").build(),
                HttpResponse.BodyHandlers.ofString());
        awaitInFlight(1);
        double before = scrape().value(REQUESTS);
        HeldRequests.release();
        assertThat(held.join().body()).isEqualTo("released");
        awaitInFlight(0);
        awaitRequests(before + 1);
    }

    private void awaitInFlight(double expected) throws InterruptedException {
        for (int i = 0; i < 1000 && scrape().value(IN_FLIGHT) != expected; i++) {
            Thread.sleep(10);
        }
        assertThat(scrape().value(IN_FLIGHT)).isEqualTo(expected);
    }

    private RequestExposition scrapeAfter(Action action) throws Exception {
        RequestExposition before = scrape();
        action.run();
        awaitRequests(before.value(REQUESTS) + 1);
        return before;
    }

    /**
     * Wait until the requests are recorded in every request family: a request's families
     * are updated one after the other, after its response was sent, so a scrape may see
     * the counter before the size histograms.
     */
    private void awaitRequests(double expected) throws InterruptedException {
        for (int i = 0; i < 500 && !recorded(scrape(), expected); i++) {
            Thread.sleep(10);
        }
        assertThat(scrape().value(REQUESTS)).as(() -> scrape().text()).isEqualTo(expected);
    }

    private static boolean recorded(RequestExposition exposition, double expected) {
        return exposition.value(REQUESTS) >= expected
                && exposition.value("gunicorn_worker_request_duration_seconds_count{worker_id=\"w1\"}") >= expected
                && exposition.value("gunicorn_worker_request_size_bytes_count{worker_id=\"w1\"}") >= expected
                && exposition.value("gunicorn_worker_response_size_bytes_count{worker_id=\"w1\"}") >= expected;
    }

    private RequestExposition scrape() {
        return RequestExposition.scrape(this.registry);
    }

    private static double delta(RequestExposition before, RequestExposition after, String key) {
        return after.value(key) - before.value(key);
    }

    private static String errors(String family, String endpoint, String errorType) {
        return "gunicorn_worker_" + family + "_total{endpoint=\"" + endpoint + "\",error_type=\"" + errorType
                + "\",method=\"GET\",worker_id=\"w1\"}";
    }

    private static String bucket(String direction, String le) {
        return "gunicorn_worker_" + direction + "_size_bytes_bucket{worker_id=\"w1\",le=\"" + le + "\"}";
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return this.client.send(request(path).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /**
     * A GET sent once (the JDK client resends a GET whose connection was dropped): a 500,
     * or no response when Reactor Netty drops the connection on an error fatal to the
     * JVM.
     */
    private void getDropped(String path) throws IOException {
        assertThat(RawHttp.get(this.port, path).status()).as(path).isIn(500, RawHttp.CLOSED);
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return this.client.send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path));
    }

    @FunctionalInterface
    interface Action {

        void run() throws Exception;

    }

}
