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
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

/**
 * Writes the body of {@link BinarySnapshotCodec}'s encoding. Values per point by type:
 * counter, gauge, unknown: double value; histogram: double sum (NaN = none), int bucket
 * count, (double upper bound, long count)...; summary: long count (-1 = none), double
 * sum, int quantile count, (double quantile, double value)...; state set: int state
 * count, (string name, boolean value)...; info: nothing. In version 2 a counter's value
 * and a histogram's buckets are followed by its exemplars: int count, (int label count,
 * (string name, string value)..., double value, long timestamp (0 = none))....
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

    private final DataOutputStream out;

    private final boolean exemplars;

    /**
     * An encoder.
     * @param out where to write
     * @param exemplars whether to write exemplars (version 2)
     */
    SnapshotEncoder(DataOutputStream out, boolean exemplars) {
        this.out = out;
        this.exemplars = exemplars;
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
        if (!histogram.hasClassicHistogramData()) {
            // Native only: keep the count in a single +Inf bucket.
            this.out.writeInt(1);
            this.out.writeDouble(Double.POSITIVE_INFINITY);
            this.out.writeLong(histogram.hasCount() ? histogram.getCount() : 0);
        }
        else {
            ClassicHistogramBuckets buckets = histogram.getClassicBuckets();
            this.out.writeInt(buckets.size());
            for (int i = 0; i < buckets.size(); i++) {
                this.out.writeDouble(buckets.getUpperBound(i));
                this.out.writeLong(buckets.getCount(i));
            }
        }
        if (this.exemplars) {
            writeExemplars(histogram.getExemplars());
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
