package io.github.workerexporter.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SnapshotsTests {

    @Test
    void findsTheWorkerIdAsLabelsGetDoes() {
        List<Labels> sets = List.of(Labels.EMPTY, Labels.of("endpoint", "/a"), Labels.of("worker_id", "w1"),
                Labels.of("endpoint", "/a", "worker_id", "w2", "zone", "z"), Labels.of("worker.id", "dotted"),
                Labels.of("worker_idx", "no"));
        for (Labels labels : sets) {
            assertThat(Snapshots.workerIdOf(labels)).as("%s", labels).isEqualTo(labels.get(Snapshots.WORKER_ID));
        }
        assertThat(Snapshots.workerIdOf(Labels.of("worker.id", "dotted"))).isEqualTo("dotted");
    }

    private static final byte[] MERGED_TYPES = { SnapshotEncoder.COUNTER, SnapshotEncoder.GAUGE,
            SnapshotEncoder.HISTOGRAM, SnapshotEncoder.GAUGE_HISTOGRAM, SnapshotEncoder.SUMMARY,
            SnapshotEncoder.UNKNOWN };

    @Test
    void sortedFamilySkipsClientJavasSortForEveryTypeAWorkersSeriesCanHave() {
        // Fails when a client_java upgrade removes the constructors: the merge would then
        // sort each family twice again (see Snapshots.sortedFamily).
        for (byte type : MERGED_TYPES) {
            assertThat(Snapshots.skipsSort(type)).as("type %s", type).isTrue();
        }
    }

    @Test
    void sortedFamilyKeepsTheDataPointsAsGivenWhereThePublicConstructorSortsThem() {
        List<DataPointSnapshot> reversed = List.of(point(SnapshotEncoder.GAUGE, Labels.of("worker_id", "b"), 1),
                point(SnapshotEncoder.GAUGE, Labels.of("worker_id", "a"), 2));
        MetricMetadata metadata = new MetricMetadata("g");
        assertThat(points(Snapshots.sortedFamily(SnapshotEncoder.GAUGE, metadata, reversed)))
            .containsExactlyElementsOf(reversed);
        assertThat(points(Snapshots.family(SnapshotEncoder.GAUGE, metadata, reversed))).containsExactly(reversed.get(1),
                reversed.get(0));
    }

    @Test
    void sortedFamilyOfSortedUniqueDataPointsIsTheSnapshotThePublicConstructorBuilds() throws IOException {
        Random random = new Random(15);
        for (int round = 0; round < 200; round++) {
            byte type = MERGED_TYPES[random.nextInt(MERGED_TYPES.length)];
            List<DataPointSnapshot> points = new ArrayList<>();
            int workers = 1 + random.nextInt(6);
            for (int worker = 0; worker < workers; worker++) {
                for (String route : List.of("/a", "/b\\\"q", "/é")) {
                    if (random.nextBoolean()) {
                        points.add(point(type, Labels.of("route", route, "worker_id", "w" + worker),
                                random.nextInt(1000) / 8.0));
                    }
                }
            }
            if (random.nextBoolean()) {
                points.add(point(type, Labels.EMPTY, 3));
            }
            MetricMetadata metadata = new MetricMetadata("family_" + round, "Help \\ of " + round, null);
            MetricSnapshot expected = Snapshots.family(type, metadata, points);
            List<DataPointSnapshot> sorted = new ArrayList<>(expected.getDataPoints());
            MetricSnapshot snapshot = Snapshots.sortedFamily(type, metadata, sorted);
            assertThat(snapshot).isExactlyInstanceOf(expected.getClass());
            assertThat(Snapshots.typeOf(snapshot)).isEqualTo(type);
            assertThat(snapshot.getMetadata()).isSameAs(metadata);
            assertThat(points(snapshot)).containsExactlyElementsOf(points(expected));
            assertThat(text(snapshot)).isEqualTo(text(expected));
            assertThatExceptionOfType(UnsupportedOperationException.class)
                .isThrownBy(() -> snapshot.getDataPoints().clear());
        }
    }

    private static List<DataPointSnapshot> points(MetricSnapshot snapshot) {
        return new ArrayList<>(snapshot.getDataPoints());
    }

    private static String text(MetricSnapshot snapshot) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, MetricSnapshots.of(snapshot));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static DataPointSnapshot point(byte type, Labels labels, double value) {
        return switch (type) {
            case SnapshotEncoder.COUNTER -> new CounterDataPointSnapshot(value, labels, null, 0);
            case SnapshotEncoder.GAUGE -> new GaugeDataPointSnapshot(value, labels, null);
            case SnapshotEncoder.HISTOGRAM, SnapshotEncoder.GAUGE_HISTOGRAM -> new HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(new double[] { 0.5, Double.POSITIVE_INFINITY }, new long[] { 1, 2 }),
                    value, labels, Exemplars.EMPTY, 0);
            case SnapshotEncoder.SUMMARY ->
                new SummaryDataPointSnapshot(3, value, Quantiles.EMPTY, labels, Exemplars.EMPTY, 0);
            default -> new UnknownDataPointSnapshot(value, labels, null);
        };
    }

}
