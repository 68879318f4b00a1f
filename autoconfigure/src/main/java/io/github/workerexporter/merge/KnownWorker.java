package io.github.workerexporter.merge;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.merge.CrashDiagnostics.CrashedLife;
import io.github.workerexporter.storage.WorkerRecord;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * A worker of one {@link Census}: its record, its decoded metrics and its liveness.
 *
 * @param record the record as read from the store
 * @param metrics its decoded metrics
 * @param liveness whether it is alive, stopped or lost
 * @param age how long ago it last flushed, on the reader's monotonic clock
 * @param diagnostics what its last record said, only when it is {@link Liveness#LOST}
 * @param crashedPreviousLife what the last record of its previous life said when that
 * life crashed, as its {@link CrashDiagnostics} publish it, or {@code null}
 * @author Worker Exporter
 */
public record KnownWorker(WorkerRecord record, MetricSnapshots metrics, Liveness liveness, Duration age,
        @Nullable DeathDiagnostics diagnostics, @Nullable CrashedLife crashedPreviousLife) {

    /**
     * A worker whose previous life, if any, did not crash.
     * @param record the record as read from the store
     * @param metrics its decoded metrics
     * @param liveness whether it is alive, stopped or lost
     * @param age how long ago it last flushed
     * @param diagnostics what its last record said, only when it is lost
     */
    public KnownWorker(WorkerRecord record, MetricSnapshots metrics, Liveness liveness, Duration age,
            @Nullable DeathDiagnostics diagnostics) {
        this(record, metrics, liveness, age, diagnostics, null);
    }

    /**
     * The worker id.
     * @return the worker id
     */
    public String workerId() {
        return this.record.workerId();
    }

}
