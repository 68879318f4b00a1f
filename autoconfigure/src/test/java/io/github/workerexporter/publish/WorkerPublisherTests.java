package io.github.workerexporter.publish;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.merge.RestartCarry;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.environment.WorkerIdentity;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import io.github.workerexporter.merge.MergedViewRegistry;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.InMemoryMetricStore;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerLife;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;

@ExtendWith(OutputCaptureExtension.class)
class WorkerPublisherTests {

    private final MutableClock clock = new MutableClock();

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    private final InMemoryMetricStore store = new InMemoryMetricStore();

    private final MergedViewRegistry registry = new MergedViewRegistry(true);

    private final WorkerIdentity worker = new WorkerIdentity("w-1", 42, Instant.ofEpochMilli(1000));

    private final MasterRestarts restarts = new MasterRestarts("gunicorn", "w-1");

    WorkerPublisherTests() {
        this.registry.register(this.restarts);
    }

    @Test
    void publishesTheIncludedFamiliesWithStateAndHeartbeat() {
        Counter.builder().name("http_requests").register(this.registry).inc(3);
        Counter.builder().name("jvm_secret").register(this.registry).inc();
        WorkerLifecycle lifecycle = new WorkerLifecycle();
        lifecycle.transition(WorkerState.RUNNING);
        publisher(this.store, lifecycle, new NamePatterns(List.of(), List.of("jvm_*"))).flushNow();
        WorkerRecord record = this.store.readAll().get(0);
        assertThat(record.workerId()).isEqualTo("w-1");
        assertThat(record.state()).isEqualTo(WorkerState.RUNNING);
        assertThat(record.stopReason()).isNull();
        assertThat(record.heartbeatMillis()).isEqualTo(this.clock.millis());
        String text = Exposition.text(this.codec.decode(record.metrics()));
        assertThat(text).contains("http_requests_total 3.0").doesNotContain("jvm_secret");
    }

    @Test
    void logsAFailingFlushOnceThenItsRecovery(CapturedOutput output) {
        SwitchableStore flaky = new SwitchableStore();
        WorkerPublisher publisher = publisher(flaky, new WorkerLifecycle(), (name) -> true);
        flaky.down = true;
        publisher.flushNow();
        publisher.flushNow();
        publisher.flushNow();
        flaky.down = false;
        publisher.flushNow();
        assertThat(output.getAll().lines().filter((line) -> line.contains("WARN"))).hasSize(1);
        assertThat(output).contains("Flush to switchable storage failed")
            .contains("Flush to switchable storage recovered");
    }

    @Test
    void aFlushInterruptedByTheCloseIsNotLoggedAsAFailure(CapturedOutput output) throws Exception {
        // The last flush of ON_EXIT runs on the closing thread; a scheduled flush that
        // waited for it then runs on the flusher and is interrupted by close().
        BlockingStore blocking = new BlockingStore();
        WorkerPublisher publisher = publisher(blocking, new WorkerLifecycle(), (name) -> true);
        publisher.start(Duration.ofHours(1));
        assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread flusher = Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter((thread) -> thread.getName().equals("exporter-flush") && blocking.threads.contains(thread))
            .findFirst()
            .orElseThrow();
        publisher.close();
        flusher.join(10_000);
        assertThat(flusher.isAlive()).isFalse();
        assertThat(blocking.interrupted).isTrue();
        assertThat(output).doesNotContain("Flush to blocking storage failed");
    }

    @Test
    void countsARestartWithCrashWhenThePreviousLifeRecordedNoReason() {
        this.store.publish(new WorkerRecord("w-1", 41, 500, this.clock.millis(), WorkerState.RUNNING, null,
                this.codec.encode(MetricSnapshots.of())));
        WorkerPublisher publisher = publisher(this.store, new WorkerLifecycle(), (name) -> true);
        publisher.start(Duration.ofHours(1));
        publisher.close();
        publisher.flushNow();
        String merged = Exposition.text(new MergingCollector(
                new WorkerCensus(this.store, this.codec, "gunicorn", Duration.ofSeconds(15), this.clock), "gunicorn",
                Map.of(), MetricSnapshots::of)
            .collect());
        assertThat(merged).contains("gunicorn_master_worker_restart_total{reason=\"crash\"} 1.0");
    }

