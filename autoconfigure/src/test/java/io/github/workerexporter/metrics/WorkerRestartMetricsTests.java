package io.github.workerexporter.metrics;

import java.io.IOException;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerRestartMetrics} and {@link MasterMetrics}.
 *
 * @author Worker Exporter
 */
class WorkerRestartMetricsTests {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final MasterMetrics master = new MasterMetrics(this.registry, "gunicorn", "w1");

    private final WorkerRestartMetrics restarts = new WorkerRestartMetrics(this.registry, "gunicorn", "w1",
            this.master);

    @Test
    void exposesEachCounterFamilyOnceWithTheOriginalsHelpAndZeroes() throws IOException {
        String scrape = WorkerMetricsTests.scrape(this.registry);
        assertThat(scrape)
            .containsOnlyOnce("# HELP gunicorn_worker_restart_total Total number of worker restarts by reason\n"
                    + "# TYPE gunicorn_worker_restart_total counter\n")
            .containsOnlyOnce("# HELP gunicorn_worker_restart_count_total "
                    + "Total number of worker restarts by worker and restart type\n"
                    + "# TYPE gunicorn_worker_restart_count_total counter\n")
            .containsOnlyOnce("# HELP gunicorn_master_worker_restart_total Total number of Gunicorn worker restarts\n"
                    + "# TYPE gunicorn_master_worker_restart_total counter\n")
            .containsOnlyOnce("# HELP gunicorn_master_worker_restart_count_total "
                    + "Total number of worker restarts by reason and worker\n"
                    + "# TYPE gunicorn_master_worker_restart_count_total counter\n")
            .contains("gunicorn_worker_restart_total{reason=\"error\",worker_id=\"w1\"} 0.0")
            .contains(
                    "gunicorn_worker_restart_count_total{reason=\"hup\",restart_type=\"graceful\",worker_id=\"w1\"} 0.0")
            .contains(
                    "gunicorn_master_worker_restart_count_total{reason=\"error\",restart_type=\"forced\",worker_id=\"w1\"} 0.0")
            .doesNotContain("_created");
        for (String signal : MasterMetrics.SIGNALS) {
            assertThat(scrape).contains("gunicorn_master_worker_restart_total{reason=\"" + signal + "\"} 0.0");
        }
    }

    @Test
    void countsTheFirstReasonOnceWhenTheStopBegins() throws IOException {
        this.restarts.stopRequested(WorkerStopReason.TERM);
        this.restarts.stopRequested(WorkerStopReason.INT);
        this.restarts.recordStop();
        this.restarts.recordStop();
        assertThat(WorkerMetricsTests.scrape(this.registry))
            .contains("gunicorn_worker_restart_total{reason=\"term\",worker_id=\"w1\"} 1.0")
            .contains("gunicorn_worker_restart_total{reason=\"int\",worker_id=\"w1\"} 0.0")
            .contains(
                    "gunicorn_worker_restart_count_total{reason=\"term\",restart_type=\"graceful\",worker_id=\"w1\"} 1.0")
            .contains(
                    "gunicorn_master_worker_restart_count_total{reason=\"term\",restart_type=\"graceful\",worker_id=\"w1\"} 1.0");
    }

    @Test
    void errorIsAForcedRestart() throws IOException {
        this.restarts.stopRequested(WorkerStopReason.ERROR);
        this.restarts.recordStop();
        assertThat(WorkerMetricsTests.scrape(this.registry)).contains(
                "gunicorn_worker_restart_count_total{reason=\"error\",restart_type=\"forced\",worker_id=\"w1\"} 1.0");
    }

    @Test
    void stopWithoutReasonIsNotCounted() throws IOException {
        this.restarts.recordStop();
        assertThat(WorkerMetricsTests.scrape(this.registry)).doesNotContain("} 1.0");
    }

    @Test
    void countsSignalsByReason() throws IOException {
        this.master.signal("usr1");
        this.master.signal("usr1");
        assertThat(WorkerMetricsTests.scrape(this.registry))
            .contains("gunicorn_master_worker_restart_total{reason=\"usr1\"} 2.0");
    }

}
