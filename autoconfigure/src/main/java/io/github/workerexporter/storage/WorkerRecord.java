package io.github.workerexporter.storage;

import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * What one worker publishes to shared storage on each flush: who it is, when it last
 * flushed, its state, and its cumulative metrics, encoded by {@link SnapshotCodec}.
 * Values are cumulative, so a flush that fails loses nothing: the next one carries the
 * totals.
 * <p>
 * A store that reads a record into a larger array (the value of a Redis key: a header,
 * then the metrics) keeps the metrics where they are, as a range of that array, and
 * {@link #decodeMetrics} decodes them there: a scrape copies no record's metrics. A store
 * that reads records into a buffer it reuses hands such a record to the reader of
 * {@link MetricStore#readAll(java.util.function.Function)} for the time of one call: the
 * reader keeps {@link #withDecodedMetrics its decoded copy}, which holds the snapshots
 * instead of the bytes.
 *
 * @author Worker Exporter
 */
public final class WorkerRecord {

    private static final byte[] NO_BYTES = new byte[0];

    private final String workerId;

    private final long pid;

    private final long startTimeMillis;

    private final long heartbeatMillis;

    private final WorkerState state;

    private final @Nullable StopReason stopReason;

    private final byte[] bytes;

    private final int metricsOffset;

    private final int metricsLength;

    private final @Nullable Decoded decoded;

    /**
     * Create a record.
     * @param workerId the worker id ({@code worker_id} label), never the pid
     * @param pid the process id, for information only
     * @param startTimeMillis when the worker started (epoch millis); a new start time
     * under the same id is a restart
     * @param heartbeatMillis when this record was written (epoch millis)
     * @param state the worker's state
     * @param stopReason why its life ends, or {@code null} while no reason was noted (a
     * life whose last record has none ended as a {@link StopReason#CRASH})
     * @param metrics the encoded metric snapshots
     */
    public WorkerRecord(String workerId, long pid, long startTimeMillis, long heartbeatMillis, WorkerState state,
            @Nullable StopReason stopReason, byte[] metrics) {
        this(workerId, pid, startTimeMillis, heartbeatMillis, state, stopReason, metrics, 0, metrics.length);
    }

    /**
     * Create a record whose encoded metrics are a range of a larger array, which the
     * record then owns: nothing may change it afterwards (but a store's buffer handed to
     * the reader of {@link MetricStore#readAll(java.util.function.Function)}, for the
     * time of the call).
     * @param workerId the worker id ({@code worker_id} label), never the pid
     * @param pid the process id, for information only
     * @param startTimeMillis when the worker started (epoch millis)
     * @param heartbeatMillis when this record was written (epoch millis)
     * @param state the worker's state
     * @param stopReason why its life ends, or {@code null} while no reason was noted
     * @param bytes the array that holds the encoded metric snapshots
     * @param metricsOffset where they start in it
     * @param metricsLength how many bytes they take
     */
    public WorkerRecord(String workerId, long pid, long startTimeMillis, long heartbeatMillis, WorkerState state,
            @Nullable StopReason stopReason, byte[] bytes, int metricsOffset, int metricsLength) {
        this(workerId, pid, startTimeMillis, heartbeatMillis, state, stopReason, bytes, metricsOffset, metricsLength,
                null);
    }

    private WorkerRecord(String workerId, long pid, long startTimeMillis, long heartbeatMillis, WorkerState state,
            @Nullable StopReason stopReason, byte[] bytes, int metricsOffset, int metricsLength,
            @Nullable Decoded decoded) {
        Objects.checkFromIndexSize(metricsOffset, metricsLength, bytes.length);
        this.workerId = Objects.requireNonNull(workerId, "workerId");
        this.pid = pid;
        this.startTimeMillis = startTimeMillis;
        this.heartbeatMillis = heartbeatMillis;
        this.state = Objects.requireNonNull(state, "state");
        this.stopReason = stopReason;
        this.bytes = bytes;
        this.metricsOffset = metricsOffset;
        this.metricsLength = metricsLength;
        this.decoded = decoded;
    }

    /**
     * This record with its metrics decoded instead of encoded: the same fields and
     * {@link #metricsLength()}, the given snapshots as {@link #decodeMetrics}, no
     * reference to this record's array, and {@link #metrics()} encoded again from the
     * snapshots when asked. What a reader of
     * {@link MetricStore#readAll(java.util.function.Function)} keeps of a record whose
     * array the store reuses.
     * @param metrics the snapshots decoded from this record's metrics
     * @param codec the codec that decoded them, which encodes them again
     * @return the decoded record
     */
    public WorkerRecord withDecodedMetrics(MetricSnapshots metrics, SnapshotCodec codec) {
        return new WorkerRecord(this.workerId, this.pid, this.startTimeMillis, this.heartbeatMillis, this.state,
                this.stopReason, NO_BYTES, 0, 0,
                new Decoded(Objects.requireNonNull(metrics, "metrics"), codec, metricsLength()));
    }

    /**
     * The worker id ({@code worker_id} label), never the pid.
     * @return the worker id
     */
    public String workerId() {
        return this.workerId;
    }

    /**
     * The process id, for information only.
     * @return the pid
     */
    public long pid() {
        return this.pid;
    }

    /**
     * When the worker started (epoch millis); a new start time under the same id is a
     * restart.
     * @return the start time
     */
    public long startTimeMillis() {
        return this.startTimeMillis;
    }

    /**
     * When this record was written (epoch millis).
     * @return the heartbeat
     */
    public long heartbeatMillis() {
        return this.heartbeatMillis;
    }

    /**
     * The worker's state.
     * @return the state
     */
    public WorkerState state() {
        return this.state;
    }

    /**
     * Why its life ends, or {@code null} while no reason was noted (a life whose last
     * record has none ended as a {@link StopReason#CRASH}).
     * @return the stop reason or {@code null}
     */
    public @Nullable StopReason stopReason() {
        return this.stopReason;
    }

    /**
     * The encoded metric snapshots, exactly: the array the record was created with, or a
     * copy of the range when it holds more, or, for a {@link #withDecodedMetrics decoded
     * record}, its snapshots encoded again.
     * @return the encoded metrics
     */
    public byte[] metrics() {
        if (this.decoded != null) {
            return this.decoded.codec().encode(this.decoded.snapshots());
        }
        if (this.metricsOffset == 0 && this.metricsLength == this.bytes.length) {
            return this.bytes;
        }
        return Arrays.copyOfRange(this.bytes, this.metricsOffset, this.metricsOffset + this.metricsLength);
    }

    /**
     * The length of the encoded metric snapshots.
     * @return their length in bytes
     */
    public int metricsLength() {
        return (this.decoded != null) ? this.decoded.length() : this.metricsLength;
    }

    /**
     * Decode the metrics where they are, without a copy; a {@link #withDecodedMetrics
     * decoded record} answers its snapshots.
     * @param codec the codec that encoded them
     * @return the snapshots
     * @throws StoreException when they are not a valid encoding
     */
    public MetricSnapshots decodeMetrics(SnapshotCodec codec) {
        if (this.decoded != null) {
            return this.decoded.snapshots();
        }
        return codec.decode(this.bytes, this.metricsOffset, this.metricsLength);
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof WorkerRecord that && this.pid == that.pid
                && this.startTimeMillis == that.startTimeMillis && this.heartbeatMillis == that.heartbeatMillis
                && this.workerId.equals(that.workerId) && this.state == that.state && this.stopReason == that.stopReason
                && sameMetrics(that);
    }

    private boolean sameMetrics(WorkerRecord that) {
        if (this.decoded != null || that.decoded != null) {
            return Arrays.equals(metrics(), that.metrics());
        }
        return Arrays.equals(this.bytes, this.metricsOffset, this.metricsOffset + this.metricsLength, that.bytes,
                that.metricsOffset, that.metricsOffset + that.metricsLength);
    }

    @Override
    public int hashCode() {
        return Objects.hash(this.workerId, this.startTimeMillis, this.heartbeatMillis);
    }

    @Override
    public String toString() {
        return "WorkerRecord[" + this.workerId + ", pid " + this.pid + ", " + this.state.label() + ", heartbeat "
                + this.heartbeatMillis + ", " + metricsLength() + " bytes" + ((this.decoded != null) ? ", decoded" : "")
                + "]";
    }

    /**
     * The metrics of a decoded record: the snapshots, the codec that encodes them again,
     * and the length of the bytes they were decoded from.
     */
    private record Decoded(MetricSnapshots snapshots, SnapshotCodec codec, int length) {

    }

}
