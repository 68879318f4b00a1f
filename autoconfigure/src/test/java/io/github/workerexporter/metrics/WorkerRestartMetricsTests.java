package io.github.workerexporter.metrics;

import java.io.IOException;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerRestartMetrics}: this life's own stop.
 *
 * @author Worker Exporter
 */
class WorkerRestartMetricsTests {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final WorkerLifecycle lifecycle = new WorkerLifecycle();

    private final WorkerRestartMetrics restarts = new WorkerRestartMetrics(this.registry, "gunicorn", "w1",
            this.lifecycle);

    @Test
    void exposesEachCounterFamilyOnceWithTheOriginalsHelpAndZeroes() throws IOException {
        String scrape = WorkerMetricsTests.scrape(this.registry);
        assertThat(scrape)
            .containsOnlyOnce("# HELP gunicorn_worker_restart_total Total number of worker restarts by reason\n"
                    + "# TYPE gunicorn_worker_restart_total counter\n")
            .containsOnlyOnce("# HELP gunicorn_worker_restart_count_total "
                    + "Total number of worker restarts by worker and restart type\n"
                    + "# TYPE gunicorn_worker_restart_count_total counter\n")
            .contains("gunicorn_worker_restart_total{reason=\"error\",worker_id=\"w1\"} 0.0")
            .contains("gunicorn_worker_restart_total{reason=\"oom\",worker_id=\"w1\"} 0.0")
            .contains(
                    "gunicorn_worker_restart_count_total{reason=\"hup\",restart_type=\"graceful\",worker_id=\"w1\"} 0.0")
            .doesNotContain("reason=\"crash\"")
            .doesNotContain("_created");
    }

    @Test
    void countsTheFirstReasonNotedOnceWhenTheStopBegins() throws IOException {
        this.lifecycle.stopRequested(StopReason.TERM);
        this.lifecycle.stopRequested(StopReason.INT);
        this.restarts.recordStop();
        this.restarts.recordStop();
        assertThat(WorkerMetricsTests.scrape(this.registry))
            .contains("gunicorn_worker_restart_total{reason=\"term\",worker_id=\"w1\"} 1.0")
            .contains("gunicorn_worker_restart_total{reason=\"int\",worker_id=\"w1\"} 0.0")
            .contains(
                    "gunicorn_worker_restart_count_total{reason=\"term\",restart_type=\"graceful\",worker_id=\"w1\"} 1.0");
    }

    @Test
    void errorAndOutOfMemoryAreForcedRestarts() throws IOException {
        this.lifecycle.thrown(new IllegalStateException("wrapped", new OutOfMemoryError("Java heap space")));
        this.restarts.recordStop();
        assertThat(WorkerMetricsTests.scrape(this.registry)).contains(
                "gunicorn_worker_restart_count_total{reason=\"oom\",restart_type=\"forced\",worker_id=\"w1\"} 1.0");
    }

    @Test
    void aStopWithoutASignalIsATerm() throws IOException {
        this.lifecycle.transition(WorkerState.STOPPING);
        this.restarts.recordStop();
        assertThat(WorkerMetricsTests.scrape(this.registry))
            .contains("gunicorn_worker_restart_total{reason=\"term\",worker_id=\"w1\"} 1.0");
    }

    @Test
    void nothingIsCountedBeforeTheStop() throws IOException {
        this.restarts.recordStop();
        assertThat(WorkerMetricsTests.scrape(this.registry)).doesNotContain("} 1.0");
    }

}
