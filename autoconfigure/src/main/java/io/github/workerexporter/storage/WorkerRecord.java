package io.github.workerexporter.storage;

import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;

/**
 * What one worker publishes to shared storage on each flush: who it is, when it last
 * flushed, its state, and its cumulative metrics, encoded by {@link SnapshotCodec}.
 * Values are cumulative, so a flush that fails loses nothing: the next one carries the
 * totals.
 *
 * @param workerId the worker id ({@code worker_id} label), never the pid
 * @param pid the process id, for information only
 * @param startTimeMillis when the worker started (epoch millis); a new start time under
 * the same id is a restart
 * @param heartbeatMillis when this record was written (epoch millis)
 * @param state the worker's state
 * @param stopReason why its life ends, or {@code null} while no reason was noted (a life
 * whose last record has none ended as a {@link StopReason#CRASH})
 * @param metrics the encoded metric snapshots
 * @author Worker Exporter
 */
public record WorkerRecord(String workerId, long pid, long startTimeMillis, long heartbeatMillis, WorkerState state,
        @Nullable StopReason stopReason, byte[] metrics) {

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof WorkerRecord that && this.pid == that.pid
                && this.startTimeMillis == that.startTimeMillis && this.heartbeatMillis == that.heartbeatMillis
                && this.workerId.equals(that.workerId) && this.state == that.state && this.stopReason == that.stopReason
                && Arrays.equals(this.metrics, that.metrics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(this.workerId, this.startTimeMillis, this.heartbeatMillis);
    }

    @Override
    public String toString() {
        return "WorkerRecord[" + this.workerId + ", pid " + this.pid + ", " + this.state.label() + ", heartbeat "
                + this.heartbeatMillis + ", " + this.metrics.length + " bytes]";
    }

}
