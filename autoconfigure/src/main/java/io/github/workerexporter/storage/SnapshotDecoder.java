package io.github.workerexporter.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;

/**
 * Reads the body written by {@link SnapshotEncoder}. Every length is checked against the
 * bytes left, so corrupt input fails fast instead of allocating. Label sets and family
 * metadata come from a {@link SnapshotDecodeCache} when their bytes were decoded before,
 * so decoding a worker's record again allocates its data points only; the names and
 * values of a new label set are shared with equal ones decoded before.
 *
 * @author Worker Exporter
 */
final class SnapshotDecoder {

    private final ByteBuffer in;

    private final SnapshotDecodeCache labels;

    private final SnapshotDecodeCache metadata;

    private final SnapshotDecodeCache strings;

    private double[] bounds = new double[0];

    private long[] counts = new long[0];

    private int[] indexes = new int[0];

    private long[] nativeCounts = new long[0];

    private final boolean exemplars;

    private final boolean natives;

    SnapshotDecoder(ByteBuffer in, SnapshotDecodeCache labels, SnapshotDecodeCache metadata,
            SnapshotDecodeCache strings, boolean exemplars, boolean natives) {
        this.in = in;
        this.exemplars = exemplars;
        this.natives = natives;
        this.labels = labels;
        this.metadata = metadata;
        this.strings = strings;
    }

    MetricSnapshots read() {
        int families = length();
        List<MetricSnapshot> snapshots = new ArrayList<>(families);
        for (int i = 0; i < families; i++) {
            snapshots.add(readFamily());
        }
        return new MetricSnapshots(snapshots);
    }

