package io.github.workerexporter.metrics;

import java.util.Arrays;
import java.util.List;

import io.prometheus.metrics.core.exemplars.ExemplarSampler;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import org.jspecify.annotations.Nullable;

/**
 * A classic Prometheus histogram of one data point (one label set) that threads sharing
 * it record into without contending: its buckets and sum are {@link Stripes}, cache lines
 * of each thread's own.
 * <p>
 * Why not client_java's {@code Histogram} ({@code classicOnly()}): each observation of
 * its data point first increments one of a few {@code AtomicLong}s picked by thread id
 * (the switch of its scrape buffer), allocated side by side on one cache line, then
 * {@code LongAdder}s whose base field two cores pass back and forth; two request threads
 * then contend on every request (see {@code HistogramBenchmark} and
 * {@code RequestBenchmark} in {@code benchmarks/}). Its buffer makes a snapshot's
 * buckets, count and sum agree exactly; here the count is the sum of the buckets, so
 * {@code _count} and the {@code +Inf} bucket always agree, and only {@code _sum} may
 * include an observation whose bucket the same snapshot has not seen yet. The exposition
 * (names, HELP, bucket bounds, {@code le} labels, created timestamp) is client_java's
 * own, since the snapshot is its model's {@link HistogramSnapshot}.
 *
 * @author Worker Exporter
 */
final class ClassicHistogram extends OneDataPointCollector implements RequestHistogram {

    private final double[] upperBounds;

    private final Stripes stripes;

    private final int sumSlot;

    private final @Nullable ExemplarSampler exemplars;

    /**
     * A histogram of one data point, without exemplars.
     * @param name the family name, such as
     * {@code gunicorn_worker_request_duration_seconds}
     * @param help the HELP text
     * @param upperBounds the finite upper bounds, ascending ({@code +Inf} is added)
     * @param labelName the name of the data point's one label
     * @param labelValue its value
     */
    ClassicHistogram(String name, String help, double[] upperBounds, String labelName, String labelValue) {
        this(name, help, upperBounds, labelName, labelValue, RequestExemplars.NONE);
    }

    /**
     * A histogram of one data point.
     * @param name the family name, such as
     * {@code gunicorn_worker_request_duration_seconds}
     * @param help the HELP text
     * @param upperBounds the finite upper bounds, ascending ({@code +Inf} is added)
     * @param labelName the name of the data point's one label
     * @param labelValue its value
     * @param exemplars where its exemplars come from
     */
    ClassicHistogram(String name, String help, double[] upperBounds, String labelName, String labelValue,
            RequestExemplars exemplars) {
        super(new MetricMetadata(name, help), MetricType.HISTOGRAM, labelName, labelValue);
        this.upperBounds = withInfinity(upperBounds);
        this.sumSlot = this.upperBounds.length;
        this.stripes = new Stripes(this.sumSlot + 1);
        this.exemplars = exemplars.sampler(this.upperBounds);
    }

    /**
     * Record one value in the first bucket whose upper bound is at least the value, as
     * Prometheus' {@code le} says. NaN is ignored, as client_java does.
     * @param value the value
     */
    @Override
    public void observe(double value) {
        if (Double.isNaN(value)) {
            return;
        }
        int stripe = Stripes.claim();
        try {
            count(stripe, value);
        }
        finally {
            Stripes.release(stripe);
        }
        sample(value);
    }

    @Override
    public void count(int stripe, double value) {
        if (Double.isNaN(value)) {
            return;
        }
        this.stripes.add(stripe, bucket(this.upperBounds, value), 1);
        this.stripes.addDouble(stripe, this.sumSlot, value);
    }

    @Override
    public void sample(double value) {
        ExemplarSampler exemplars = this.exemplars;
        if (exemplars != null && !Double.isNaN(value)) {
            exemplars.observe(value);
        }
    }

    /**
     * The exemplars of the data point.
     * @return its exemplars, empty without a tracer
     */
    @Override
    public Exemplars exemplars() {
        return RequestExemplars.of(this.exemplars);
    }

    /**
     * The bucket of a value: the first whose upper bound is at least the value.
     * @param upperBounds the upper bounds, ascending, {@code +Inf} last
     * @param value the value, not NaN
     * @return the bucket's index
     */
    static int bucket(double[] upperBounds, double value) {
        int i = 0;
        while (value > upperBounds[i]) {
            i++;
        }
        return i;
    }

    /**
     * The upper bounds with {@code +Inf} added, checked to ascend.
     * @param upperBounds the finite upper bounds
     * @return the bounds of the buckets
     */
    static double[] withInfinity(double[] upperBounds) {
        double[] bounds = Arrays.copyOf(upperBounds, upperBounds.length + 1);
        bounds[upperBounds.length] = Double.POSITIVE_INFINITY;
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i - 1] < bounds[i])) {
                throw new IllegalArgumentException("Upper bounds must ascend: " + Arrays.toString(upperBounds));
            }
        }
        return bounds;
    }

    @Override
    public HistogramSnapshot collect() {
        long[] counts = new long[this.sumSlot];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = this.stripes.sum(i);
        }
        return new HistogramSnapshot(this.metadata,
                List.of(new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(this.upperBounds, counts),
                        this.stripes.sumDouble(this.sumSlot), this.labels, exemplars(), this.createdTimestampMillis)));
    }

}