    @Test
    void countsThePreviousLifeWhoseMetricsCannotBeDecodedAsARestartAndPublishes(CapturedOutput output) {
        this.store.publish(new WorkerRecord("w-1", 41, 500, this.clock.millis(), WorkerState.STOPPED, StopReason.HUP,
                new byte[] { 1, 2 }));
        WorkerPublisher publisher = publisher(this.store, new WorkerLifecycle(), (name) -> true);
        publisher.start(Duration.ofHours(1));
        publisher.close();
        publisher.flushNow();
        WorkerRecord published = this.store.readAll().get(0);
        assertThat(published.startTimeMillis()).isEqualTo(1000);
        assertThat(Exposition.text(this.codec.decode(published.metrics())))
            .contains("gunicorn_master_worker_restart_total{reason=\"hup\"} 1.0");
        assertThat(output).contains("The restart counts of the previous life of worker w-1 are not carried");
    }

    @Test
    void carriesRestartsAcrossLivesWithTheRecordedReason() {
        this.store.publish(new WorkerRecord("w-1", 40, 100, this.clock.millis(), WorkerState.STOPPED, StopReason.TERM,
                this.codec.encode(MetricSnapshots.of())));
        MergedViewRegistry secondRegistry = new MergedViewRegistry(true);
        MasterRestarts secondRestarts = new MasterRestarts("gunicorn", "w-1");
        secondRegistry.register(secondRestarts);
        WorkerIdentity secondLife = new WorkerIdentity("w-1", 41, Instant.ofEpochMilli(500));
        WorkerPublisher second = new WorkerPublisher(this.store, this.codec, secondLife,
                () -> secondRegistry.scrapeLocal((name) -> true), (name) -> true, new WorkerLifecycle(),
                (records) -> RestartCarry.carry(records, "w-1", 500, this.codec, secondRestarts), this.clock,
                WorkerIdConflict.of("gunicorn", secondLife));
        second.start(Duration.ofHours(1));
        second.close();
        second.flushNow();
        WorkerPublisher third = publisher(this.store, new WorkerLifecycle(), (name) -> true);
        third.start(Duration.ofHours(1));
        third.close();
        third.flushNow();
        String text = Exposition.text(this.codec.decode(this.store.readAll().get(0).metrics()));
        assertThat(text).contains("gunicorn_master_worker_restart_total{reason=\"term\"} 1.0")
            .contains("gunicorn_master_worker_restart_total{reason=\"crash\"} 1.0");
    }

    @Test
    void theMergedViewRegistryServesEachFamilyOnceAndPublishesNoLoop() {
        Counter.builder().name("http_requests").register(this.registry).inc(2);
        Counter.builder().name("not_published").register(this.registry).inc();
        publisher(this.store, new WorkerLifecycle(), new NamePatterns(List.of("http_*"), List.of())).flushNow();
        MergingCollector collector = new MergingCollector(
                new WorkerCensus(this.store, this.codec, "gunicorn", Duration.ofSeconds(15), this.clock), "gunicorn",
                Map.of(), () -> this.registry.scrapeLocal((name) -> true));
        this.registry.addView(collector);
        String served = Exposition.text(this.registry.scrape());
        assertThat(served).contains("http_requests_total{worker_id=\"w-1\"} 2.0")
            .contains("not_published_total 1.0")
            .doesNotContain("http_requests_total 2.0");
        assertThat(Exposition.text(this.registry.scrapeLocal((name) -> true))).doesNotContain("master_workers");
    }