    private MetricSnapshot readFamily() {
        byte type = this.in.get();
        MetricMetadata metadata = metadata();
        int count = length();
        List<DataPointSnapshot> points = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            points.add(readPoint(type));
        }
        return Snapshots.family(type, metadata, points);
    }

    private DataPointSnapshot readPoint(byte type) {
        Labels labels = labels();
        long created = this.in.getLong();
        return switch (type) {
            case SnapshotEncoder.COUNTER ->
                new CounterDataPointSnapshot(this.in.getDouble(), labels, exemplar(), created);
            case SnapshotEncoder.GAUGE -> new GaugeDataPointSnapshot(this.in.getDouble(), labels, null);
            case SnapshotEncoder.UNKNOWN -> new UnknownDataPointSnapshot(this.in.getDouble(), labels, null);
            case SnapshotEncoder.HISTOGRAM, SnapshotEncoder.GAUGE_HISTOGRAM -> histogram(labels, created);
            case SnapshotEncoder.SUMMARY -> summary(labels, created);
            case SnapshotEncoder.INFO -> new InfoDataPointSnapshot(labels);
            case SnapshotEncoder.STATE_SET -> stateSet(labels);
            default -> throw new IllegalArgumentException("unknown family type " + type);
        };
    }

    private HistogramDataPointSnapshot histogram(Labels labels, long created) {
        double sum = this.in.getDouble();
        int size = length();
        if (this.bounds.length != size) {
            // Buckets copy the arrays: these are scratch, reused while the size repeats.
            this.bounds = new double[size];
            this.counts = new long[size];
        }
        for (int i = 0; i < size; i++) {
            this.bounds[i] = this.in.getDouble();
            this.counts[i] = this.in.getLong();
        }
        ClassicHistogramBuckets classic = (size > 0) ? ClassicHistogramBuckets.of(this.bounds, this.counts)
                : ClassicHistogramBuckets.EMPTY;
        int schema = this.natives ? this.in.getInt() : SnapshotEncoder.NO_NATIVE;
        if (schema == SnapshotEncoder.NO_NATIVE) {
            return new HistogramDataPointSnapshot(classic, sum, labels, exemplars(), created);
        }
        long zeroCount = this.in.getLong();
        double zeroThreshold = this.in.getDouble();
        NativeHistogramBuckets positive = nativeBuckets();
        NativeHistogramBuckets negative = nativeBuckets();
        return new HistogramDataPointSnapshot(classic, schema, zeroCount, zeroThreshold, positive, negative, sum,
                labels, exemplars(), created);
    }

    /**
     * One side's native buckets (version 3), read through reused scratch arrays.
     */
    private NativeHistogramBuckets nativeBuckets() {
        int size = length();
        if (size == 0) {
            return NativeHistogramBuckets.EMPTY;
        }
        if (this.indexes.length != size) {
            this.indexes = new int[size];
            this.nativeCounts = new long[size];
        }
        for (int i = 0; i < size; i++) {
            this.indexes[i] = this.in.getInt();
            this.nativeCounts[i] = this.in.getLong();
        }
        return NativeHistogramBuckets.of(this.indexes, this.nativeCounts);
    }

    /**
     * A counter's exemplar (versions 2 and 3): the encoder writes at most one.
     */
    private @Nullable Exemplar exemplar() {
        Exemplars exemplars = exemplars();
        return (exemplars.size() > 0) ? exemplars.get(0) : null;
    }

    /**
     * A point's exemplars: none in version 1.
     */
    private Exemplars exemplars() {
        if (!this.exemplars) {
            return Exemplars.EMPTY;
        }
        int size = length();
        if (size == 0) {
            return Exemplars.EMPTY;
        }
        List<Exemplar> exemplars = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Labels labels = exemplarLabels();
            double value = this.in.getDouble();
            long timestamp = this.in.getLong();
            Exemplar.Builder exemplar = Exemplar.builder().labels(labels).value(value);
            if (timestamp != 0) {
                exemplar.timestampMillis(timestamp);
            }
            exemplars.add(exemplar.build());
        }
        return Exemplars.of(exemplars);
    }

    private SummaryDataPointSnapshot summary(Labels labels, long created) {
        long count = this.in.getLong();
        double sum = this.in.getDouble();
        int size = length();
        List<Quantile> quantiles = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            quantiles.add(new Quantile(this.in.getDouble(), this.in.getDouble()));
        }
        return new SummaryDataPointSnapshot(count, sum, Quantiles.of(quantiles), labels, Exemplars.EMPTY, created);
    }

    private StateSetDataPointSnapshot stateSet(Labels labels) {
        int size = length();
        String[] names = new String[size];
        boolean[] values = new boolean[size];
        for (int i = 0; i < size; i++) {
            names[i] = string();
            values[i] = this.in.get() != 0;
        }
        return new StateSetDataPointSnapshot(names, values, labels);
    }

    private MetricMetadata metadata() {
        int start = this.in.position();
        skipStrings(3);
        Object cached = cached(this.metadata, start);
        if (cached != null) {
            return (MetricMetadata) cached;
        }
        this.in.position(start);
        String name = string();
        String help = string();
        String unit = string();
        MetricMetadata metadata = new MetricMetadata(name, help.isEmpty() ? null : help,
                unit.isEmpty() ? null : new Unit(unit));
        keep(this.metadata, start, metadata);
        return metadata;
    }

    private Labels labels() {
        int start = this.in.position();
        skipStrings(2 * length());
        Object cached = cached(this.labels, start);
        if (cached != null) {
            return (Labels) cached;
        }
        this.in.position(start);
        Labels labels = decodeLabels();
        keep(this.labels, start, labels);
        return labels;
    }

    /**
     * The cached value of the bytes from {@code start} to the position, or {@code null}.
     */
    private @Nullable Object cached(SnapshotDecodeCache cache, int start) {
        int offset = this.in.arrayOffset();
        return cache.get(this.in.array(), offset + start, offset + this.in.position());
    }

    private void keep(SnapshotDecodeCache cache, int start, Object value) {
        int offset = this.in.arrayOffset();
        cache.put(this.in.array(), offset + start, offset + this.in.position(), value);
    }

    private void skipStrings(int count) {
        for (int i = 0; i < count; i++) {
            int length = length();
            this.in.position(this.in.position() + length);
        }
    }

    private Labels decodeLabels() {
        int size = length();
        String[] names = new String[size];
        String[] values = new String[size];
        for (int i = 0; i < size; i++) {
            names[i] = sharedString();
            values[i] = sharedString();
        }
        return Labels.of(names, values);
    }

    /**
     * An exemplar's labels: trace and span ids, new each time, so kept out of the caches.
     */
    private Labels exemplarLabels() {
        int size = length();
        String[] names = new String[size];
        String[] values = new String[size];
        for (int i = 0; i < size; i++) {
            names[i] = string();
            values[i] = string();
        }
        return Labels.of(names, values);
    }

    /**
     * A string of a label set, the same instance as every equal one decoded before, so
     * that label sets of different workers compare by reference where they are equal.
     */
    private String sharedString() {
        int start = this.in.position();
        skipStrings(1);
        Object cached = cached(this.strings, start);
        if (cached != null) {
            return (String) cached;
        }
        this.in.position(start);
        String value = string();
        keep(this.strings, start, value);
        return value;
    }

    private String string() {
        int length = length();
        String value = new String(this.in.array(), this.in.arrayOffset() + this.in.position(), length,
                StandardCharsets.UTF_8);
        this.in.position(this.in.position() + length);
        return value;
    }

    /**
     * A length or count, which can never exceed the bytes left.
     */
    private int length() {
        int length = this.in.getInt();
        if (length < 0 || length > this.in.remaining()) {
            throw new IllegalArgumentException(
                    "length " + length + " exceeds the " + this.in.remaining() + " bytes left");
        }
        return length;
    }

}
