package io.github.workerexporter.storage;

import java.util.Arrays;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;

/**
 * A {@link WorkerRecord} whose metrics are a range of a larger array is the record of
 * exactly those bytes.
 */
class WorkerRecordTests {

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    private final MetricSnapshots snapshots = MetricSnapshots.of(CounterSnapshot.builder()
        .name("requests")
        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(3).build())
        .build());

    @Test
    void aRangeOfALargerArrayIsTheRecordOfItsBytes() {
        byte[] metrics = this.codec.encode(this.snapshots);
        byte[] value = new byte[metrics.length + 9];
        System.arraycopy(metrics, 0, value, 9, metrics.length);
        WorkerRecord ranged = record(value, 9, metrics.length);
        WorkerRecord whole = new WorkerRecord("w", 1, 2, 3, WorkerState.RUNNING, null, metrics);
        assertThat(ranged.metrics()).isEqualTo(metrics);
        assertThat(ranged.metricsLength()).isEqualTo(metrics.length);
        assertThat(ranged).isEqualTo(whole).hasSameHashCodeAs(whole).hasToString(whole.toString());
        assertThat(Exposition.text(ranged.decodeMetrics(this.codec))).isEqualTo(Exposition.text(this.snapshots));
    }

    @Test
    void decodesItsMetricsWhereTheyAre() {
        byte[] value = new byte[40];
        WorkerRecord record = record(value, 10, 25);
        SnapshotCodec codec = new SnapshotCodec() {

            @Override
            public byte[] encode(MetricSnapshots snapshots) {
                throw new UnsupportedOperationException();
            }

            @Override
            public MetricSnapshots decode(byte[] bytes) {
                throw new AssertionError("decoded a copy");
            }

            @Override
            public MetricSnapshots decode(byte[] bytes, int offset, int length) {
                assertThat(bytes).isSameAs(value);
                assertThat(offset).isEqualTo(10);
                assertThat(length).isEqualTo(25);
                return MetricSnapshots.of();
            }

        };
        assertThat(record.decodeMetrics(codec)).isEmpty();
    }

    @Test
    void aDecodedRecordKeepsItsFieldsAndSnapshotsButNotTheArrayItWasDecodedFrom() {
        byte[] metrics = this.codec.encode(this.snapshots);
        byte[] value = new byte[metrics.length + 9];
        System.arraycopy(metrics, 0, value, 9, metrics.length);
        WorkerRecord view = new WorkerRecord("w", 1, 2, 3, WorkerState.STOPPED, StopReason.TERM, value, 9,
                metrics.length);
        MetricSnapshots decoded = view.decodeMetrics(this.codec);
        WorkerRecord kept = view.withDecodedMetrics(decoded, this.codec);
        // The array is a store's read buffer: the next read overwrites it.
        Arrays.fill(value, (byte) 0x5a);
        assertThat(kept.workerId()).isEqualTo("w");
        assertThat(kept.pid()).isEqualTo(1);
        assertThat(kept.startTimeMillis()).isEqualTo(2);
        assertThat(kept.heartbeatMillis()).isEqualTo(3);
        assertThat(kept.state()).isEqualTo(WorkerState.STOPPED);
        assertThat(kept.stopReason()).isEqualTo(StopReason.TERM);
        assertThat(kept.metricsLength()).isEqualTo(metrics.length);
        assertThat(kept.decodeMetrics(this.codec)).isSameAs(decoded);
        assertThat(kept.metrics()).isEqualTo(metrics);
        WorkerRecord whole = new WorkerRecord("w", 1, 2, 3, WorkerState.STOPPED, StopReason.TERM, metrics);
        assertThat(kept).isEqualTo(whole).hasSameHashCodeAs(whole);
        assertThat(whole).isEqualTo(kept);
        assertThat(kept.withDecodedMetrics(decoded, this.codec).metricsLength()).isEqualTo(metrics.length);
    }

    @Test
    void refusesARangeOutsideItsArray() {
        assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> record(new byte[4], 2, 3));
    }

    private static WorkerRecord record(byte[] value, int offset, int length) {
        return new WorkerRecord("w", 1, 2, 3, WorkerState.RUNNING, null, value, offset, length);
    }

}