    @Test
    void aSecondLiveProcessUnderTheSameIdLogsOneErrorAndPublishesUnderADerivedIdSoNothingIsLost(CapturedOutput output,
            @TempDir Path dir) {
        Counter.builder()
            .name("http_requests")
            .labelNames("worker_id")
            .register(this.registry)
            .labelValues("w-1")
            .inc(3);
        try (FileMetricStore first = new FileMetricStore(dir, Duration.ofMinutes(5), this.clock);
                FileMetricStore second = new FileMetricStore(dir, Duration.ofMinutes(5), this.clock)) {
            WorkerLifecycle status = new WorkerLifecycle();
            status.transition(WorkerState.RUNNING);
            WorkerIdConflict holding = conflict(this.worker);
            publisher(first, status, this.worker, holding).flushNow();
            WorkerIdentity twin = new WorkerIdentity("w-1", 43, Instant.ofEpochMilli(2000));
            WorkerIdConflict conflict = conflict(twin);
            this.registry.register(conflict);
            WorkerPublisher later = publisher(second, status, twin, conflict);
            later.flushNow();
            later.flushNow();
            later.flushNow();
            assertThat(first.readAll()).extracting(WorkerRecord::workerId).containsExactlyInAnyOrder("w-1", "w-1~43");
            String merged = Exposition.text(new MergingCollector(
                    new WorkerCensus(first, this.codec, "gunicorn", Duration.ofSeconds(15), this.clock), "gunicorn",
                    Map.of(), MetricSnapshots::of)
                .collect());
            assertThat(merged).contains("http_requests_total{worker_id=\"w-1\"} 3.0")
                .contains("http_requests_total{worker_id=\"w-1~43\"} 3.0")
                .contains("gunicorn_master_worker_id_conflicts_total{worker_id=\"w-1~43\"} 1.0")
                .contains("# HELP gunicorn_master_worker_id_conflicts " + WorkerIdConflict.HELP);
            assertThat(conflict.publishedId()).isEqualTo("w-1~43");
            assertThat(conflict.reason()).contains("'w-1'", "42@", "43@", "exporter.worker.id", "'w-1~43'");
            assertThat(holding.reason()).isNull();
            assertThat(output.getAll().lines().filter((line) -> line.contains("ERROR"))).hasSize(1);
            assertThat(output.getAll().lines().filter((line) -> line.contains("WARN"))).isEmpty();
        }
    }

    private static WorkerIdConflict conflict(WorkerIdentity worker) {
        return new WorkerIdConflict("gunicorn", worker.id(),
                new WorkerLife(worker.pid(), "host-a", worker.startTime().toEpochMilli()));
    }

    private WorkerPublisher publisher(MetricStore target, WorkerLifecycle lifecycle, WorkerIdentity identity,
            WorkerIdConflict conflict) {
        return new WorkerPublisher(target, this.codec, identity, () -> this.registry.scrapeLocal((name) -> true),
                (name) -> true, lifecycle, (records) -> RestartCarry.carry(records, identity.id(),
                        identity.startTime().toEpochMilli(), this.codec, this.restarts),
                this.clock, conflict);
    }

    private WorkerPublisher publisher(MetricStore target, WorkerLifecycle lifecycle,
            java.util.function.Predicate<String> names) {
        return new WorkerPublisher(target, this.codec, this.worker, () -> this.registry.scrapeLocal((name) -> true),
                names, lifecycle, (records) -> RestartCarry.carry(records, this.worker.id(),
                        this.worker.startTime().toEpochMilli(), this.codec, this.restarts),
                this.clock, WorkerIdConflict.of("gunicorn", this.worker));
    }

    /**
     * A store whose publish waits until its thread is interrupted, as a Redis command
     * does when its thread is.
     */
    static final class BlockingStore implements MetricStore {

        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);

        final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        volatile boolean interrupted;

        @Override
        public String name() {
            return "blocking";
        }

        @Override
        public void publish(WorkerRecord record) {
            this.threads.add(Thread.currentThread());
            this.entered.countDown();
            try {
                Thread.sleep(60_000);
            }
            catch (InterruptedException ex) {
                this.interrupted = true;
                Thread.currentThread().interrupt();
                throw new StoreException("command interrupted", ex);
            }
        }

        @Override
        public List<WorkerRecord> readAll() {
            return List.of();
        }

        @Override
        public void close() {
        }

    }

    static final class SwitchableStore implements MetricStore {

        volatile boolean down;

        @Override
        public String name() {
            return "switchable";
        }

        @Override
        public void publish(WorkerRecord record) {
            if (this.down) {
                throw new StoreException("store is down");
            }
        }

        @Override
        public List<WorkerRecord> readAll() {
            return List.of();
        }

        @Override
        public void close() {
        }

    }

}
