package io.github.workerexporter.storage.redis;

import java.util.Arrays;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link RedisRecords}.
 *
 * @author Worker Exporter
 */
class RedisRecordsTests {

    private static final WorkerRecord STOPPED = new WorkerRecord("worker-1", 42, 1000, 2000, WorkerState.STOPPED,
            StopReason.TERM, new byte[] { 1, 2, 3, 4, 5 });

    @Test
    void decodesWhatItEncoded() {
        assertThat(RedisRecords.decode("worker-1", RedisRecords.encode(STOPPED))).isEqualTo(STOPPED);
    }

    @Test
    void keepsTheMetricsInTheValueForADecodeWithoutACopy() {
        byte[] value = RedisRecords.encode(STOPPED);
        WorkerRecord record = RedisRecords.decode("worker-1", value);
        byte[][] decoded = new byte[1][];
        record.decodeMetrics(new SnapshotCodec() {

            @Override
            public byte[] encode(MetricSnapshots snapshots) {
                throw new UnsupportedOperationException();
            }

            @Override
            public MetricSnapshots decode(byte[] bytes) {
                decoded[0] = bytes;
                return MetricSnapshots.of();
            }

            @Override
            public MetricSnapshots decode(byte[] bytes, int offset, int length) {
                decoded[0] = bytes;
                assertThat(Arrays.copyOfRange(bytes, offset, offset + length)).isEqualTo(STOPPED.metrics());
                return MetricSnapshots.of();
            }

        });
        assertThat(decoded[0]).isSameAs(value);
    }

    @Test
    void refusesARecordCutShortInItsMetrics() {
        byte[] value = RedisRecords.encode(STOPPED);
        assertThatExceptionOfType(StoreException.class)
            .isThrownBy(() -> RedisRecords.decode("worker-1", Arrays.copyOf(value, value.length - 1)))
            .withMessageContaining("corrupt");
    }

    @Test
    void refusesARecordWithBytesAfterItsMetrics() {
        byte[] value = RedisRecords.encode(STOPPED);
        assertThatExceptionOfType(StoreException.class)
            .isThrownBy(() -> RedisRecords.decode("worker-1", Arrays.copyOf(value, value.length + 1)))
            .withMessageContaining("corrupt");
    }

    @Test
    void refusesARecordWithANegativeLength() {
        byte[] value = RedisRecords.encode(STOPPED);
        value[value.length - STOPPED.metrics().length - 4] = (byte) 0x80;
        assertThatExceptionOfType(StoreException.class).isThrownBy(() -> RedisRecords.decode("worker-1", value))
            .withMessageContaining("corrupt");
    }

}
