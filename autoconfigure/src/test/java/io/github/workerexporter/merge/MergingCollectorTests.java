package io.github.workerexporter.merge;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.InMemoryMetricStore;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

@ExtendWith(OutputCaptureExtension.class)
class MergingCollectorTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final MutableClock clock = new MutableClock();

    private final InMemoryMetricStore store = new InMemoryMetricStore();

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    @Test
    void labelsEachWorkersSeriesWithItsWorkerId() {
        publish("a", "running", 0, counter("requests", 3), gauge("memory_bytes", 10));
        publish("b", "running", 0, counter("requests", 4), gauge("memory_bytes", 20));
        String text = Exposition.text(collector(Map.of()).collect());
        assertThat(text).contains("requests_total{worker_id=\"a\"} 3.0")
            .contains("requests_total{worker_id=\"b\"} 4.0")
            .contains("memory_bytes{worker_id=\"a\"} 10.0")
            .contains("memory_bytes{worker_id=\"b\"} 20.0");
        assertThat(text.lines().filter((line) -> line.startsWith("# TYPE requests "))).hasSize(1);
    }

    @Test
    void keepsAnExistingWorkerIdLabel() {
        publish("a", "running", 0, new CounterSnapshot(new MetricMetadata("r"),
                List.of(new CounterDataPointSnapshot(1, Labels.of("worker_id", "own"), null, 0))));
        assertThat(Exposition.text(collector(Map.of()).collect())).contains("r_total{worker_id=\"own\"} 1.0");
    }

    @Test
    void keepsCountersOfStoppedAndLostWorkersButDropsTheirGauges() {
        publish("stopped", "stopped", 0, counter("requests", 1), gauge("memory_bytes", 1));
        publish("lost", "running", -20, counter("requests", 2), gauge("memory_bytes", 2));
        publish("alive", "running", 0, counter("requests", 3), gauge("memory_bytes", 3));
        String text = Exposition.text(collector(Map.of()).collect());
        assertThat(text).contains("requests_total{worker_id=\"stopped\"} 1.0")
            .contains("requests_total{worker_id=\"lost\"} 2.0")
            .contains("memory_bytes{worker_id=\"alive\"} 3.0")
            .doesNotContain("memory_bytes{worker_id=\"stopped\"}")
            .doesNotContain("memory_bytes{worker_id=\"lost\"}");
        assertThat(text).contains("gunicorn_master_workers{state=\"alive\"} 1.0")
            .contains("gunicorn_master_workers{state=\"stopped\"} 1.0")
            .contains("gunicorn_master_workers{state=\"lost\"} 1.0");
    }

    @Test
    void mergesGaugesByMode() {
        publish("a", "running", -2, gauge("g", 1));
        publish("b", "running", -1, gauge("g", 5));
        publish("c", "stopped", 0, gauge("g", 3));
        assertThat(gaugeLines(GaugeMode.ALL)).containsExactlyInAnyOrder("g{worker_id=\"a\"} 1.0",
                "g{worker_id=\"b\"} 5.0", "g{worker_id=\"c\"} 3.0");
        assertThat(gaugeLines(GaugeMode.LIVEALL)).containsExactlyInAnyOrder("g{worker_id=\"a\"} 1.0",
                "g{worker_id=\"b\"} 5.0");
        assertThat(gaugeLines(GaugeMode.SUM)).containsExactly("g 9.0");
        assertThat(gaugeLines(GaugeMode.LIVESUM)).containsExactly("g 6.0");
        assertThat(gaugeLines(GaugeMode.MAX)).containsExactly("g 5.0");
        assertThat(gaugeLines(GaugeMode.MIN)).containsExactly("g 1.0");
        assertThat(gaugeLines(GaugeMode.MOSTRECENT)).containsExactly("g 3.0");
    }

    @Test
    void aggregatesSeriesWithEqualRemainingLabels() {
        publish("a", "running", 0,
                new GaugeSnapshot(new MetricMetadata("g"),
                        List.of(new GaugeDataPointSnapshot(1, Labels.of("pool", "x"), null),
                                new GaugeDataPointSnapshot(2, Labels.of("pool", "y"), null))));
        publish("b", "running", 0, new GaugeSnapshot(new MetricMetadata("g"),
                List.of(new GaugeDataPointSnapshot(10, Labels.of("pool", "x"), null))));
        assertThat(gaugeLines(GaugeMode.SUM)).containsExactlyInAnyOrder("g{pool=\"x\"} 11.0", "g{pool=\"y\"} 2.0");
    }

    @Test
    void servesTheLocalMetricsWhenTheStoreCannotBeRead(CapturedOutput output) {
        MergingCollector collector = new MergingCollector(
                new WorkerCensus(new FailingStore(), this.codec, "gunicorn", TIMEOUT, this.clock), "gunicorn", Map.of(),
                () -> MetricSnapshots.of(gauge("local", 7)));
        assertThat(Exposition.text(collector.collect())).contains("local 7.0");
        assertThat(Exposition.text(collector.collect())).contains("local 7.0");
        assertThat(output.getAll().lines().filter((line) -> line.contains("WARN"))).hasSize(1);
    }

    @Test
    void skipsAnUndecodableRecordWithOneWarning(CapturedOutput output) {
        this.store
            .publish(new WorkerRecord("bad", 1, 1, this.clock.millis(), WorkerState.RUNNING, null, new byte[] { 1 }));
        publish("good", "running", 0, counter("requests", 1));
        MergingCollector collector = collector(Map.of());
        assertThat(Exposition.text(collector.collect())).contains("requests_total{worker_id=\"good\"} 1.0");
        collector.collect();
        assertThat(output.getAll().lines().filter((line) -> line.contains("WARN"))).hasSize(1);
        assertThat(output).contains("Skipped the metrics of worker bad");
    }

    @Test
    void servesTheDeathDiagnosticsOfLostWorkersOnlyUntilTheirDataExpires() {
        MetricSnapshot heapUsed = new GaugeSnapshot(new MetricMetadata("jvm_memory_used_bytes"),
                List.of(new GaugeDataPointSnapshot(100, Labels.of("area", "heap", "id", "eden"), null),
                        new GaugeDataPointSnapshot(200, Labels.of("area", "heap", "id", "old"), null),
                        new GaugeDataPointSnapshot(999, Labels.of("area", "nonheap", "id", "code"), null)));
        MetricSnapshot heapMax = new GaugeSnapshot(new MetricMetadata("jvm_memory_max_bytes"),
                List.of(new GaugeDataPointSnapshot(-1, Labels.of("area", "heap", "id", "eden"), null),
                        new GaugeDataPointSnapshot(4096, Labels.of("area", "heap", "id", "old"), null)));
        MetricSnapshot[] last = { gauge("gunicorn_worker_memory_bytes", 5000), gauge("gunicorn_worker_cpu_percent", 97),
                gauge("gunicorn_worker_uptime_seconds", 42), heapUsed, heapMax };
        publish("lost", "running", -20, last);
        publish("alive", "running", 0, last);
        publish("stopped", "stopped", -20, last);
        MergingCollector collector = collector(Map.of());
        String text = Exposition.text(collector.collect());
        assertThat(text.lines().filter((line) -> line.startsWith("gunicorn_master_lost_worker_")))
            .containsExactlyInAnyOrder("gunicorn_master_lost_worker_memory_bytes{worker_id=\"lost\"} 5000.0",
                    "gunicorn_master_lost_worker_heap_used_bytes{worker_id=\"lost\"} 300.0",
                    "gunicorn_master_lost_worker_heap_max_bytes{worker_id=\"lost\"} 4096.0",
                    "gunicorn_master_lost_worker_cpu_percent{worker_id=\"lost\"} 97.0",
                    "gunicorn_master_lost_worker_uptime_seconds{worker_id=\"lost\"} 42.0",
                    "gunicorn_master_lost_worker_last_seen_timestamp_seconds{worker_id=\"lost\"} "
                            + (this.clock.millis() - 20_000) / 1000.0);
        assertThat(text).contains("# HELP gunicorn_master_lost_worker_memory_bytes Memory usage of a lost worker")
            .doesNotContain("requests_in_flight");
        this.store.remove("lost");
        assertThat(Exposition.text(collector.collect())).doesNotContain("gunicorn_master_lost_worker_");
    }

    @Test
    void countsAnUndecodableRecordInNoStateForEveryReader() {
        this.store
            .publish(new WorkerRecord("bad", 1, 1, this.clock.millis(), WorkerState.RUNNING, null, new byte[] { 1 }));
        publish("good", "running", 0, counter("requests", 1));
        WorkerCensus census = new WorkerCensus(this.store, this.codec, "gunicorn", TIMEOUT, this.clock);
        Census taken = census.take();
        assertThat(taken.countByLiveness()).containsEntry(Liveness.ALIVE, 1)
            .containsEntry(Liveness.STOPPED, 0)
            .containsEntry(Liveness.LOST, 0);
        assertThat(taken.undecodable()).extracting(Census.UndecodableWorker::workerId).containsExactly("bad");
        assertThat(Exposition.text(new MergingCollector(census, "gunicorn", Map.of(), MetricSnapshots::of).collect()))
            .contains("gunicorn_master_workers{state=\"alive\"} 1.0");
    }

    private List<String> gaugeLines(GaugeMode mode) {
        return Exposition.text(collector(Map.of("g", mode)).collect())
            .lines()
            .filter((line) -> line.startsWith("g"))
            .filter((line) -> !line.startsWith("gunicorn"))
            .toList();
    }

    private MergingCollector collector(Map<String, GaugeMode> modes) {
        return new MergingCollector(new WorkerCensus(this.store, this.codec, "gunicorn", TIMEOUT, this.clock),
                "gunicorn", modes, MetricSnapshots::of);
    }

    private void publish(String worker, String state, int heartbeatSecondsAgo, MetricSnapshot... snapshots) {
        long heartbeat = this.clock.millis() + heartbeatSecondsAgo * 1000L;
        this.store.publish(new WorkerRecord(worker, 1, 1, heartbeat, WorkerState.ofLabel(state), null,
                this.codec.encode(MetricSnapshots.of(snapshots))));
    }

    static CounterSnapshot counter(String name, double value) {
        return CounterSnapshot.builder()
            .name(name)
            .dataPoint(CounterDataPointSnapshot.builder().value(value).build())
            .build();
    }

    static GaugeSnapshot gauge(String name, double value) {
        return GaugeSnapshot.builder()
            .name(name)
            .dataPoint(GaugeDataPointSnapshot.builder().value(value).build())
            .build();
    }

    static final class FailingStore implements MetricStore {

        @Override
        public String name() {
            return "failing";
        }

        @Override
        public void publish(WorkerRecord record) {
            throw new StoreException("store is down");
        }

        @Override
        public List<WorkerRecord> readAll() {
            throw new StoreException("store is down");
        }

        @Override
        public void close() {
        }

    }

}
