package io.github.workerexporter.storage;

import java.util.List;

import org.jspecify.annotations.Nullable;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;

/**
 * Builds client_java snapshots of any family type from untyped parts: used by the decoder
 * and by the merge, which relabels data points.
 *
 * @author Worker Exporter
 */
public final class Snapshots {

    /**
     * The type of a counter family, as {@link #typeOf} tells it.
     */
    public static final byte COUNTER = SnapshotEncoder.COUNTER;

    /**
     * The type of a gauge family, as {@link #typeOf} tells it.
     */
    public static final byte GAUGE = SnapshotEncoder.GAUGE;

    /**
     * The label of the worker id.
     */
    public static final String WORKER_ID = "worker_id";

    private Snapshots() {
    }

    public static byte typeOf(MetricSnapshot snapshot) {
        if (snapshot instanceof CounterSnapshot) {
            return SnapshotEncoder.COUNTER;
        }
        if (snapshot instanceof GaugeSnapshot) {
            return SnapshotEncoder.GAUGE;
        }
        if (snapshot instanceof HistogramSnapshot histogram) {
            return histogram.isGaugeHistogram() ? SnapshotEncoder.GAUGE_HISTOGRAM : SnapshotEncoder.HISTOGRAM;
        }
        if (snapshot instanceof SummarySnapshot) {
            return SnapshotEncoder.SUMMARY;
        }
        if (snapshot instanceof InfoSnapshot) {
            return SnapshotEncoder.INFO;
        }
        if (snapshot instanceof StateSetSnapshot) {
            return SnapshotEncoder.STATE_SET;
        }
        return SnapshotEncoder.UNKNOWN;
    }

    public static MetricSnapshot family(byte type, MetricMetadata metadata, List<DataPointSnapshot> points) {
        return switch (type) {
            case SnapshotEncoder.COUNTER -> new CounterSnapshot(metadata, cast(points, CounterDataPointSnapshot.class));
            case SnapshotEncoder.GAUGE -> new GaugeSnapshot(metadata, cast(points, GaugeDataPointSnapshot.class));
            case SnapshotEncoder.HISTOGRAM, SnapshotEncoder.GAUGE_HISTOGRAM -> new HistogramSnapshot(
                    type == SnapshotEncoder.GAUGE_HISTOGRAM, metadata, cast(points, HistogramDataPointSnapshot.class));
            case SnapshotEncoder.SUMMARY -> new SummarySnapshot(metadata, cast(points, SummaryDataPointSnapshot.class));
            case SnapshotEncoder.INFO -> new InfoSnapshot(metadata, cast(points, InfoDataPointSnapshot.class));
            case SnapshotEncoder.STATE_SET ->
                new StateSetSnapshot(metadata, cast(points, StateSetDataPointSnapshot.class));
            case SnapshotEncoder.UNKNOWN -> new UnknownSnapshot(metadata, cast(points, UnknownDataPointSnapshot.class));
            default -> throw new IllegalArgumentException("unknown family type " + type);
        };
    }

    /**
     * The same data point with other labels: values, native histogram buckets, created
     * timestamp and the exemplars of counters and histograms kept.
     */
    public static DataPointSnapshot relabel(DataPointSnapshot point, Labels labels) {
        long created = point.hasCreatedTimestamp() ? point.getCreatedTimestampMillis() : 0;
        if (point instanceof CounterDataPointSnapshot counter) {
            return new CounterDataPointSnapshot(counter.getValue(), labels, counter.getExemplar(), created);
        }
        if (point instanceof GaugeDataPointSnapshot gauge) {
            return new GaugeDataPointSnapshot(gauge.getValue(), labels, null);
        }
        if (point instanceof HistogramDataPointSnapshot histogram) {
            double sum = histogram.hasSum() ? histogram.getSum() : Double.NaN;
            if (!histogram.hasNativeHistogramData()) {
                return new HistogramDataPointSnapshot(histogram.getClassicBuckets(), sum, labels,
                        histogram.getExemplars(), created);
            }
            return new HistogramDataPointSnapshot(histogram.getClassicBuckets(), histogram.getNativeSchema(),
                    histogram.getNativeZeroCount(), histogram.getNativeZeroThreshold(),
                    histogram.getNativeBucketsForPositiveValues(), histogram.getNativeBucketsForNegativeValues(), sum,
                    labels, histogram.getExemplars(), created);
        }
        if (point instanceof SummaryDataPointSnapshot summary) {
            return new SummaryDataPointSnapshot(summary.hasCount() ? summary.getCount() : -1,
                    summary.hasSum() ? summary.getSum() : Double.NaN, summary.getQuantiles(), labels, Exemplars.EMPTY,
                    created);
        }
        if (point instanceof StateSetDataPointSnapshot stateSet) {
            String[] names = new String[stateSet.size()];
            boolean[] values = new boolean[stateSet.size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = stateSet.getName(i);
                values[i] = stateSet.isTrue(i);
            }
            return new StateSetDataPointSnapshot(names, values, labels);
        }
        if (point instanceof UnknownDataPointSnapshot unknown) {
            return new UnknownDataPointSnapshot(unknown.getValue(), labels, null);
        }
        return new InfoDataPointSnapshot(labels);
    }

    /**
     * The value of the {@code worker_id} label, or {@code null}: as
     * {@code labels.get(WORKER_ID)}, without converting the name on every call.
     */
    public static @Nullable String workerIdOf(Labels labels) {
        for (int i = 0; i < labels.size(); i++) {
            if (WORKER_ID.equals(labels.getPrometheusName(i))) {
                return labels.getValue(i);
            }
        }
        return null;
    }

    /**
     * The labels without {@code worker_id}.
     */
    public static Labels withoutWorkerId(Labels labels) {
        if (!labels.contains(WORKER_ID)) {
            return labels;
        }
        Labels.Builder builder = Labels.builder();
        for (Label label : labels) {
            if (!label.getName().equals(WORKER_ID)) {
                builder.label(label.getName(), label.getValue());
            }
        }
        return builder.build();
    }

    /**
     * The list itself, each point checked: the snapshot copies it, so no copy here.
     */
    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(List<DataPointSnapshot> points, Class<T> type) {
        for (DataPointSnapshot point : points) {
            type.cast(point);
        }
        return (List<T>) points;
    }

}
