package io.github.workerexporter.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With route labels off (the default), the request families are exposed byte for byte as
 * before route labels existed: the expected text was written by the version without them
 * ({@code request-metrics-default-exposition.txt}), over the four text writers.
 *
 * @author Worker Exporter
 */
class RequestMetricsDefaultExpositionTests {

    private static final Set<String> FAMILIES = Set.of("gunicorn_worker_requests",
            "gunicorn_worker_request_duration_seconds", "gunicorn_worker_request_size_bytes",
            "gunicorn_worker_response_size_bytes", "gunicorn_worker_failed_requests", "gunicorn_worker_error_handling");

    @Test
    void exposesTheRequestFamiliesExactlyAsBeforeRouteLabels() throws IOException {
        assertThat(exposition()).isEqualTo(expected());
    }

    static String exposition() throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        RequestMetrics metrics = new RequestMetrics(registry, "gunicorn", "w1", 50);
        metrics.record("GET", "/users/{id}", 200, 30_000_000, 0, 512, null);
        metrics.record("GET", "/users/{id}", 404, 700_000_000, 0, 70_000, null);
        metrics.record("POST", "/orders", 201, 3_000_000_000L, 5000, 20, null);
        metrics.record("POST", "/orders", 503, 1, 10, 0, null);
        metrics.record("BREW", "/pot", 500, 99_000_000_000L, 0, 0, new IllegalStateException());
        metrics.recordHandled("GET", "/users/{id}", "IllegalArgumentException");
        PrometheusRegistry families = new PrometheusRegistry();
        MetricSnapshots.Builder requestFamilies = MetricSnapshots.builder();
        registry.scrape()
            .stream()
            .filter((snapshot) -> FAMILIES.contains(snapshot.getMetadata().getPrometheusName()))
            .forEach(requestFamilies::metricSnapshot);
        MetricSnapshots snapshots = requestFamilies.build();
        families.register((MultiCollector) () -> snapshots);
        StringBuilder text = new StringBuilder();
        for (ExpositionFormatWriter writer : TextExpositions.WRITERS) {
            text.append("### ").append(writer.getContentType()).append('\n');
            text.append(TextExpositions.withoutCreatedTimes(TextExpositions.write(writer, families)));
        }
        return text.toString();
    }

    private static String expected() throws IOException {
        try (InputStream in = Objects.requireNonNull(RequestMetricsDefaultExpositionTests.class
            .getResourceAsStream("request-metrics-default-exposition.txt"))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
