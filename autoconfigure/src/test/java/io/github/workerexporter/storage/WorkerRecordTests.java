package io.github.workerexporter.storage;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
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
    void refusesARangeOutsideItsArray() {
        assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> record(new byte[4], 2, 3));
    }

    private static WorkerRecord record(byte[] value, int offset, int length) {
        return new WorkerRecord("w", 1, 2, 3, WorkerState.RUNNING, null, value, offset, length);
    }

}
