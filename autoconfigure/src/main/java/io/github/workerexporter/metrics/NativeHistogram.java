package io.github.workerexporter.metrics;

import java.util.List;

import io.prometheus.metrics.core.exemplars.ExemplarSampler;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import org.jspecify.annotations.Nullable;

/**
 * A native histogram of one data point (one label set), with classic buckets too when
 * {@link HistogramSettings.Kind#BOTH}: a {@link NativeDataPoint} that threads sharing it
 * record into without contending. Its exemplars are client_java's: on the classic buckets
 * with them, else a few kept for the data point, as client_java's {@code nativeOnly()}
 * histogram keeps them.
 *
 * @author Worker Exporter
 */
final class NativeHistogram extends OneDataPointCollector implements RequestHistogram {

    private final NativeDataPoint dataPoint;

    private final @Nullable ExemplarSampler exemplars;

    /**
     * A histogram of one data point.
     * @param metadata the family's name and HELP text
     * @param settings native or both, the schema, zero threshold and bucket limit
     * @param upperBounds the classic buckets' finite upper bounds, ascending (kept only
     * for both)
     * @param labelName the name of the data point's one label
     * @param labelValue its value
     * @param exemplars where its exemplars come from
     */
    NativeHistogram(MetricMetadata metadata, HistogramSettings settings, double[] upperBounds, String labelName,
            String labelValue, RequestExemplars exemplars) {
        super(metadata, MetricType.HISTOGRAM, labelName, labelValue);
        double[] classic = classicBounds(settings, upperBounds);
        this.dataPoint = new NativeDataPoint(settings, classic);
        this.exemplars = exemplars.sampler(classic);
    }

    /**
     * The classic bounds a native histogram keeps beside its native buckets.
     * @param settings native or both
     * @param upperBounds the finite upper bounds
     * @return the bounds with {@code +Inf} for both, {@code null} for native only
     */
    static double @Nullable [] classicBounds(HistogramSettings settings, double[] upperBounds) {
        return (settings.kind() == HistogramSettings.Kind.BOTH) ? ClassicHistogram.withInfinity(upperBounds) : null;
    }

    @Override
    public void observe(double value) {
        this.dataPoint.observe(value);
        sample(value);
    }

    @Override
    public void count(int stripe, double value) {
        this.dataPoint.observe(stripe, value);
    }

    @Override
    public void sample(double value) {
        if (this.exemplars != null && !Double.isNaN(value)) {
            this.exemplars.observe(value);
        }
    }

    @Override
    public Exemplars exemplars() {
        return RequestExemplars.of(this.exemplars);
    }

    @Override
    public HistogramSnapshot collect() {
        return new HistogramSnapshot(this.metadata,
                List.of(this.dataPoint.snapshot(this.labels, exemplars(), this.createdTimestampMillis)));
    }

}
