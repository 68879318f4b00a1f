package io.github.workerexporter.metrics;

import java.lang.management.ManagementFactory;
import java.util.List;

import io.github.workerexporter.metrics.RequestMetrics.RouteLabels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link RequestMetrics} with route labels ({@link RouteFamilies}).
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class RouteLabelsTests {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    @Test
    void labelsTheRequestCounterAndTheThreeHistogramsByMethodEndpointAndStatusCode() {
        RequestMetrics metrics = metrics(RouteLabels.STATUS_CODE, 50);
        metrics.record("GET", "/users/{id}", 200, 300_000_000, 0, 2000, null);
        metrics.record("GET", "/users/{id}", 200, 1, 0, 10, null);
        metrics.record("BREW", "/pot", 418, 1, 5000, 0, null);
        RequestExposition exposition = RequestExposition.scrape(this.registry);
        String users = "endpoint=\"/users/{id}\",method=\"GET\",status=\"200\",worker_id=\"w1\"";
        String pot = "endpoint=\"/pot\",method=\"OTHER\",status=\"418\",worker_id=\"w1\"";
        assertThat(exposition.series("gunicorn_worker_requests_total")).containsExactlyInAnyOrder(
                "gunicorn_worker_requests_total{" + users + "}", "gunicorn_worker_requests_total{" + pot + "}");
        assertThat(exposition.value("gunicorn_worker_requests_total{" + users + "}")).isEqualTo(2);
        assertThat(exposition.value("gunicorn_worker_request_duration_seconds_bucket{" + users + ",le=\"0.1\"}"))
            .isEqualTo(1);
        assertThat(exposition.value("gunicorn_worker_request_duration_seconds_bucket{" + users + ",le=\"0.5\"}"))
            .isEqualTo(2);
        assertThat(exposition.value("gunicorn_worker_response_size_bytes_sum{" + users + "}")).isEqualTo(2010);
        assertThat(exposition.value("gunicorn_worker_response_size_bytes_bucket{" + users + ",le=\"1024.0\"}"))
            .isEqualTo(1);
        assertThat(exposition.value("gunicorn_worker_request_size_bytes_bucket{" + pot + ",le=\"4096.0\"}")).isZero();
        assertThat(exposition.value("gunicorn_worker_request_size_bytes_bucket{" + pot + ",le=\"16384.0\"}"))
            .isEqualTo(1);
        assertThat(exposition.types()).doesNotHaveDuplicates()
            .contains("gunicorn_worker_requests_total", "gunicorn_worker_request_duration_seconds",
                    "gunicorn_worker_request_size_bytes", "gunicorn_worker_response_size_bytes");
    }

    @Test
    void writesTheStatusClassWhenAsked() {
        RequestMetrics metrics = metrics(RouteLabels.STATUS_CLASS, 50);
        metrics.record("GET", "/a", 200, 1, 0, 0, null);
        metrics.record("GET", "/a", 204, 1, 0, 0, null);
        metrics.record("GET", "/a", 503, 1, 0, 0, null);
        metrics.record("GET", "/a", 999, 1, 0, 0, null);
        RequestExposition exposition = RequestExposition.scrape(this.registry);
        assertThat(exposition.series("gunicorn_worker_requests_total")).containsExactlyInAnyOrder(requests("/a", "2xx"),
                requests("/a", "5xx"), requests("/a", "OTHER"));
        assertThat(exposition.value(requests("/a", "2xx"))).isEqualTo(2);
    }

    @Test
    void foldsRouteLabelSetsPastTheCapIntoOtherEndpointWithOneWarning(CapturedOutput output) {
        RequestMetrics metrics = metrics(RouteLabels.STATUS_CODE, 50);
        for (int i = 0; i < 10_000; i++) {
            metrics.record("GET", "/route" + i, 200, 1, 0, 0, null);
        }
        RequestExposition exposition = RequestExposition.scrape(this.registry);
        for (String family : List.of("gunicorn_worker_requests_total", "gunicorn_worker_request_duration_seconds_count",
                "gunicorn_worker_request_size_bytes_count", "gunicorn_worker_response_size_bytes_count")) {
            assertThat(exposition.series(family)).hasSize(51);
        }
        assertThat(exposition.value(requests("OTHER", "200"))).isEqualTo(10_000 - 50);
        assertThat(output.getAll().split("reached 50 label sets", -1)).hasSize(2);
    }

    @Test
    void recordsALabelSetSeenBeforeWithoutAllocating() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeThat(threads).isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean allocations = (com.sun.management.ThreadMXBean) threads;
        assumeThat(allocations.isThreadAllocatedMemorySupported()).isTrue();
        RequestMetrics metrics = metrics(RouteLabels.STATUS_CODE, 50);
        String endpoint = "/users/{id}";
        for (int i = 0; i < 20_000; i++) {
            metrics.record("GET", endpoint, 200, i, 0, 27, null);
        }
        long before = allocations.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            metrics.record("GET", endpoint, 200, i, 0, 27, null);
        }
        long allocated = allocations.getCurrentThreadAllocatedBytes() - before;
        // Far less than one byte per request: nothing allocated per request.
        assertThat(allocated).isLessThan(10_000);
    }

    private RequestMetrics metrics(RouteLabels routeLabels, int maxLabelSets) {
        return new RequestMetrics(this.registry, "gunicorn", "w1", maxLabelSets, routeLabels, List.of());
    }

    private static String requests(String endpoint, String status) {
        return "gunicorn_worker_requests_total{endpoint=\"" + endpoint + "\",method=\"GET\",status=\"" + status
                + "\",worker_id=\"w1\"}";
    }

}
