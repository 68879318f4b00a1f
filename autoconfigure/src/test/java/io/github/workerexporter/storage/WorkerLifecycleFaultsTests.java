package io.github.workerexporter.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.storage.WorkerLifecycleFaultsStores.Backend;
import io.github.workerexporter.storage.WorkerLifecycleFaultsStores.Worker;
import io.github.workerexporter.storage.redis.RedisServerExtension;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;

/**
 * One worker id restarted 50 times against a real shared store (a directory, a real Redis
 * server), each life opening the store anew as a new JVM would, with the real flusher
 * ({@link WorkerPublisher}), restart metrics ({@link WorkerRestartMetrics},
 * {@link io.github.workerexporter.metrics.MasterRestarts}) and merged view
 * ({@link MergingCollector}) of a second worker that watches. Lives end alternately with
 * a crash ({@code kill -9}: no last flush) and a clean stop with a reason ({@code term},
 * {@code hup}, {@code int}, {@code error}), noted in the life's
 * {@link io.github.workerexporter.lifecycle.WorkerLifecycle} as a signal would. After
 * each restart, as docs/storage-and-master-view.md states:
 * <ul>
 * <li>{@code gunicorn_master_worker_restart_total{reason}} counts exactly the restarts so
 * far, each with the reason its previous life recorded, {@code crash} for a life that
 * recorded none (carried from life to life through the store by
 * {@link RestartCarry});</li>
 * <li>the request counters of the new life start from 0 (a counter reset) and
 * {@code gunicorn_worker_restart_total{worker_id,reason}} counts only this life's stop:
 * neither is carried;</li>
 * <li>no series is duplicated, the other worker's totals are exact, and the store holds
 * exactly as many files or keys as after the first life (it does not grow per
 * restart).</li>
 * </ul>
 * Real JVM restarts are in {@code e2e.WorkerFaultsTests}.
 *
 * @author Worker Exporter
 */
class WorkerLifecycleFaultsTests {

    private static final int RESTARTS = 50;

    private static final String PREFIX = WorkerLifecycleFaultsStores.PREFIX;

    private static final List<@Nullable StopReason> ENDINGS = Arrays.asList(null, StopReason.TERM, StopReason.HUP,
            StopReason.INT, StopReason.ERROR);

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.started();

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    @ParameterizedTest
    @EnumSource(Backend.class)
    void countsExactlyFiftyRestartsOfOneWorkerIdWithoutCarryingItsCountersOrGrowingTheStore(Backend backend) {
        try (WorkerLifecycleFaultsStores stores = new WorkerLifecycleFaultsStores(backend, this.dir, redis.server())) {
            MetricStore observerStore = stores.open(this.clock);
            MergingCollector view = new MergingCollector(
                    new WorkerCensus(observerStore, WorkerLifecycleFaultsStores.CODEC, PREFIX, Duration.ofSeconds(15),
                            this.clock, this.clock::nanoTime),
                    PREFIX, Map.of(), MetricSnapshots::of);
            Worker steady = stores.start("steady", 1, this.clock);
            steady.serve(1);
            Worker life = stores.start("w", 2, this.clock);
            life.serve(1);
            List<String> entries = stores.entries();
            // Per worker id: its data and its claim (a lock file, an owner key); Redis
            // adds the index.
            assertThat(entries).hasSize((backend == Backend.FILE) ? 4 : 5);
            Map<String, Double> expectedRestarts = new TreeMap<>();
            for (int restart = 1; restart <= RESTARTS; restart++) {
                StopReason ending = ENDINGS.get(restart % ENDINGS.size());
                if (ending == null) {
                    life.crash();
                }
                else {
                    life.stop(ending);
                }
                expectedRestarts.merge((ending != null) ? ending.label() : "crash", 1.0, Double::sum);
                this.clock.advance(Duration.ofSeconds(1));
                life = stores.start("w", 1000 + restart, this.clock);
                life.serve(restart);
                steady.serve(1);
                RequestExposition merged = WorkerLifecycleFaultsStores.expose(view.collect());
                assertThat(restarts(merged)).as("restarts after restart %d", restart)
                    .containsAllEntriesOf(expectedRestarts);
                assertThat(restarts(merged).values().stream().mapToDouble(Double::doubleValue).sum())
                    .as("restarts after restart %d", restart)
                    .isEqualTo(restart);
                assertThat(merged.value(requests("w"))).as("requests of life %d", restart).isEqualTo(restart);
                assertThat(merged.value(requests("steady"))).isEqualTo(restart + 1);
                assertThat(merged.series(PREFIX + "_worker_requests_total")).hasSize(2);
                assertThat(merged.types()).doesNotHaveDuplicates();
                assertThat(merged.series(PREFIX + "_worker_restart_total"))
                    .filteredOn((series) -> series.contains("worker_id=\"w\""))
                    .allSatisfy((series) -> assertThat(merged.value(series)).as(series).isZero());
                assertThat(merged.value(PREFIX + "_master_workers{state=\"alive\"}")).isEqualTo(2);
                assertThat(stores.entries()).as("store after restart %d", restart).isEqualTo(entries);
            }
            life.stop(StopReason.TERM);
            RequestExposition last = WorkerLifecycleFaultsStores.expose(view.collect());
            assertThat(restarts(last).values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(RESTARTS);
            assertThat(last.value(PREFIX + "_worker_restart_total{reason=\"term\",worker_id=\"w\"}")).isEqualTo(1);
            assertThat(last.value(PREFIX + "_master_workers{state=\"stopped\"}")).isEqualTo(1);
            assertThat(last.value(requests("w"))).isEqualTo(RESTARTS);
            // A clean exit releases the claim of its id: Redis deletes the owner key; the
            // lock file stays, free.
            assertThat(stores.entries())
                .isEqualTo(entries.stream().filter((entry) -> !entry.endsWith("}:owner:w")).toList());
            steady.crash();
        }
    }

    private static Map<String, Double> restarts(RequestExposition exposition) {
        Map<String, Double> byReason = new TreeMap<>();
        for (String series : exposition.series(PREFIX + "_master_worker_restart_total")) {
            double value = exposition.value(series);
            if (value != 0) {
                byReason.put(series.replaceAll(".*reason=\"([^\"]*)\".*", "$1"), value);
            }
        }
        return byReason;
    }

    private static String requests(String workerId) {
        return PREFIX + "_worker_requests_total{worker_id=\"" + workerId + "\"}";
    }

}
