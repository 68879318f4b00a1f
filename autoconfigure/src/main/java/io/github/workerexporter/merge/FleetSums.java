package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.Snapshots;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;

/**
 * The fleet sums of the cumulative families (counters, histograms, summaries) of several
 * workers' metrics: {@code worker_id} dropped, the series whose other labels are equal
 * added. A histogram adds its classic buckets by upper bound, its native buckets at the
 * coarsest schema, its sum and count ({@link HistogramSum}); a summary adds its count and
 * sum (quantiles cannot be added and are left out). Exemplars survive, bounded: each
 * bucket keeps the newest of the workers' exemplars that fall in it, a counter the newest
 * of its workers'. The master families ({@code <prefix>_master_*}) and every other type
 * are left out; a family whose type differs from the first seen is skipped.
 *
 * @author Worker Exporter
 */
final class FleetSums {

    private final String prefix;

    private final Map<String, Family> families = new LinkedHashMap<>();

    /**
     * Create empty sums.
     * @param prefix the metric prefix of the master families, which are left out
     */
    FleetSums(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Whether a family is one that the fleet view sums.
     * @param snapshot the family
     * @param prefix the metric prefix
     * @return whether it is a counter, histogram or summary and not a master family
     */
    static boolean summed(MetricSnapshot snapshot, String prefix) {
        boolean cumulative = snapshot instanceof CounterSnapshot
                || (snapshot instanceof HistogramSnapshot histogram && !histogram.isGaugeHistogram())
                || snapshot instanceof SummarySnapshot;
        return cumulative && !snapshot.getMetadata().getPrometheusName().startsWith(prefix + "_master_");
    }

    /**
     * One family of any summable type (a gauge histogram too) with {@code worker_id}
     * dropped and the series whose other labels are equal added.
     * @param family the family
     * @return the sums
     */
    static MetricSnapshot sum(MetricSnapshot family) {
        Family sums = new Family(family);
        sums.add(family);
        return sums.build();
    }

    /**
     * Add the summed families of one worker's (or the remainder's) metrics.
     * @param metrics the metrics
     * @return these sums
     */
    FleetSums add(MetricSnapshots metrics) {
        for (MetricSnapshot snapshot : metrics) {
            if (!summed(snapshot, this.prefix)) {
                continue;
            }
            String name = snapshot.getMetadata().getPrometheusName();
            Family family = this.families.computeIfAbsent(name, (key) -> new Family(snapshot));
            if (Snapshots.typeOf(snapshot) != family.type) {
                continue;
            }
            family.add(snapshot);
        }
        return this;
    }

    /**
     * The names of the families summed so far.
     * @return the Prometheus names
     */
    Set<String> names() {
        return this.families.keySet();
    }

    /**
     * The sums, one family per name, one series per label set.
     * @return the snapshots
     */
    MetricSnapshots build() {
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        this.families.values().forEach((family) -> result.metricSnapshot(family.build()));
        return result.build();
    }

    private static final class Family {

        private final byte type;

        private final MetricMetadata metadata;

        private final boolean summary;

        private final Map<Labels, Series> series = new LinkedHashMap<>();

        Family(MetricSnapshot first) {
            this.type = Snapshots.typeOf(first);
            this.metadata = first.getMetadata();
            this.summary = first instanceof SummarySnapshot;
        }

        void add(MetricSnapshot snapshot) {
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                this.series.computeIfAbsent(Snapshots.withoutWorkerId(point.getLabels()), (labels) -> new Series())
                    .add(point);
            }
        }

        MetricSnapshot build() {
            List<DataPointSnapshot> points = new ArrayList<>(this.series.size());
            this.series.forEach((labels, series) -> points.add(series.build(this.type, this.summary, labels)));
            return Snapshots.family(this.type, this.metadata, points);
        }

    }

    private static final class Series {

        private double value;

        private @Nullable Exemplar exemplar;

        private double sum;

        private boolean hasSum = true;

        private long count;

        private @Nullable HistogramSum histogram;

        void add(DataPointSnapshot point) {
            if (point instanceof CounterDataPointSnapshot counter) {
                this.value += counter.getValue();
                Exemplar next = counter.getExemplar();
                if (next != null
                        && (this.exemplar == null || next.getTimestampMillis() > this.exemplar.getTimestampMillis())) {
                    this.exemplar = next;
                }
            }
            else if (point instanceof HistogramDataPointSnapshot histogram) {
                if (this.histogram == null) {
                    this.histogram = new HistogramSum();
                }
                this.histogram.add(histogram);
            }
            else if (point instanceof SummaryDataPointSnapshot summary) {
                this.count += summary.hasCount() ? summary.getCount() : 0;
                this.hasSum &= summary.hasSum();
                this.sum += summary.hasSum() ? summary.getSum() : 0;
            }
        }

        DataPointSnapshot build(byte type, boolean summary, Labels labels) {
            if (type == Snapshots.COUNTER) {
                return new CounterDataPointSnapshot(this.value, labels, this.exemplar, 0);
            }
            if (summary) {
                return new SummaryDataPointSnapshot(this.count, this.hasSum ? this.sum : Double.NaN, Quantiles.EMPTY,
                        labels, Exemplars.EMPTY, 0);
            }
            // A series is made for its first data point: a histogram's made this sum.
            return Objects.requireNonNull(this.histogram).build(labels);
        }

    }

}
