package io.github.workerexporter.metrics;

import java.util.List;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Tests for {@link RequestQueueTime}.
 *
 * @author Worker Exporter
 */
class RequestQueueTimeTests {

    private static final long NOW = 1_733_356_800_123L;

    private static final String W = "worker_id=\"w1\"";

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final RequestQueueTime queueTime = new RequestQueueTime(this.registry, "gunicorn", "w1",
            List.of("X-Request-Start"));

    @Test
    void readsSecondsMillisecondsAndMicrosecondsByMagnitude() {
        assertThat(RequestQueueTime.startMillis("t=1733356800.123")).isCloseTo(NOW, within(0.01));
        assertThat(RequestQueueTime.startMillis("t=1733356800123")).isEqualTo(NOW);
        assertThat(RequestQueueTime.startMillis("1733356800123")).isEqualTo(NOW);
        assertThat(RequestQueueTime.startMillis("t=1733356800123456")).isCloseTo(NOW + 0.456, within(0.001));
        assertThat(RequestQueueTime.startMillis(" t=1733356800 ")).isEqualTo(1_733_356_800_000.0);
        assertThat(RequestQueueTime.startMillis("t=1733356800123456789")).isCloseTo(NOW + 0.456789, within(0.001));
    }

    @Test
    void rejectsWhatIsNotATime() {
        for (String garbage : List.of("", "t=", "t=abc", "t=-5", "t=12a", "t=0", "t=1.2.3", "t=١٢٣",
                "t=99999999999999999999999")) {
            assertThat(RequestQueueTime.startMillis(garbage)).as(garbage).isNaN();
        }
    }

    @Test
    void recordsTheQueueTimeInItsBucket() {
        this.queueTime.record("t=" + (NOW - 300), NOW);
        RequestExposition exposition = RequestExposition.scrape(this.registry);
        assertThat(exposition.value(bucket("0.25"))).isZero();
        assertThat(exposition.value(bucket("0.5"))).isEqualTo(1);
        assertThat(exposition.value("gunicorn_worker_request_queue_seconds_sum{" + W + "}")).isEqualTo(0.3);
        assertThat(exposition.value(invalid())).isZero();
    }

    @Test
    void countsGarbageFutureAndAbsurdValuesAsInvalidAndClampsTheFutureToZero() {
        this.queueTime.record("garbage", NOW);
        this.queueTime.record("t=" + (NOW + 5000), NOW);
        this.queueTime.record("t=" + (NOW - 2 * 3_600_000), NOW);
        RequestExposition exposition = RequestExposition.scrape(this.registry);
        assertThat(exposition.value(invalid())).isEqualTo(3);
        assertThat(exposition.value("gunicorn_worker_request_queue_seconds_count{" + W + "}")).isEqualTo(1);
        assertThat(exposition.value(bucket("0.001"))).isEqualTo(1);
        assertThat(exposition.text()).contains("# HELP gunicorn_worker_request_queue_seconds ",
                "# HELP gunicorn_worker_request_queue_header_invalid_total ");
    }

    private static String bucket(String le) {
        return "gunicorn_worker_request_queue_seconds_bucket{" + W + ",le=\"" + le + "\"}";
    }

    private static String invalid() {
        return "gunicorn_worker_request_queue_header_invalid_total{" + W + "}";
    }

}
