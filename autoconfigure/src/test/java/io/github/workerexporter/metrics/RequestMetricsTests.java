package io.github.workerexporter.metrics;

import java.util.List;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RequestMetrics}.
 *
 * @author Worker Exporter
 */
class RequestMetricsTests {

    private static final String W = "worker_id=\"w1\"";

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final RequestMetrics metrics = new RequestMetrics(this.registry, "gunicorn", "w1", 50);

    @Test
    void exposesTheOriginalsFamiliesOnceEachWithHelpTexts() {
        this.metrics.record("GET", "/a", 500, 1, 0, 0, null);
        this.metrics.recordHandled("GET", "/a", "IllegalArgumentException");
        RequestExposition exposition = RequestExposition.scrape(this.registry);
        assertThat(exposition.types()).containsExactlyInAnyOrder("gunicorn_worker_requests_total",
                "gunicorn_worker_request_duration_seconds", "gunicorn_worker_request_size_bytes",
                "gunicorn_worker_response_size_bytes", "gunicorn_worker_failed_requests_total",
                "gunicorn_worker_error_handling_total", "gunicorn_worker_requests_in_flight");
        assertThat(exposition.text()).contains(
                "# HELP gunicorn_worker_requests_total Total number of requests handled by this worker\n",
                "# HELP gunicorn_worker_request_duration_seconds Request duration in seconds\n",
                "# HELP gunicorn_worker_request_size_bytes Request size in bytes\n",
                "# HELP gunicorn_worker_response_size_bytes Response size in bytes\n",
                "# HELP gunicorn_worker_failed_requests_total Total number of failed requests handled by this worker\n",
                "# HELP gunicorn_worker_error_handling_total Total number of errors handled by this worker\n",
                "# HELP gunicorn_worker_requests_in_flight Requests started and not yet finished by this worker\n");
        assertThat(exposition.series("gunicorn_worker_request_duration_seconds_bucket")).containsExactly(
                bucket("request_duration_seconds", "0.1"), bucket("request_duration_seconds", "0.5"),
                bucket("request_duration_seconds", "1.0"), bucket("request_duration_seconds", "2.5"),
                bucket("request_duration_seconds", "5.0"), bucket("request_duration_seconds", "10.0"),
                bucket("request_duration_seconds", "30.0"), bucket("request_duration_seconds", "60.0"),
                bucket("request_duration_seconds", "+Inf"));
        assertThat(exposition.series("gunicorn_worker_response_size_bytes_bucket")).containsExactly(
                bucket("response_size_bytes", "1024.0"), bucket("response_size_bytes", "4096.0"),
                bucket("response_size_bytes", "16384.0"), bucket("response_size_bytes", "65536.0"),
                bucket("response_size_bytes", "262144.0"), bucket("response_size_bytes", "1048576.0"),
                bucket("response_size_bytes", "4194304.0"), bucket("response_size_bytes", "+Inf"));
    }

    @Test
    void recordsSizesDurationAndFailures() {
        this.metrics.record("GET", "/a", 200, 300_000_000, 2000, 65536, null);
        this.metrics.record("POST", "/a", 503, 1, 0, 0, null);
        this.metrics.record("BREW", "/a", 500, 1, 0, 0, new IllegalStateException());
        RequestExposition exposition = RequestExposition.scrape(this.registry);
        assertThat(exposition.value("gunicorn_worker_requests_total{" + W + "}")).isEqualTo(3);
        assertThat(exposition.value(bucket("request_duration_seconds", "0.1"))).isEqualTo(2);
        assertThat(exposition.value(bucket("request_duration_seconds", "0.5"))).isEqualTo(3);
        assertThat(exposition.value(bucket("request_size_bytes", "1024.0"))).isEqualTo(2);
        assertThat(exposition.value(bucket("request_size_bytes", "4096.0"))).isEqualTo(3);
        assertThat(exposition.value(bucket("response_size_bytes", "16384.0"))).isEqualTo(2);
        assertThat(exposition.value(bucket("response_size_bytes", "65536.0"))).isEqualTo(3);
        assertThat(exposition.series("gunicorn_worker_failed_requests_total")).containsExactlyInAnyOrder(
                failed("POST", "/a", "HTTP_503"), failed("OTHER", "/a", "IllegalStateException"));
        assertThat(exposition.series("gunicorn_worker_error_handling_total")).isEmpty();
    }

    @Test
    void foldsLabelSetsPastTheCapIntoOtherEndpoint() {
        for (int i = 0; i < 10_000; i++) {
            this.metrics.recordHandled("GET", "/route" + i, "NoResourceFoundException");
        }
        RequestExposition exposition = RequestExposition.scrape(this.registry);
        List<String> series = exposition.series("gunicorn_worker_error_handling_total");
        assertThat(series).hasSize(51);
        String other = "gunicorn_worker_error_handling_total{endpoint=\"OTHER\",error_type=\"NoResourceFoundException\",method=\"GET\","
                + W + "}";
        assertThat(exposition.value(other)).isEqualTo(10_000 - 50);
    }

    private static String bucket(String family, String le) {
        return "gunicorn_worker_" + family + "_bucket{" + W + ",le=\"" + le + "\"}";
    }

    private static String failed(String method, String endpoint, String errorType) {
        return "gunicorn_worker_failed_requests_total{endpoint=\"" + endpoint + "\",error_type=\"" + errorType
                + "\",method=\"" + method + "\"," + W + "}";
    }

}
