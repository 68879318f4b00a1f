package io.github.workerexporter.storage;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotDecodeCacheTests {

    private final AtomicLong nanoTime = new AtomicLong();

    private final SnapshotDecodeCache cache = new SnapshotDecodeCache(this.nanoTime::get);

    @Test
    void findsAValueByItsBytesWithinALargerArray() {
        this.cache.put(bytes("xxkeyyy"), 2, 5, "value");
        assertThat(this.cache.get(bytes("key"), 0, 3)).isEqualTo("value");
        assertThat(this.cache.get(bytes("kez"), 0, 3)).isNull();
        assertThat(this.cache.get(bytes("ke"), 0, 2)).isNull();
    }

    @Test
    void findsALongKeyAtAnyOffsetAndTellsItFromKeysThatDifferInOneByte() {
        byte[] key = bytes("endpoint/api/resource42/{id}worker_idbench-worker-7");
        this.cache.put(key, 0, key.length, "value");
        for (int offset = 0; offset < 9; offset++) {
            byte[] larger = new byte[offset + key.length + 3];
            System.arraycopy(key, 0, larger, offset, key.length);
            assertThat(this.cache.get(larger, offset, offset + key.length)).isEqualTo("value");
            for (int i = 0; i < key.length; i++) {
                byte[] other = larger.clone();
                other[offset + i]++;
                assertThat(this.cache.get(other, offset, offset + key.length)).isNull();
            }
        }
    }

    @Test
    void hashesEqualBytesEquallyWhereverTheyAre() {
        byte[] key = bytes("xxxxxendpoint/api/resource42/{id}");
        byte[] same = bytes("endpoint/api/resource42/{id}");
        assertThat(SnapshotDecodeCache.hash(key, 5, key.length))
            .isEqualTo(SnapshotDecodeCache.hash(same, 0, same.length));
    }

    @Test
    void dropsWhatWentUnusedForAWholeGeneration() {
        this.cache.put(bytes("used"), 0, 4, "used");
        this.cache.put(bytes("unused"), 0, 6, "unused");
        this.nanoTime.addAndGet(SnapshotDecodeCache.GENERATION_NANOS + 1);
        this.cache.put(bytes("new"), 0, 3, "new");
        assertThat(this.cache.get(bytes("used"), 0, 4)).isEqualTo("used");
        this.nanoTime.addAndGet(SnapshotDecodeCache.GENERATION_NANOS + 1);
        this.cache.put(bytes("newer"), 0, 5, "newer");
        assertThat(this.cache.get(bytes("used"), 0, 4)).isEqualTo("used");
        assertThat(this.cache.get(bytes("new"), 0, 3)).isEqualTo("new");
        assertThat(this.cache.get(bytes("unused"), 0, 6)).isNull();
    }

    @Test
    void growsPastItsFirstCapacity() {
        for (int i = 0; i < 10_000; i++) {
            this.cache.put(bytes("key" + i), 0, bytes("key" + i).length, i);
        }
        assertThat(this.cache.size()).isEqualTo(10_000);
        assertThat(this.cache.get(bytes("key1234"), 0, 7)).isEqualTo(1234);
    }

    @Test
    void decodesTheSameLabelSetOfTwoRecordsIntoOneInstance() {
        BinarySnapshotCodec codec = new BinarySnapshotCodec();
        byte[] first = codec.encode(MetricSnapshots.of(counter(1)));
        byte[] second = codec.encode(MetricSnapshots.of(counter(2)));
        CounterSnapshot a = (CounterSnapshot) codec.decode(first).get(0);
        CounterSnapshot b = (CounterSnapshot) codec.decode(second).get(0);
        assertThat(b.getDataPoints().get(0).getValue()).isEqualTo(2);
        assertThat((Object) b.getDataPoints().get(0).getLabels()).isSameAs(a.getDataPoints().get(0).getLabels());
        assertThat(b.getMetadata()).isSameAs(a.getMetadata());
    }

    @Test
    void decodesTheSameLabelSetOfTwoNativeHistogramRecordsIntoOneInstance() {
        BinarySnapshotCodec codec = new BinarySnapshotCodec();
        Histogram histogram = Histogram.builder().name("duration_seconds").labelNames("worker_id").nativeOnly().build();
        histogram.labelValues("a").observe(0.1);
        byte[] first = codec.encode(MetricSnapshots.of(histogram.collect()));
        histogram.labelValues("a").observe(0.3);
        byte[] second = codec.encode(MetricSnapshots.of(histogram.collect()));
        HistogramSnapshot a = (HistogramSnapshot) codec.decode(first).get(0);
        HistogramSnapshot b = (HistogramSnapshot) codec.decode(second).get(0);
        assertThat(b.getDataPoints().get(0).getCount()).isEqualTo(2);
        assertThat((Object) b.getDataPoints().get(0).getLabels()).isSameAs(a.getDataPoints().get(0).getLabels());
        assertThat(b.getMetadata()).isSameAs(a.getMetadata());
    }

    private static CounterSnapshot counter(double value) {
        return CounterSnapshot.builder()
            .name("requests")
            .help("Requests")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .value(value)
                .labels(Labels.of("worker_id", "a", "endpoint", "/x"))
                .build())
            .build();
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

}
