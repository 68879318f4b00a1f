package io.github.workerexporter.metrics;

import java.io.IOException;
import java.util.Map;

import io.github.workerexporter.lifecycle.StopReason;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link MasterRestarts}.
 *
 * @author Worker Exporter
 */
class MasterRestartsTests {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final MasterRestarts master = new MasterRestarts("gunicorn", "w1");

    MasterRestartsTests() {
        this.registry.register(this.master);
    }

    @Test
    void exposesBothFamiliesOnceWithTheOriginalsHelpAndEveryReasonAtZero() throws IOException {
        String scrape = WorkerMetricsTests.scrape(this.registry);
        assertThat(scrape)
            .containsOnlyOnce("# HELP gunicorn_master_worker_restart_total Total number of Gunicorn worker restarts\n"
                    + "# TYPE gunicorn_master_worker_restart_total counter\n")
            .containsOnlyOnce("# HELP gunicorn_master_worker_restart_count_total "
                    + "Total number of worker restarts by reason and worker\n"
                    + "# TYPE gunicorn_master_worker_restart_count_total counter\n")
            .contains(
                    "gunicorn_master_worker_restart_count_total{reason=\"crash\",restart_type=\"forced\",worker_id=\"w1\"} 0.0")
            .doesNotContain("_created");
        for (String signal : MasterRestarts.SIGNALS) {
            assertThat(scrape).contains("gunicorn_master_worker_restart_total{reason=\"" + signal + "\"} 0.0");
        }
        for (StopReason reason : StopReason.values()) {
            assertThat(scrape).contains("gunicorn_master_worker_restart_total{reason=\"" + reason.label() + "\"} 0.0");
        }
    }

    @Test
    void countsTheSignalsThatDoNotEndTheJvmWhenReceived() throws IOException {
        this.master.signal("usr1");
        this.master.signal("usr1");
        this.master.signal("ttin");
        assertThat(WorkerMetricsTests.scrape(this.registry))
            .contains("gunicorn_master_worker_restart_total{reason=\"usr1\"} 2.0")
            .contains("gunicorn_master_worker_restart_total{reason=\"ttin\"} 1.0");
    }

    @Test
    void refusesToCountASignalThatEndsTheJvm() {
        for (String signal : new String[] { "term", "int", "hup" }) {
            assertThat(MasterRestarts.endingReason(signal)).isNotNull();
            assertThatIllegalArgumentException().isThrownBy(() -> this.master.signal(signal));
        }
    }

    @Test
    void countsOneRestartForThePreviousLifeOnTopOfWhatItCarried() throws IOException {
        this.master.carry(Map.of("term", 2.0, "usr1", 3.0, "crash", 1.0), Map.of("term", 2.0, "crash", 1.0),
                StopReason.OOM);
        this.master.signal("usr1");
        assertThat(WorkerMetricsTests.scrape(this.registry))
            .contains("gunicorn_master_worker_restart_total{reason=\"term\"} 2.0")
            .contains("gunicorn_master_worker_restart_total{reason=\"crash\"} 1.0")
            .contains("gunicorn_master_worker_restart_total{reason=\"oom\"} 1.0")
            .contains("gunicorn_master_worker_restart_total{reason=\"usr1\"} 4.0")
            .contains(
                    "gunicorn_master_worker_restart_count_total{reason=\"oom\",restart_type=\"forced\",worker_id=\"w1\"} 1.0")
            .contains(
                    "gunicorn_master_worker_restart_count_total{reason=\"term\",restart_type=\"graceful\",worker_id=\"w1\"} 2.0");
    }

}
