package io.github.workerexporter.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
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
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of {@link RenderedLabelSets}: the label sets a writer keeps from one write to the
 * next, and that the bytes stay client_java's whatever changes between writes.
 *
 * @author Worker Exporter
 */
class RenderedLabelSetsTests {

    private static final String[] ROUTES = { "/a", "/b/{id}", "/quote\"d", "/back\\slash", "/é", "/new\nline" };

    @Test
    void writesWhatClientJavasWritersWriteWhileLabelSetsAreKeptAndChangeBetweenWrites() throws IOException {
        Random random = new Random(15);
        RenderedLabelSets textSets = new RenderedLabelSets();
        RenderedLabelSets openMetricsSets = new RenderedLabelSets();
        ExpositionFormatWriter text = new PrometheusTextExposition(true, true, textSets);
        ExpositionFormatWriter openMetrics = new OpenMetricsExposition(true, false, openMetricsSets);
        ExpositionFormatWriter textReference = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(true)
            .build();
        ExpositionFormatWriter openMetricsReference = OpenMetricsTextFormatWriter.builder()
            .setCreatedTimestampsEnabled(true)
            .build();
        Fleet fleet = new Fleet(random);
        for (int write = 0; write < 300; write++) {
            fleet.change(random);
            MetricSnapshots snapshots = fleet.snapshots();
            EscapingScheme scheme = (random.nextInt(10) == 0) ? EscapingScheme.ALLOW_UTF8
                    : EscapingScheme.UNDERSCORE_ESCAPING;
            assertThat(written(text, snapshots, scheme)).as("text, write %d", write)
                .isEqualTo(written(textReference, snapshots, scheme));
            assertThat(written(openMetrics, snapshots, scheme)).as("OpenMetrics, write %d", write)
                .isEqualTo(written(openMetricsReference, snapshots, scheme));
        }
        assertThat(textSets.size()).isPositive();
        assertThat(openMetricsSets.size()).isPositive();
    }

    @Test
    void keepsAFamilyWhoseLabelSetsAreTheSameObjectsAndRendersItAgainWhenOneChanges() throws IOException {
        RenderedLabelSets sets = new RenderedLabelSets();
        PrometheusTextExposition writer = new PrometheusTextExposition(false, true, sets);
        List<Labels> labels = new ArrayList<>(List.of(Labels.of("route", "/a", "worker_id", "w1"),
                Labels.of("route", "/a", "worker_id", "w2"), Labels.of("route", "/b", "worker_id", "w1")));
        write(writer, gauges(labels));
        RenderedLabelSets.Family first = sets.get("g", EscapingScheme.UNDERSCORE_ESCAPING);
        assertThat(first).isNotNull();
        assertThat(first.notKept()).isFalse();
        write(writer, gauges(labels));
        assertThat(sets.get("g", EscapingScheme.UNDERSCORE_ESCAPING)).isSameAs(first);
        labels.add(0, Labels.of("route", "/", "worker_id", "w0"));
        write(writer, gauges(labels));
        RenderedLabelSets.Family second = sets.get("g", EscapingScheme.UNDERSCORE_ESCAPING);
        assertThat(second).isNotSameAs(first);
        assertThat(second.notKept()).isFalse();
        write(writer, gauges(labels));
        assertThat(sets.get("g", EscapingScheme.UNDERSCORE_ESCAPING)).isSameAs(second);
        assertThat(sets.get("g", EscapingScheme.ALLOW_UTF8)).isNull();
    }

    @Test
    void stopsKeepingAFamilyWhoseLabelSetsAreNewObjectsAtEveryWriteAndTriesAgainLater() throws IOException {
        RenderedLabelSets sets = new RenderedLabelSets();
        PrometheusTextExposition writer = new PrometheusTextExposition(false, true, sets);
        write(writer, gauges(newLabels()));
        write(writer, gauges(newLabels()));
        assertThat(sets.get("g", EscapingScheme.UNDERSCORE_ESCAPING).notKept()).isFalse();
        write(writer, gauges(newLabels()));
        RenderedLabelSets.Family notKept = sets.get("g", EscapingScheme.UNDERSCORE_ESCAPING);
        assertThat(notKept.notKept()).isTrue();
        for (int i = 0; i < RenderedLabelSets.RETRY_AFTER - 1; i++) {
            write(writer, gauges(newLabels()));
            assertThat(sets.get("g", EscapingScheme.UNDERSCORE_ESCAPING)).isSameAs(notKept);
        }
        write(writer, gauges(newLabels()));
        assertThat(sets.get("g", EscapingScheme.UNDERSCORE_ESCAPING).notKept()).isFalse();
    }

    private static List<Labels> newLabels() {
        return List.of(Labels.of("route", "/a", "worker_id", "w1"), Labels.of("route", "/b", "worker_id", "w1"));
    }

