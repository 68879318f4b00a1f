package io.github.workerexporter.storage;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

/**
 * Writes the body of {@link BinarySnapshotCodec}'s encoding. Values per point by type:
 * counter, gauge, unknown: double value; histogram: double sum (NaN = none), int bucket
 * count, (double upper bound, long count)...; summary: long count (-1 = none), double
 * sum, int quantile count, (double quantile, double value)...; state set: int state
 * count, (string name, boolean value)...; info: nothing. In versions 2 and 3 a counter's
 * value and a histogram's buckets are followed by its exemplars: int count, (int label
 * count, (string name, string value)..., double value, long timestamp (0 = none)).... In
 * version 3 a histogram's classic buckets (none: a native histogram only) are followed by
 * int native schema ({@link #NO_NATIVE} = none), and when there is one: long zero count,
 * double zero threshold, then the positive and the negative buckets, each int bucket
 * count, (int index, long count)... in ascending index order.
 *
 * @author Worker Exporter
 */
final class SnapshotEncoder {

    static final byte COUNTER = 1;

    static final byte GAUGE = 2;

    static final byte HISTOGRAM = 3;

    static final byte GAUGE_HISTOGRAM = 4;

    static final byte SUMMARY = 5;

    static final byte INFO = 6;

    static final byte STATE_SET = 7;

    static final byte UNKNOWN = 8;

    /**
     * The native schema of a histogram point without native buckets (version 3).
     */
    static final int NO_NATIVE = Integer.MIN_VALUE;

    private final DataOutputStream out;

    private final boolean exemplars;

    private final boolean natives;

    /**
     * An encoder.
     * @param out where to write
     * @param exemplars whether to write exemplars (versions 2 and 3)
     * @param natives whether to write native histograms (version 3)
     */
    SnapshotEncoder(DataOutputStream out, boolean exemplars, boolean natives) {
        this.out = out;
        this.exemplars = exemplars || natives;
        this.natives = natives;
    }

