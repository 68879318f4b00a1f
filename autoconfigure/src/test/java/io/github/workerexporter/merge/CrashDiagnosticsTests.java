package io.github.workerexporter.merge;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.merge.CrashDiagnostics.CrashedLife;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.WorkerRecord;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CrashDiagnostics} as {@link RestartCarry} fills it from the previous
 * life's record.
 *
 * @author Worker Exporter
 */
class CrashDiagnosticsTests {

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    private final MasterRestarts restarts = new MasterRestarts("gunicorn", "w1");

    private final CrashDiagnostics crashes = new CrashDiagnostics("gunicorn", "w1");

    @Test
    void keepsWhatTheLastRecordOfALifeThatCrashedSaid() {
        carry(previousLife(null));
        String text = Exposition.text(this.crashes.collect());
        assertThat(text)
            .contains("gunicorn_master_crashed_worker_memory_bytes{reason=\"crash\",worker_id=\"w1\"} 5.0E8")
            .contains("gunicorn_master_crashed_worker_uptime_seconds{reason=\"crash\",worker_id=\"w1\"} 42.0")
            .contains(
                    "gunicorn_master_crashed_worker_last_seen_timestamp_seconds{reason=\"crash\",worker_id=\"w1\"} 2.0")
            .doesNotContain("heap_used_bytes");
    }

    @Test
    void keepsTheDiagnosticsOfALifeThatRanOutOfMemory() {
        carry(previousLife(StopReason.OOM));
        assertThat(Exposition.text(this.crashes.collect()))
            .contains("gunicorn_master_crashed_worker_memory_bytes{reason=\"oom\",worker_id=\"w1\"} 5.0E8");
    }

    @Test
    void hasNothingAfterACleanStopOrWhenWhatWasReadWasNotAPreviousLife() {
        carry(previousLife(StopReason.TERM));
        assertThat(this.crashes.collect()).isEmpty();
        carry(previousLife(null));
        assertThat(this.crashes.collect()).isNotEmpty();
        RestartCarry.carry(List.of(), "w1", 3000, this.codec, this.restarts, this.crashes);
        assertThat(this.crashes.collect()).isEmpty();
    }

    @Test
    void givesBackFromAPublishedRecordWhatItServed() {
        carry(previousLife(null));
        MetricSnapshots published = this.codec.decode(this.codec.encode(this.crashes.collect()));
        CrashedLife crashed = CrashDiagnostics.read(published, "gunicorn");
        assertThat(crashed).isNotNull();
        assertThat(crashed.reason()).isEqualTo(StopReason.CRASH);
        assertThat(crashed.diagnostics())
            .isEqualTo(new DeathDiagnostics(5.0e8, null, null, null, 42.0, null, Instant.ofEpochMilli(2000)));
    }

    @Test
    void givesBackNothingFromARecordWithoutACrashedPreviousLife() {
        carry(previousLife(StopReason.TERM));
        MetricSnapshots published = this.codec.decode(this.codec.encode(this.crashes.collect()));
        assertThat(CrashDiagnostics.read(published, "gunicorn")).isNull();
        assertThat(CrashDiagnostics.read(previousLifeMetrics(), "gunicorn")).isNull();
    }

    private void carry(WorkerRecord previous) {
        RestartCarry.carry(List.of(previous), "w1", 3000, this.codec, this.restarts, this.crashes);
    }

    private WorkerRecord previousLife(StopReason reason) {
        MetricSnapshots metrics = previousLifeMetrics();
        WorkerState state = (reason != null) ? WorkerState.STOPPED : WorkerState.RUNNING;
        return new WorkerRecord("w1", 7, 1000, 2000, state, reason, this.codec.encode(metrics));
    }

    private static MetricSnapshots previousLifeMetrics() {
        return MetricSnapshots.of(gauge("gunicorn_worker_memory_bytes", 5.0e8),
                gauge("gunicorn_worker_uptime_seconds", 42));
    }

    private static GaugeSnapshot gauge(String name, double value) {
        return GaugeSnapshot.builder()
            .name(name)
            .dataPoint(new GaugeDataPointSnapshot(value, Labels.of("worker_id", "w1"), null))
            .build();
    }

}
