package io.github.workerexporter.storage;

import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

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

    /**
     * client_java's constructors that keep a list of data points as given, without the
     * copy, sort and check for repeated label sets of the public ones (its escaping uses
     * them for data points it knows sorted and unique), by type; empty when this version
     * of client_java has none or does not let them be used.
     */
    private static final Map<Presorted, Constructor<?>> PRESORTED = presorted();

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
     * A family of data points the caller already sorted in the order of
     * {@link Labels#compareTo} and knows unique (no two equal label sets): the same
     * snapshot as {@link #family}, built without client_java's copy, sort and check of
     * the data points, which cost a comparison of two label sets per data point (a
     * quarter of the CPU of a 1,024-worker merge). Falls back to {@link #family} when
     * client_java's constructors that keep the data points as given cannot be used.
     * @param type the family's type
     * @param metadata its metadata
     * @param points its data points, sorted and unique; not modified afterwards
     * @return the snapshot
     */
    public static MetricSnapshot sortedFamily(byte type, MetricMetadata metadata, List<DataPointSnapshot> points) {
        Presorted kind = Presorted.of(type);
        Constructor<?> constructor = (kind != null) ? PRESORTED.get(kind) : null;
        if (constructor == null) {
            return family(type, metadata, points);
        }
        List<DataPointSnapshot> kept = Collections.unmodifiableList(points);
        try {
            Object snapshot = (kind == Presorted.HISTOGRAM)
                    ? constructor.newInstance(type == SnapshotEncoder.GAUGE_HISTOGRAM, metadata, kept, true)
                    : constructor.newInstance(metadata, kept, true);
            return (MetricSnapshot) snapshot;
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            return family(type, metadata, points);
        }
    }

    /**
     * The snapshot classes whose non-public constructors {@link #sortedFamily} uses, for
     * a native image's reflection hints.
     * @return the classes
     */
    public static List<Class<?>> presortedTypes() {
        return Arrays.stream(Presorted.values()).<Class<?>>map((kind) -> kind.type).toList();
    }

    /**
     * Whether {@link #sortedFamily} skips client_java's sort for a family type.
     * @param type the type
     * @return true when it does, false when it falls back to {@link #family}
     */
    static boolean skipsSort(byte type) {
        Presorted kind = Presorted.of(type);
        return kind != null && PRESORTED.containsKey(kind);
    }

    private static Map<Presorted, Constructor<?>> presorted() {
        Map<Presorted, Constructor<?>> constructors = new EnumMap<>(Presorted.class);
        for (Presorted kind : Presorted.values()) {
            try {
                Constructor<?> constructor = (kind == Presorted.HISTOGRAM)
                        ? kind.type.getDeclaredConstructor(boolean.class, MetricMetadata.class, Collection.class,
                                boolean.class)
                        : kind.type.getDeclaredConstructor(MetricMetadata.class, Collection.class, boolean.class);
                constructor.setAccessible(true);
                constructors.put(kind, constructor);
            }
            catch (ReflectiveOperationException | RuntimeException ex) {
                // Another client_java, a module that is not open, a native image without
                // the hint: the public constructors sort.
            }
        }
        return constructors;
    }

    /**
     * The family types whose snapshot class has a constructor that keeps the data points
     * as given.
     */
    private enum Presorted {

        COUNTER(CounterSnapshot.class), GAUGE(GaugeSnapshot.class), HISTOGRAM(HistogramSnapshot.class),
        SUMMARY(SummarySnapshot.class), UNKNOWN(UnknownSnapshot.class);

        private final Class<?> type;

        Presorted(Class<?> type) {
            this.type = type;
        }

        static @Nullable Presorted of(byte type) {
            return switch (type) {
                case SnapshotEncoder.COUNTER -> COUNTER;
                case SnapshotEncoder.GAUGE -> GAUGE;
                case SnapshotEncoder.HISTOGRAM, SnapshotEncoder.GAUGE_HISTOGRAM -> HISTOGRAM;
                case SnapshotEncoder.SUMMARY -> SUMMARY;
                case SnapshotEncoder.UNKNOWN -> UNKNOWN;
                default -> null;
            };
        }

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
