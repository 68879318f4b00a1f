package io.github.workerexporter.merge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.RequestMetrics.RouteLabels;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.publish.WorkerPublisher;
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
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet view over a real file store and a real Redis server, fed by real
 * {@link WorkerPublisher} records: its values are the per-worker view's summed by hand
 * while workers join, stop, get lost, restart and are swept, its counters never go
 * backwards, and its master families are the per-worker view's.
 *
 * @author Worker Exporter
 */
class FleetViewTests {

    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(15);

    private static final Duration RETENTION = Duration.ofMinutes(5);

    private static final String PREFIX = "gunicorn";

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    private final MutableClock clock = new MutableClock();

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : this.closeables) {
            closeable.close();
        }
    }

    @Test
    void sumsThePerWorkerViewThroughTheFileStoreAsWorkersComeAndGo() {
        FileMetricStore store = fileStore();
        assertFleetLifecycle(store, () -> new FileSharedValue(this.dir, "fleet-remainder"), (id) -> {
            store.sweep();
            assertThat(Files.exists(this.dir.resolve("fleet-remainder.value"))).isTrue();
        });
    }

    @Test
    void sumsThePerWorkerViewThroughRedisAsWorkersComeAndGo() {
        RedisMetricStore store = redisStore();
        // Redis expires the keys of a worker at the retention: remove them as expiry
        // would.
        assertFleetLifecycle(store, () -> new RedisSharedValue(store, "fleet-remainder"), store::remove);
    }

    @Test
    void twoViewersOfTheFileStoreFoldEachLeavingWorkerOnce() {
        FileMetricStore store = fileStore();
        assertTwoViewers(store, () -> new FileSharedValue(this.dir, "fleet-remainder"), (id) -> store.sweep());
    }

    @Test
    void twoViewersOfRedisFoldEachLeavingWorkerOnce() {
        RedisMetricStore store = redisStore();
        assertTwoViewers(store, () -> new RedisSharedValue(store, "fleet-remainder"), store::remove);
    }

    @Test
    void aLostWorkerThatFlushesAgainCountsOnceThroughTheFileStore() {
        assertLostWorkerResumes(fileStore(), () -> new FileSharedValue(this.dir, "fleet-remainder"));
    }

    @Test
    void aLostWorkerThatFlushesAgainCountsOnceThroughRedis() {
        RedisMetricStore store = redisStore();
        assertLostWorkerResumes(store, () -> new RedisSharedValue(store, "fleet-remainder"));
    }

    /**
     * One fleet scrape is one read of the store: the sums and the master families come
     * from the same census (two reads cost twice the I/O and decoding, and a worker that
     * joined between them was served by one half and not the other).
     */
    @Test
    void aScrapeOfTheFleetViewReadsTheStoreOnce() {
        FileMetricStore files = fileStore();
        AtomicInteger reads = new AtomicInteger();
        MetricStore store = new MetricStore() {

            @Override
            public String name() {
                return files.name();
            }

            @Override
            public void publish(WorkerRecord record) {
                files.publish(record);
            }

            @Override
            public List<WorkerRecord> readAll() {
                reads.incrementAndGet();
                return files.readAll();
            }

            @Override
            public void close() {
                files.close();
            }

        };
        Views views = new Views(store, new FileSharedValue(this.dir, "fleet-remainder"));
        Worker worker = new Worker(store, "w1");
        worker.flush();
        reads.set(0);
        views.fleet.collect();
        assertThat(reads).hasValue(1);
    }

    private void assertLostWorkerResumes(MetricStore store, java.util.function.Supplier<SharedValue> remainder) {
        Views views = new Views(store, remainder.get());
        Worker a = new Worker(store, "a").serve(2, 0);
        Worker b = new Worker(store, "b").serve(3, 0);
        views.assertFleetIsPerWorkerSummed();
        advance(HEARTBEAT_TIMEOUT.plusSeconds(1));
        a.serve(1, 0);
        Map<String, Double> lost = views.assertFleetIsPerWorkerSummed();
        assertThat(FleetRemainder.decode(remainder.get().get()).folded()).hasSize(1);
        // b was only hung: it flushes again, and its new counts are not lost nor doubled.
        b.serve(4, 0);
        Map<String, Double> resumed = views.assertFleetIsPerWorkerSummed();
        assertNeverBackwards(lost, resumed);
        assertThat(FleetRemainder.decode(remainder.get().get()).folded()).isEmpty();
        assertThat(
                resumed.get("gunicorn_worker_requests_total{endpoint=\"/users/{id}\",method=\"GET\",status=\"200\"}"))
            .isEqualTo(2 + 1 + 3 + 4);
    }

    private void assertFleetLifecycle(MetricStore store, java.util.function.Supplier<SharedValue> remainder,
            Consumer<String> sweep) {
        Views views = new Views(store, remainder.get());
        Worker a = new Worker(store, "a").serve(3, 1);
        Worker b = new Worker(store, "b").serve(2, 0);
        views.assertFleetIsPerWorkerSummed();
        Worker c = new Worker(store, "c").serve(5, 2);
        Map<String, Double> joined = views.assertFleetIsPerWorkerSummed();
        c.stop();
        views.assertFleetIsPerWorkerSummed();
        advance(HEARTBEAT_TIMEOUT.plusSeconds(1));
        a.serve(1, 0);
        Map<String, Double> lost = views.assertFleetIsPerWorkerSummed();
        Map<String, Double> aWhenLost = views.perWorkerSummedOf("a");
        assertThat(views.perWorker()).contains("gunicorn_master_workers{state=\"lost\"} 1.0");
        assertNeverBackwards(joined, lost);
        // b (lost) and c (stopped) leave the store at the retention.
        advance(RETENTION.plusSeconds(1));
        a.serve(1, 0);
        sweep.accept("b");
        sweep.accept("c");
        assertThat(views.perWorker()).doesNotContain("worker_id=\"b\"").doesNotContain("worker_id=\"c\"");
        Map<String, Double> swept = views.fleetValues();
        assertNeverBackwards(lost, swept);
        assertThat(swept.get("gunicorn_worker_requests_total{endpoint=\"/users/{id}\",method=\"GET\",status=\"200\"}"))
            .isEqualTo(3 + 2 + 5 + 1 + 1);
        assertSameValues(swept, plus(views.perWorkerSummed(), minus(lost, aWhenLost)));
        // a restarts: its previous life's counts stay.
        a = a.restart().serve(1, 0);
        Map<String, Double> restarted = views.fleetValues();
        assertNeverBackwards(swept, restarted);
        assertThat(
                restarted.get("gunicorn_worker_requests_total{endpoint=\"/users/{id}\",method=\"GET\",status=\"200\"}"))
            .isEqualTo(3 + 2 + 5 + 1 + 1 + 1);
        // Once gone for the retention, the folded lives move into the remainder's base.
        advance(RETENTION.plusSeconds(1));
        a.flush();
        Map<String, Double> compacted = views.fleetValues();
        assertThat(compacted).isEqualTo(restarted);
        assertThat(FleetRemainder.decode(remainder.get().get()).folded()).isEmpty();
        assertThat(FleetRemainder.decode(remainder.get().get()).base()).isNotEmpty();
        assertThat(views.fleetMasterFamilies()).isEqualTo(views.perWorkerMasterFamilies());
    }

    private void assertTwoViewers(MetricStore store, java.util.function.Supplier<SharedValue> remainder,
            Consumer<String> sweep) {
        Views first = new Views(store, remainder.get());
        Views second = new Views(store, remainder.get());
        Worker a = new Worker(store, "a").serve(4, 0);
        Worker b = new Worker(store, "b").serve(6, 0);
        Map<String, Double> before = first.assertFleetIsPerWorkerSummed();
        assertThat(second.fleetValues()).isEqualTo(before);
        b.stop();
        first.assertFleetIsPerWorkerSummed();
        advance(RETENTION.plusSeconds(1));
        a.serve(1, 0);
        sweep.accept("b");
        Map<String, Double> afterFirst = first.fleetValues();
        Map<String, Double> afterSecond = second.fleetValues();
        assertThat(afterSecond).isEqualTo(afterFirst);
        assertNeverBackwards(before, afterFirst);
        assertThat(afterFirst
            .get("gunicorn_worker_requests_total{endpoint=\"/users/{id}\",method=\"GET\",status=\"200\"}"))
            .isEqualTo(4 + 6 + 1);
        advance(RETENTION.plusSeconds(1));
        a.flush();
        assertThat(first.fleetValues()).isEqualTo(afterFirst);
        assertThat(second.fleetValues()).isEqualTo(afterFirst);
    }

    private static void assertSameValues(Map<String, Double> actual, Map<String, Double> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((series, value) -> assertThat(actual.get(series)).as(series)
            .isCloseTo(value, org.assertj.core.data.Offset.offset(1e-9)));
    }

    private static void assertNeverBackwards(Map<String, Double> earlier, Map<String, Double> later) {
        earlier.forEach((series, value) -> {
            if (!series.contains("in_flight")) {
                assertThat(later.get(series)).as(series).isNotNull().isGreaterThanOrEqualTo(value - 1e-9);
            }
        });
    }

    private static Map<String, Double> plus(Map<String, Double> left, Map<String, Double> right) {
        Map<String, Double> sum = new LinkedHashMap<>(left);
        right.forEach((series, value) -> sum.merge(series, value, Double::sum));
        return sum;
    }

    private static Map<String, Double> minus(Map<String, Double> left, Map<String, Double> right) {
        Map<String, Double> difference = new LinkedHashMap<>();
        left.forEach((series, value) -> {
            if (!series.contains("in_flight")) {
                difference.put(series, value - right.getOrDefault(series, 0.0));
            }
        });
        return difference;
    }

    private void advance(Duration duration) {
        this.clock.advance(duration);
    }

    private FileMetricStore fileStore() {
        FileMetricStore store = new FileMetricStore(this.dir, RETENTION, HEARTBEAT_TIMEOUT, this.clock,
                this.clock::nanoTime, true);
        this.closeables.add(store);
        return store;
    }

    private RedisMetricStore redisStore() {
        RedisServerSupport server = RedisServerSupport.shared();
        RedisMetricStore store = RedisMetricStore.connect(
                new RedisEndpoint(server.host(), server.port(), 0, null, null, false, Duration.ofSeconds(2)), null,
                "fleet-" + System.nanoTime(), RETENTION, HEARTBEAT_TIMEOUT);
        this.closeables.add(store);
        return store;
    }

    /**
     * The per-worker view and the fleet view of one process.
     */
    private final class Views {

        private final MergingCollector perWorker;

        private final FleetView fleet;

        Views(MetricStore store, SharedValue remainder) {
            WorkerCensus census = new WorkerCensus(store, FleetViewTests.this.codec, PREFIX, HEARTBEAT_TIMEOUT,
                    FleetViewTests.this.clock, FleetViewTests.this.clock::nanoTime);
            this.perWorker = new MergingCollector(census, PREFIX, Map.of(), MetricSnapshots::of);
            this.fleet = new FleetView(this.perWorker, census, FleetViewTests.this.codec, remainder, PREFIX, RETENTION,
                    FleetViewTests.this.clock);
        }

        String perWorker() {
            return Exposition.text(this.perWorker.collect());
        }

        /**
         * Scrape both views and check that the fleet's worker families are the per-worker
         * view's summed by hand over worker_id.
         */
        Map<String, Double> assertFleetIsPerWorkerSummed() {
            Map<String, Double> expected = perWorkerSummed();
            Map<String, Double> fleet = fleetValues();
            assertSameValues(fleet, expected);
            assertThat(fleet.keySet()).noneMatch((series) -> series.contains("worker_id"));
            return fleet;
        }

        Map<String, Double> perWorkerSummed() {
            return summed(perWorker(), null);
        }

        Map<String, Double> perWorkerSummedOf(String workerId) {
            return summed(perWorker(), workerId);
        }

        Map<String, Double> fleetValues() {
            return summed(Exposition.text(this.fleet.collect()), null);
        }

        List<String> fleetMasterFamilies() {
            return masterLines(Exposition.text(this.fleet.collect()));
        }

        List<String> perWorkerMasterFamilies() {
            return masterLines(perWorker());
        }

        private static List<String> masterLines(String text) {
            return text.lines().filter((line) -> line.contains(PREFIX + "_master_")).toList();
        }

        /**
         * The worker families' samples of an exposition, worker_id removed and the values
         * of equal series added (of one worker only if given); created timestamps left
         * out.
         */
        private static Map<String, Double> summed(String text, String onlyWorker) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (String line : text.lines().toList()) {
                if (line.startsWith("#") || line.contains("_created") || line.contains(PREFIX + "_master_")) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                String series = line.substring(0, space);
                if (onlyWorker != null && !series.contains("worker_id=\"" + onlyWorker + "\"")) {
                    continue;
                }
                series = series.replaceAll(",?worker_id=\"[^\"]*\"", "").replace("{,", "{").replace("{}", "");
                values.merge(series, Double.parseDouble(line.substring(space + 1)), Double::sum);
            }
            return values;
        }

    }

    /**
     * A worker: its request families and a real flusher publishing them.
     */
    private final class Worker {

        private final MetricStore store;

        private final String id;

        private final PrometheusRegistry registry = new PrometheusRegistry();

        private final RequestMetrics metrics;

        private final WorkerLifecycle lifecycle = new WorkerLifecycle();

        private final WorkerPublisher publisher;

        Worker(MetricStore store, String id) {
            this.store = store;
            this.id = id;
            this.metrics = new RequestMetrics(this.registry, PREFIX, id, 50, RouteLabels.STATUS_CODE, List.of());
            this.lifecycle.transition(WorkerState.RUNNING);
            WorkerIdentity identity = new WorkerIdentity(id, 1, FleetViewTests.this.clock.instant());
            this.publisher = new WorkerPublisher(store, FleetViewTests.this.codec, identity, this.registry::scrape,
                    (name) -> true, this.lifecycle, (previousLives) -> {
                    }, FleetViewTests.this.clock, WorkerIdConflict.of(PREFIX, identity));
            FleetViewTests.this.closeables.add(this.publisher);
        }

        /**
         * Serve requests, start some that stay in flight, and flush.
         */
        Worker serve(int users, int inFlight) {
            for (int i = 0; i < users; i++) {
                this.metrics.record("GET", "/users/{id}", 200, 1_000_000 * (i + 1), 0, 512, null);
            }
            this.metrics.record("POST", "/orders", 503, 2_000_000, 100, 0, null);
            for (int i = 0; i < inFlight; i++) {
                this.metrics.started();
            }
            this.publisher.flushNow();
            return this;
        }

        void flush() {
            this.publisher.flushNow();
        }

        void stop() {
            this.lifecycle.transition(WorkerState.STOPPED);
            this.publisher.flushNow();
            this.publisher.close();
        }

        Worker restart() {
            this.publisher.close();
            advance(Duration.ofSeconds(1));
            return new Worker(this.store, this.id);
        }

    }

}
