package io.github.workerexporter.merge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.SharedValue;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.file.FileSharedValue;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;
import io.github.workerexporter.storage.redis.RedisServerSupport;
import io.github.workerexporter.storage.redis.RedisSharedValue;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Native histograms through a real file store and a real Redis server: two workers'
 * records (client_java native histograms at schemas 5 and 3, encoded in version 3) are
 * served by the per-worker view as they were recorded, and by the fleet view as ONE
 * client_java histogram at schema 3 fed both workers' values, also once a worker has
 * stopped, left the store and been moved into the fleet remainder's base.
 *
 * @author Worker Exporter
 */
class NativeHistogramsThroughStoresTests {

    private static final String PREFIX = "gunicorn";

    private static final String NAME = "gunicorn_worker_request_duration_seconds";

    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(15);

    private static final Duration RETENTION = Duration.ofMinutes(5);

    private static final double[] FIRST = { 0.003, 0.1, 0.1, 0.3, 0, -0.25, 1e-6, 2.5e6 };

    private static final double[] SECOND = { 0.1, 0.12, 0.5, 0, 3, 0.0004 };

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    private final MutableClock clock = new MutableClock();

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : this.closeables) {
            closeable.close();
        }
    }

    @Test
    void mergesTheNativeHistogramsOfTwoWorkersThroughTheFileStore() {
        FileMetricStore store = new FileMetricStore(this.dir, RETENTION, HEARTBEAT_TIMEOUT, this.clock,
                this.clock::nanoTime, true);
        this.closeables.add(store);
        assertMerged(store, new FileSharedValue(this.dir, "fleet-remainder"), store::remove);
    }

    @Test
    void mergesTheNativeHistogramsOfTwoWorkersThroughRedis() {
        RedisServerSupport server = RedisServerSupport.shared();
        RedisMetricStore store = RedisMetricStore.connect(
                new RedisEndpoint(server.host(), server.port(), 0, null, null, false, Duration.ofSeconds(2)), null,
                "native-" + System.nanoTime(), RETENTION, HEARTBEAT_TIMEOUT);
        this.closeables.add(store);
        assertMerged(store, new RedisSharedValue(store, "fleet-remainder"), store::remove);
    }

    private void assertMerged(MetricStore store, SharedValue remainder, Consumer<String> remove) {
        // w1 labels its series with its worker_id, as the worker families do; w2 does
        // not.
        Histogram first = Histogram.builder().name(NAME).labelNames("worker_id").nativeOnly().build();
        for (double value : FIRST) {
            first.labelValues("w1").observe(value);
        }
        Histogram second = Histogram.builder().name(NAME).nativeOnly().nativeInitialSchema(3).build();
        for (double value : SECOND) {
            second.observe(value);
        }
        Histogram all = Histogram.builder().name(NAME).nativeOnly().nativeInitialSchema(3).build();
        for (double value : FIRST) {
            all.observe(value);
        }
        for (double value : SECOND) {
            all.observe(value);
        }
        publish(store, "w1", first.collect(), WorkerState.RUNNING);
        publish(store, "w2", second.collect(), WorkerState.RUNNING);
        assertThat(store.readAll()).extracting((record) -> record.metrics()[4]).containsOnly((byte) 3);
        WorkerCensus census = new WorkerCensus(store, this.codec, PREFIX, HEARTBEAT_TIMEOUT, this.clock,
                this.clock::nanoTime);
        MergingCollector perWorker = new MergingCollector(census, PREFIX, Map.of(), MetricSnapshots::of);
        FleetView fleet = new FleetView(perWorker, census, this.codec, remainder, PREFIX, RETENTION, this.clock);
        List<HistogramDataPointSnapshot> served = histogram(perWorker.collect()).getDataPoints();
        assertThat(served).extracting((point) -> point.getLabels().get("worker_id")).containsExactly("w1", "w2");
        assertThat(NativeHistogramSumTests.describe(served.get(0))).isEqualTo(describe(first));
        assertThat(NativeHistogramSumTests.describe(served.get(1))).isEqualTo(describe(second));
        String expected = describe(all);
        assertThat(expected).contains("schema 3");
        assertThat(fleetPoint(fleet)).isEqualTo(expected);
        // Served as Prometheus scrapes native histograms: protobuf.
        assertThat(Exposition.protobuf(fleet.collect())).contains("name: \"" + NAME + "\"")
            .contains("schema: 3")
            .contains("positive_span");
        // w2 stops and leaves the store: folded, then moved into the remainder's base.
        publish(store, "w2", second.collect(), WorkerState.STOPPED);
        assertThat(fleetPoint(fleet)).isEqualTo(expected);
        remove.accept("w2");
        assertThat(fleetPoint(fleet)).isEqualTo(expected);
        advance(RETENTION.plusSeconds(1));
        publish(store, "w1", first.collect(), WorkerState.RUNNING);
        assertThat(fleetPoint(fleet)).isEqualTo(expected);
        assertThat(FleetRemainder.decode(remainder.get()).folded()).isEmpty();
        byte[] base = FleetRemainder.decode(remainder.get()).base();
        assertThat(base[4]).isEqualTo((byte) 3);
        assertThat(NativeHistogramSumTests.describe(histogram(this.codec.decode(base)).getDataPoints().get(0)))
            .isEqualTo(describe(second));
    }

    private void publish(MetricStore store, String workerId, MetricSnapshot histogram, WorkerState state) {
        long now = this.clock.millis();
        store.publish(new WorkerRecord(workerId, 1, 1_000, now, state, null,
                this.codec.encode(MetricSnapshots.of(histogram))));
    }

    private String fleetPoint(FleetView fleet) {
        List<HistogramDataPointSnapshot> points = histogram(fleet.collect()).getDataPoints();
        assertThat(points).hasSize(1);
        assertThat(points.get(0).getLabels().size()).isZero();
        return NativeHistogramSumTests.describe(points.get(0));
    }

    private static String describe(Histogram histogram) {
        return NativeHistogramSumTests.describe(histogram.collect().getDataPoints().get(0));
    }

    private static HistogramSnapshot histogram(MetricSnapshots snapshots) {
        for (MetricSnapshot snapshot : snapshots) {
            if (snapshot.getMetadata().getPrometheusName().equals(NAME)) {
                return (HistogramSnapshot) snapshot;
            }
        }
        throw new AssertionError(NAME + " not in " + snapshots);
    }

    private void advance(Duration duration) {
        this.clock.advance(duration);
    }

}