    /**
     * Whether any histogram data point has native buckets: only then is the encoding
     * version 3, so records without stay as they were.
     * @param snapshots the snapshots
     * @return whether any histogram point is native
     */
    static boolean hasNativeHistograms(MetricSnapshots snapshots) {
        for (MetricSnapshot snapshot : snapshots) {
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                if (point instanceof HistogramDataPointSnapshot histogram && histogram.hasNativeHistogramData()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether any counter or histogram data point has an exemplar: only then is the
     * encoding version 2, so readers that know version 1 only read what has none.
     * @param snapshots the snapshots
     * @return whether any has an exemplar
     */
    static boolean hasExemplars(MetricSnapshots snapshots) {
        for (MetricSnapshot snapshot : snapshots) {
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                if (point instanceof CounterSnapshot.CounterDataPointSnapshot counter
                        && counter.getExemplar() != null) {
                    return true;
                }
                if (point instanceof HistogramDataPointSnapshot histogram && histogram.getExemplars().size() > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    void write(MetricSnapshots snapshots) throws IOException {
        this.out.writeInt(snapshots.size());
        for (MetricSnapshot snapshot : snapshots) {
            this.out.writeByte(Snapshots.typeOf(snapshot));
            MetricMetadata metadata = snapshot.getMetadata();
            writeString(metadata.getName());
            writeString((metadata.getHelp() != null) ? metadata.getHelp() : "");
            writeString(metadata.hasUnit() ? metadata.getUnit().toString() : "");
            this.out.writeInt(snapshot.getDataPoints().size());
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                writePoint(point);
            }
        }
    }

    private void writePoint(DataPointSnapshot point) throws IOException {
        this.out.writeInt(point.getLabels().size());
        for (Label label : point.getLabels()) {
            writeString(label.getName());
            writeString(label.getValue());
        }
        this.out.writeLong(point.hasCreatedTimestamp() ? point.getCreatedTimestampMillis() : 0);
        if (point instanceof CounterSnapshot.CounterDataPointSnapshot counter) {
            this.out.writeDouble(counter.getValue());
            if (this.exemplars) {
                Exemplar exemplar = counter.getExemplar();
                writeExemplars((exemplar != null) ? Exemplars.of(exemplar) : Exemplars.EMPTY);
            }
        }
        else if (point instanceof GaugeSnapshot.GaugeDataPointSnapshot gauge) {
            this.out.writeDouble(gauge.getValue());
        }
        else if (point instanceof UnknownSnapshot.UnknownDataPointSnapshot unknown) {
            this.out.writeDouble(unknown.getValue());
        }
        else if (point instanceof HistogramDataPointSnapshot histogram) {
            writeHistogram(histogram);
        }
        else if (point instanceof SummaryDataPointSnapshot summary) {
            writeSummary(summary);
        }
        else if (point instanceof StateSetDataPointSnapshot stateSet) {
            this.out.writeInt(stateSet.size());
            for (int i = 0; i < stateSet.size(); i++) {
                writeString(stateSet.getName(i));
                this.out.writeBoolean(stateSet.isTrue(i));
            }
        }
    }

    private void writeHistogram(HistogramDataPointSnapshot histogram) throws IOException {
        this.out.writeDouble(histogram.hasSum() ? histogram.getSum() : Double.NaN);
        // Versions 1 and 2 never see a native point (it makes the encoding version 3).
        ClassicHistogramBuckets buckets = histogram.getClassicBuckets();
        this.out.writeInt(buckets.size());
        for (int i = 0; i < buckets.size(); i++) {
            this.out.writeDouble(buckets.getUpperBound(i));
            this.out.writeLong(buckets.getCount(i));
        }
        if (this.natives) {
            writeNative(histogram);
        }
        if (this.exemplars) {
            writeExemplars(histogram.getExemplars());
        }
    }

    private void writeNative(HistogramDataPointSnapshot histogram) throws IOException {
        if (!histogram.hasNativeHistogramData()) {
            this.out.writeInt(NO_NATIVE);
            return;
        }
        this.out.writeInt(histogram.getNativeSchema());
        this.out.writeLong(histogram.getNativeZeroCount());
        this.out.writeDouble(histogram.getNativeZeroThreshold());
        writeNativeBuckets(histogram.getNativeBucketsForPositiveValues());
        writeNativeBuckets(histogram.getNativeBucketsForNegativeValues());
    }

    private void writeNativeBuckets(NativeHistogramBuckets buckets) throws IOException {
        this.out.writeInt(buckets.size());
        for (int i = 0; i < buckets.size(); i++) {
            this.out.writeInt(buckets.getBucketIndex(i));
            this.out.writeLong(buckets.getCount(i));
        }
    }

    private void writeExemplars(Exemplars exemplars) throws IOException {
        this.out.writeInt(exemplars.size());
        for (Exemplar exemplar : exemplars) {
            this.out.writeInt(exemplar.getLabels().size());
            for (Label label : exemplar.getLabels()) {
                writeString(label.getName());
                writeString(label.getValue());
            }
            this.out.writeDouble(exemplar.getValue());
            this.out.writeLong(exemplar.hasTimestamp() ? exemplar.getTimestampMillis() : 0);
        }
    }

    private void writeSummary(SummaryDataPointSnapshot summary) throws IOException {
        this.out.writeLong(summary.hasCount() ? summary.getCount() : -1);
        this.out.writeDouble(summary.hasSum() ? summary.getSum() : Double.NaN);
        this.out.writeInt(summary.getQuantiles().size());
        for (Quantile quantile : summary.getQuantiles()) {
            this.out.writeDouble(quantile.getQuantile());
            this.out.writeDouble(quantile.getValue());
        }
    }

    private void writeString(String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        this.out.writeInt(bytes.length);
        this.out.write(bytes);
    }

}
