package io.github.workerexporter.publish;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.InMemoryMetricStore;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerLife;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.WorkerStatus;

@ExtendWith(OutputCaptureExtension.class)
class WorkerPublisherTests {

    private final MutableClock clock = new MutableClock();

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    private final InMemoryMetricStore store = new InMemoryMetricStore();

    private final MergedViewRegistry registry = new MergedViewRegistry();

    private final WorkerIdentity worker = new WorkerIdentity("w-1", 42, Instant.ofEpochMilli(1000));

    @Test
    void publishesTheIncludedFamiliesWithStateAndHeartbeat() {
        Counter.builder().name("http_requests").register(this.registry).inc(3);
        Counter.builder().name("jvm_secret").register(this.registry).inc();
        WorkerStatus status = new WorkerStatus();
        status.running();
        publisher(this.store, status, new NamePatterns(List.of(), List.of("jvm_*"))).flushNow();
        WorkerRecord record = this.store.readAll().get(0);
        assertThat(record.workerId()).isEqualTo("w-1");
        assertThat(record.state()).isEqualTo("running");
        assertThat(record.heartbeatMillis()).isEqualTo(this.clock.millis());
        String text = Exposition.text(this.codec.decode(record.metrics()));
        assertThat(text).contains("http_requests_total 3.0").doesNotContain("jvm_secret");
    }

    @Test
    void logsAFailingFlushOnceThenItsRecovery(CapturedOutput output) {
        SwitchableStore flaky = new SwitchableStore();
        WorkerPublisher publisher = publisher(flaky, new WorkerStatus(), (name) -> true);
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
    void countsARestartWithCrashWhenThePreviousLifeRecordedNoReason() {
        this.store.publish(new WorkerRecord("w-1", 41, 500, this.clock.millis(), "running", null,
                this.codec.encode(MetricSnapshots.of())));
        WorkerPublisher publisher = publisher(this.store, new WorkerStatus(), (name) -> true);
        publisher.start(Duration.ofHours(1));
        publisher.close();
        publisher.flushNow();
        String merged = Exposition.text(new MergingCollector(this.store, this.codec, "gunicorn", Map.of(),
                Duration.ofSeconds(15), this.clock, MetricSnapshots::of)
            .collect());
        assertThat(merged).contains("gunicorn_master_worker_restart_total{reason=\"crash\"} 1.0");
    }

    @Test
    void countsThePreviousLifeWhoseMetricsCannotBeDecodedAsARestartAndPublishes(CapturedOutput output) {
        this.store
            .publish(new WorkerRecord("w-1", 41, 500, this.clock.millis(), "stopped", "hup", new byte[] { 1, 2 }));
        WorkerPublisher publisher = publisher(this.store, new WorkerStatus(), (name) -> true);
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
        WorkerStatus status = new WorkerStatus();
        this.store.publish(new WorkerRecord("w-1", 40, 100, this.clock.millis(), "stopped", "term",
                this.codec.encode(MetricSnapshots.of())));
        WorkerPublisher second = new WorkerPublisher(this.store, this.codec,
                new WorkerIdentity("w-1", 41, Instant.ofEpochMilli(500)), this.registry::scrape, (name) -> true, status,
                "gunicorn", this.clock);
        second.start(Duration.ofHours(1));
        second.close();
        second.flushNow();
        WorkerPublisher third = publisher(this.store, new WorkerStatus(), (name) -> true);
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
        publisher(this.store, new WorkerStatus(), new NamePatterns(List.of("http_*"), List.of())).flushNow();
        MergingCollector collector = new MergingCollector(this.store, this.codec, "gunicorn", Map.of(),
                Duration.ofSeconds(15), this.clock, () -> this.registry.scrapeLocal((name) -> true));
        this.registry.setMergedView(collector);
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
            WorkerStatus status = new WorkerStatus();
            status.running();
            WorkerIdConflict holding = conflict(this.worker);
            publisher(first, status, this.worker, holding).flushNow();
            WorkerIdentity twin = new WorkerIdentity("w-1", 43, Instant.ofEpochMilli(2000));
            WorkerIdConflict conflict = conflict(twin);
            WorkerPublisher later = publisher(second, status, twin, conflict);
            later.flushNow();
            later.flushNow();
            later.flushNow();
            assertThat(first.readAll()).extracting(WorkerRecord::workerId).containsExactlyInAnyOrder("w-1", "w-1~43");
            String merged = Exposition.text(new MergingCollector(first, this.codec, "gunicorn", Map.of(),
                    Duration.ofSeconds(15), this.clock, MetricSnapshots::of)
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
        return new WorkerIdConflict(worker.id(),
                new WorkerLife(worker.pid(), "host-a", worker.startTime().toEpochMilli()));
    }

    private WorkerPublisher publisher(MetricStore target, WorkerStatus status, WorkerIdentity identity,
            WorkerIdConflict conflict) {
        return new WorkerPublisher(target, this.codec, identity, () -> this.registry.scrapeLocal((name) -> true),
                (name) -> true, status, "gunicorn", this.clock, conflict);
    }

    private WorkerPublisher publisher(MetricStore target, WorkerStatus status,
            java.util.function.Predicate<String> names) {
        return new WorkerPublisher(target, this.codec, this.worker, () -> this.registry.scrapeLocal((name) -> true),
                names, status, "gunicorn", this.clock);
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
        public void remove(String workerId) {
        }

        @Override
        public void close() {
        }

    }

}