    private static MetricSnapshots gauges(List<Labels> labels) {
        List<GaugeDataPointSnapshot> points = new ArrayList<>();
        labels.forEach((set) -> points.add(new GaugeDataPointSnapshot(1, set, null)));
        return MetricSnapshots.of(new GaugeSnapshot(new MetricMetadata("g"), points));
    }

    private static void write(ExpositionFormatWriter writer, MetricSnapshots snapshots) throws IOException {
        writer.write(new ByteArrayOutputStream(), snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
    }

    private static String written(ExpositionFormatWriter writer, MetricSnapshots snapshots, EscapingScheme scheme)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, snapshots, scheme);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Families of label sets that live from one write to the next, as a merged view's do,
     * changed a little before each write.
     */
    private static final class Fleet {

        private final List<List<Labels>> families = new ArrayList<>();

        private final List<String> names = new ArrayList<>();

        Fleet(Random random) {
            for (int family = 0; family < 6; family++) {
                addFamily(random, family);
            }
        }

        private void addFamily(Random random, int number) {
            List<Labels> labels = new ArrayList<>();
            int series = random.nextInt(12);
            for (int i = 0; i < series; i++) {
                labels.add(labels(random));
            }
            this.families.add(labels);
            this.names.add("family_" + number + (random.nextBoolean() ? "" : ".dotted"));
        }

        private static Labels labels(Random random) {
            String route = ROUTES[random.nextInt(ROUTES.length)];
            String worker = "w" + random.nextInt(40);
            return switch (random.nextInt(4)) {
                case 0 -> Labels.of("worker_id", worker);
                case 1 -> Labels.of("http.route", route, "worker_id", worker);
                case 2 -> Labels.EMPTY;
                default -> Labels.of("method", "GET", "route", route, "worker_id", worker);
            };
        }

        void change(Random random) {
            int what = random.nextInt(8);
            List<Labels> family = this.families.get(random.nextInt(this.families.size()));
            int at = family.isEmpty() ? 0 : random.nextInt(family.size());
            switch (what) {
                case 0 -> family.add(random.nextInt(family.size() + 1), labels(random));
                case 1 -> {
                    if (!family.isEmpty()) {
                        family.remove(at);
                    }
                }
                case 2 -> {
                    if (!family.isEmpty()) {
                        // An equal label set, another object.
                        Labels old = family.get(at);
                        String[] names = new String[old.size()];
                        String[] values = new String[old.size()];
                        for (int i = 0; i < old.size(); i++) {
                            names[i] = old.getName(i);
                            values[i] = old.getValue(i);
                        }
                        family.set(at, Labels.of(names, values));
                    }
                }
                case 3 -> {
                    if (!family.isEmpty()) {
                        family.set(at, labels(random));
                    }
                }
                case 4 -> addFamily(random, this.names.size());
                default -> {
                    // The same label sets as the last write.
                }
            }
        }

        MetricSnapshots snapshots() {
            MetricSnapshots.Builder builder = MetricSnapshots.builder();
            for (int i = 0; i < this.families.size(); i++) {
                List<Labels> labels = unique(this.families.get(i));
                if (labels.isEmpty()) {
                    continue;
                }
                builder.metricSnapshot(family(i, labels));
            }
            return builder.build();
        }

        private MetricSnapshot family(int index, List<Labels> labels) {
            MetricMetadata metadata = new MetricMetadata(this.names.get(index), "Family " + index);
            return switch (index % 4) {
                case 0 -> new CounterSnapshot(metadata,
                        labels.stream().map((set) -> new CounterDataPointSnapshot(3, set, null, 1000L)).toList());
                case 1 -> new GaugeSnapshot(metadata,
                        labels.stream().map((set) -> new GaugeDataPointSnapshot(2.5, set, null)).toList());
                case 2 -> new HistogramSnapshot(metadata,
                        labels.stream()
                            .map((set) -> new HistogramDataPointSnapshot(ClassicHistogramBuckets
                                .of(new double[] { 0.1, Double.POSITIVE_INFINITY }, new long[] { 1, 2 }), 0.5, set,
                                    Exemplars.EMPTY, 1000L))
                            .toList());
                default -> new SummarySnapshot(metadata, labels.stream()
                    .map((set) -> new SummaryDataPointSnapshot(3, 1.5, Quantiles.EMPTY, set, Exemplars.EMPTY, 1000L))
                    .toList());
            };
        }

        /**
         * The label sets without repeats (a family cannot have two equal ones), first
         * kept.
         */
        private static List<Labels> unique(List<Labels> labels) {
            List<Labels> unique = new ArrayList<>();
            for (Labels set : labels) {
                if (!unique.contains(set)) {
                    unique.add(set);
                }
            }
            return unique;
        }

    }

}
