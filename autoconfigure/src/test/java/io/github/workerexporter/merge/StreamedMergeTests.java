package io.github.workerexporter.merge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.InMemoryMetricStore;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.Snapshots;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * The streamed merge of {@link FamilyMerge} against the merge it replaced (kept here as
 * {@link ReferenceMerge}, which built an entry and a relabelled copy of every worker
 * series and looked repeats up in a map): a large fleet with every gauge mode, the
 * restart counter, histograms, summaries, workers alive, stopped and lost, series that
 * carry their own {@code worker_id} (also another worker's, so they repeat) gives the
 * same exposition byte for byte, on the first scrape and on the next, whose label sets
 * come from the decode cache.
 */
class StreamedMergeTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final String PREFIX = "gunicorn";

    private static final Map<String, GaugeMode> MODES = Map.of("g_all", GaugeMode.ALL, "g_sum", GaugeMode.SUM,
            "g_livesum", GaugeMode.LIVESUM, "g_max", GaugeMode.MAX, "g_min", GaugeMode.MIN, "g_recent",
            GaugeMode.MOSTRECENT);

    private final MutableClock clock = new MutableClock();

    private final InMemoryMetricStore store = new InMemoryMetricStore();

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    private final WorkerCensus census = new WorkerCensus(this.store, this.codec, PREFIX, TIMEOUT, this.clock);

    @Test
    void mergesALargeFleetExactlyAsTheReferenceMerge() {
        Random random = new Random(15);
        publishFleet(random, 120);
        MergingCollector collector = new MergingCollector(this.census, PREFIX, MODES, MetricSnapshots::of);
        String merged = Exposition.text(collector.collect());
        assertThat(merged).isEqualTo(Exposition.text(referenceMerge()));
        assertThat(merged).contains("g_sum{endpoint=\"/e0\"}").contains("w7").contains("_bucket{");
        publishFleet(random, 120);
        assertThat(Exposition.text(collector.collect())).isEqualTo(Exposition.text(referenceMerge()))
            .isNotEqualTo(merged);
    }

    @Test
    void mergesAFleetThatLabelsItsOwnSeriesExactlyAsTheReferenceMergeWhileItChanges() {
        Random random = new Random(15);
        MergingCollector collector = new MergingCollector(this.census, PREFIX, MODES, MetricSnapshots::of);
        publishFleet(random, 0, 60, true);
        String first = Exposition.text(collector.collect());
        assertThat(first).isEqualTo(Exposition.text(referenceMerge())).contains("worker_id=\"w59\"");
        // The same label sets: the orders of the last scrape are reused.
        publishFleet(random, 0, 60, true);
        assertThat(Exposition.text(collector.collect())).isEqualTo(Exposition.text(referenceMerge()))
            .isNotEqualTo(first);
        // A worker joins, one leaves, one serves another set of series.
        publishFleet(random, 60, 61, true);
        this.store.remove("w17");
        publish("w30", WorkerState.RUNNING, 0, counter("requests", random, "w30", 25));
        String changed = Exposition.text(collector.collect());
        assertThat(changed).isEqualTo(Exposition.text(referenceMerge()))
            .contains("worker_id=\"w60\"")
            .doesNotContain("worker_id=\"w17\"");
        assertThat(Exposition.text(collector.collect())).isEqualTo(changed);
    }

    @Test
    void keepsTheFirstOfSeriesThatOnlyRepeatOnceGivenTheirWorkerId() {
        publish("a", WorkerState.RUNNING, 0,
                new CounterSnapshot(new MetricMetadata("r"), List.of(
                        new CounterDataPointSnapshot(1, Labels.of("endpoint", "/x"), null, 0),
                        new CounterDataPointSnapshot(2, Labels.of("endpoint", "/x", "worker_id", "a"), null, 0))));
        MergingCollector collector = new MergingCollector(this.census, PREFIX, Map.of(), MetricSnapshots::of);
        String merged = Exposition.text(collector.collect());
        assertThat(merged).isEqualTo(Exposition.text(referenceMerge()));
        assertThat(merged).contains("r_total{endpoint=\"/x\",worker_id=\"a\"} 1.0").doesNotContain("} 2.0");
    }

    @Test
    void ordersLabelSetsAsLabelsDo() {
        Random random = new Random(15);
        List<Labels> labels = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            List<String> pairs = new ArrayList<>();
            for (String name : List.of("a", "b", "worker_id", "zone")) {
                if (random.nextBoolean()) {
                    pairs.add(name);
                    pairs.add("v" + random.nextInt(3));
                }
            }
            labels.add(Labels.of(pairs.toArray(String[]::new)));
        }
        for (Labels x : labels) {
            for (Labels y : labels) {
                assertThat(Integer.signum(SeriesOrder.compareLabels(x, y))).as("%s against %s", x, y)
                    .isEqualTo(Integer.signum(x.compareTo(y)));
            }
        }
    }

    private void publishFleet(Random random, int workers) {
        publishFleet(random, 0, workers, false);
    }

    private void publishFleet(Random random, int from, int to, boolean ownIds) {
        for (int w = from; w < to; w++) {
            WorkerState state = (w % 17 == 3) ? WorkerState.STOPPED : WorkerState.RUNNING;
            int heartbeatSecondsAgo = (w % 13 == 5) ? -60 : -random.nextInt(10);
            List<MetricSnapshot> families = new ArrayList<>();
            // Every other worker labels its series itself; worker 9 claims worker 8's id.
            String ownId = ownIds ? "w" + w : (w % 2 == 0) ? null : ((w == 9) ? "w8" : "w" + w);
            families.add(counter("requests", random, ownId, 20));
            for (String gauge : List.of("g_all", "g_live", "g_sum", "g_livesum", "g_max", "g_min", "g_recent")) {
                families.add(gauge(gauge, random, ownId, 6));
            }
            families.add(histogram(random, ownId, 10));
            families.add(summary(random, ownId, 3));
            families.add(new CounterSnapshot(new MetricMetadata(PREFIX + "_master_worker_restart"),
                    List.of(new CounterDataPointSnapshot(random.nextInt(4), Labels.of("reason", "crash"), null, 0),
                            new CounterDataPointSnapshot(random.nextInt(4), Labels.of("reason", "oom"), null, 0))));
            publish("w" + w, state, heartbeatSecondsAgo, families.toArray(MetricSnapshot[]::new));
        }
    }

    private void publish(String worker, WorkerState state, int heartbeatSecondsAgo, MetricSnapshot... snapshots) {
        long heartbeat = this.clock.millis() + heartbeatSecondsAgo * 1000L;
        this.store.publish(new WorkerRecord(worker, 1, 1, heartbeat, state, null,
                this.codec.encode(MetricSnapshots.of(snapshots))));
    }

    private static Labels labels(@Nullable String workerId, int series) {
        return (workerId != null) ? Labels.of("endpoint", "/e" + series, "worker_id", workerId)
                : Labels.of("endpoint", "/e" + series);
    }

    private static CounterSnapshot counter(String name, Random random, @Nullable String workerId, int series) {
        List<CounterDataPointSnapshot> points = new ArrayList<>();
        for (int i = 0; i < series; i++) {
            points.add(new CounterDataPointSnapshot(random.nextInt(1000), labels(workerId, i), null, 1000 + i));
        }
        return new CounterSnapshot(new MetricMetadata(name, "Requests"), points);
    }

    private static GaugeSnapshot gauge(String name, Random random, @Nullable String workerId, int series) {
        List<GaugeDataPointSnapshot> points = new ArrayList<>();
        for (int i = 0; i < series; i++) {
            points.add(new GaugeDataPointSnapshot(random.nextDouble() * 100, labels(workerId, i), null));
        }
        return new GaugeSnapshot(new MetricMetadata(name, "A gauge"), points);
    }

    private static HistogramSnapshot histogram(Random random, @Nullable String workerId, int series) {
        List<HistogramDataPointSnapshot> points = new ArrayList<>();
        for (int i = 0; i < series; i++) {
            long[] counts = { random.nextInt(5), random.nextInt(5), random.nextInt(5) };
            points.add(new HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(new double[] { 0.1, 1, Double.POSITIVE_INFINITY }, counts),
                    random.nextDouble(), labels(workerId, i), Exemplars.EMPTY, 0));
        }
        return new HistogramSnapshot(new MetricMetadata("duration_seconds", "Durations"), points);
    }

    private static SummarySnapshot summary(Random random, @Nullable String workerId, int series) {
        List<SummaryDataPointSnapshot> points = new ArrayList<>();
        for (int i = 0; i < series; i++) {
            points.add(new SummaryDataPointSnapshot(random.nextInt(9), random.nextDouble(), Quantiles.EMPTY,
                    labels(workerId, i), Exemplars.EMPTY, 0));
        }
        return new SummarySnapshot(new MetricMetadata("latency", "Latency"), points);
    }

    /**
     * The worker families of the census merged by {@link ReferenceMerge}, followed by the
     * collector's own families, which the streamed merge did not change.
     */
    private MetricSnapshots referenceMerge() {
        Census taken = this.census.take();
        Map<String, ReferenceMerge> families = new LinkedHashMap<>();
        for (KnownWorker worker : taken.workers()) {
            boolean alive = worker.liveness() == Liveness.ALIVE;
            for (MetricSnapshot snapshot : worker.metrics()) {
                String name = snapshot.getMetadata().getPrometheusName();
                GaugeMode mode = MODES.getOrDefault(name, GaugeMode.LIVEALL);
                families
                    .computeIfAbsent(name,
                            (key) -> new ReferenceMerge(snapshot, mode, key.equals(PREFIX + "_master_worker_restart")))
                    .add(worker.record(), alive, snapshot);
            }
        }
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        families.values().forEach((family) -> result.metricSnapshot(family.build()));
        MetricSnapshots merged = new MergingCollector(this.census, PREFIX, MODES, MetricSnapshots::of).collect();
        merged.stream()
            .filter((snapshot) -> snapshot.getMetadata().getPrometheusName().startsWith(PREFIX + "_master_")
                    && !families.containsKey(snapshot.getMetadata().getPrometheusName()))
            .forEach(result::metricSnapshot);
        return result.build();
    }

    /**
     * The merge of one family as it was before it was streamed, unchanged.
     */
    private static final class ReferenceMerge {

        private final byte type;

        private final @Nullable GaugeMode mode;

        private final boolean sumWorkers;

        private MetricMetadata metadata;

        private long newest = Long.MIN_VALUE;

        private final List<Entry> entries = new ArrayList<>();

        ReferenceMerge(MetricSnapshot first, @Nullable GaugeMode mode, boolean sumWorkers) {
            this.type = Snapshots.typeOf(first);
            this.metadata = first.getMetadata();
            this.mode = (this.type == Snapshots.GAUGE) ? mode : null;
            this.sumWorkers = sumWorkers && this.type == Snapshots.COUNTER;
        }

        void add(WorkerRecord record, boolean alive, MetricSnapshot snapshot) {
            if (!alive && (this.mode == GaugeMode.LIVEALL || this.mode == GaugeMode.LIVESUM)) {
                return;
            }
            if (record.heartbeatMillis() > this.newest) {
                this.newest = record.heartbeatMillis();
                this.metadata = snapshot.getMetadata();
            }
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                Labels labels = point.getLabels();
                if (!labels.contains(Snapshots.WORKER_ID)) {
                    labels = labels.add(Snapshots.WORKER_ID, record.workerId());
                }
                this.entries.add(new Entry(labels, point, record.heartbeatMillis()));
            }
        }

        MetricSnapshot build() {
            boolean aggregate = this.sumWorkers
                    || (this.mode != null && this.mode != GaugeMode.ALL && this.mode != GaugeMode.LIVEALL);
            Map<Labels, DataPointSnapshot> points = new LinkedHashMap<>();
            Map<Labels, Long> heartbeats = new LinkedHashMap<>();
            for (Entry entry : this.entries) {
                if (!aggregate) {
                    points.putIfAbsent(entry.labels(), Snapshots.relabel(entry.point(), entry.labels()));
                    continue;
                }
                Labels labels = Snapshots.withoutWorkerId(entry.labels());
                DataPointSnapshot previous = points.get(labels);
                double value = value(entry.point());
                if (previous != null) {
                    value = combine(value(previous), value, entry.heartbeat() > heartbeats.get(labels));
                }
                heartbeats.merge(labels, entry.heartbeat(), Math::max);
                points.put(labels, this.sumWorkers ? new CounterDataPointSnapshot(value, labels, null, 0)
                        : new GaugeDataPointSnapshot(value, labels, null));
            }
            return Snapshots.family(this.type, this.metadata, new ArrayList<>(points.values()));
        }

        private double combine(double current, double next, boolean nextIsNewer) {
            if (this.mode == GaugeMode.MAX) {
                return Math.max(current, next);
            }
            if (this.mode == GaugeMode.MIN) {
                return Math.min(current, next);
            }
            if (this.mode == GaugeMode.MOSTRECENT) {
                return nextIsNewer ? next : current;
            }
            return current + next;
        }

        private static double value(DataPointSnapshot point) {
            return (point instanceof CounterDataPointSnapshot counter) ? counter.getValue()
                    : ((GaugeDataPointSnapshot) point).getValue();
        }

        private record Entry(Labels labels, DataPointSnapshot point, long heartbeat) {
        }

    }

}
