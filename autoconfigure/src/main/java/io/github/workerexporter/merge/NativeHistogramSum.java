package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;

/**
 * The sum of native histograms (the native part of several workers' data points), added
 * as Prometheus adds them:
 * <ul>
 * <li>all are brought to the coarsest schema seen: going from schema {@code s} to
 * {@code s - 1} merges buckets pairwise, bucket {@code i} (upper bound
 * {@code 2^(i * 2^-s)}) goes to {@code ceil(i / 2)}, {@code ((i - 1) >> d) + 1} for
 * {@code d} steps (Prometheus's rule; client_java 1.7's own scale-down rounds negative
 * even indexes up instead, client_java issue 2270);</li>
 * <li>buckets of equal index then add, positive and negative apart;</li>
 * <li>the zero bucket takes the widest threshold, and the buckets that reach below it
 * fold into the zero count; a bucket that straddles the threshold widens it to the
 * bucket's upper bound, as Prometheus does when it adds histograms of different
 * thresholds.</li>
 * </ul>
 * The count is the zero count and the buckets, exact; the sum is the caller's. The result
 * holds at most the buckets of its inputs, so it is as bounded as they are.
 *
 * @author Worker Exporter
 */
final class NativeHistogramSum {

    /**
     * Relative slack for comparing a bucket bound with a zero threshold: neighbouring
     * bounds differ by a factor of at least {@code 2^(1/256)}, rounding by far less.
     */
    private static final double SLACK = 1e-9;

    private boolean empty = true;

    private int schema;

    private double zeroThreshold;

    private long zeroCount;

    private final TreeMap<Integer, Long> positive = new TreeMap<>();

    private final TreeMap<Integer, Long> negative = new TreeMap<>();

    /**
     * Add the native part of a data point.
     * @param point a data point with native histogram data
     */
    void add(HistogramDataPointSnapshot point) {
        int pointSchema = point.getNativeSchema();
        if (this.empty) {
            this.empty = false;
            this.schema = pointSchema;
        }
        else if (pointSchema < this.schema) {
            reduce(this.positive, this.schema - pointSchema);
            reduce(this.negative, this.schema - pointSchema);
            this.schema = pointSchema;
        }
        add(this.positive, point.getNativeBucketsForPositiveValues(), pointSchema - this.schema);
        add(this.negative, point.getNativeBucketsForNegativeValues(), pointSchema - this.schema);
        this.zeroCount += point.getNativeZeroCount();
        this.zeroThreshold = Math.max(this.zeroThreshold, point.getNativeZeroThreshold());
    }

    /**
     * The sum as a data point.
     * @param classic the classic buckets, {@link ClassicHistogramBuckets#EMPTY} for none
     * @param sum the sum of the observations
     * @param labels the labels
     * @param exemplars the exemplars
     * @return the data point
     */
    HistogramDataPointSnapshot build(ClassicHistogramBuckets classic, double sum, Labels labels, Exemplars exemplars) {
        while (foldIntoZeroBucket(this.positive) | foldIntoZeroBucket(this.negative)) {
            // A widened threshold may reach buckets of the other side.
        }
        return new HistogramDataPointSnapshot(classic, this.schema, this.zeroCount, this.zeroThreshold,
                buckets(this.positive), buckets(this.negative), sum, labels, exemplars, 0);
    }

    /**
     * The index at schema {@code s - steps} of bucket {@code index} at schema {@code s}.
     * @param index the bucket index
     * @param steps how many times the bucket width doubles
     * @return the index at the coarser schema
     */
    static int reducedIndex(int index, int steps) {
        return ((index - 1) >> steps) + 1;
    }

    /**
     * The upper bound of a bucket.
     * @param schema the schema
     * @param index the bucket index
     * @return its upper bound (of the absolute value)
     */
    static double upperBound(int schema, int index) {
        return Math.pow(2, index * Math.pow(2, -schema));
    }

    private static void reduce(TreeMap<Integer, Long> buckets, int steps) {
        List<Map.Entry<Integer, Long>> entries = new ArrayList<>(buckets.entrySet());
        buckets.clear();
        for (Map.Entry<Integer, Long> entry : entries) {
            buckets.merge(reducedIndex(entry.getKey(), steps), entry.getValue(), Long::sum);
        }
    }

    private static void add(TreeMap<Integer, Long> sums, NativeHistogramBuckets buckets, int steps) {
        for (int i = 0; i < buckets.size(); i++) {
            sums.merge(reducedIndex(buckets.getBucketIndex(i), steps), buckets.getCount(i), Long::sum);
        }
    }

    /**
     * Fold the buckets whose lower bound is below the zero threshold into the zero count.
     * @return whether the threshold was widened
     */
    private boolean foldIntoZeroBucket(TreeMap<Integer, Long> buckets) {
        boolean widened = false;
        while (!buckets.isEmpty()) {
            int lowest = buckets.firstKey();
            if (upperBound(this.schema, lowest - 1) >= this.zeroThreshold * (1 - SLACK)) {
                break;
            }
            double upper = upperBound(this.schema, lowest);
            if (upper > this.zeroThreshold * (1 + SLACK)) {
                this.zeroThreshold = upper;
                widened = true;
            }
            this.zeroCount += buckets.pollFirstEntry().getValue();
        }
        return widened;
    }

    private static NativeHistogramBuckets buckets(TreeMap<Integer, Long> buckets) {
        if (buckets.isEmpty()) {
            return NativeHistogramBuckets.EMPTY;
        }
        int[] indexes = new int[buckets.size()];
        long[] counts = new long[indexes.length];
        int i = 0;
        for (Map.Entry<Integer, Long> bucket : buckets.entrySet()) {
            indexes[i] = bucket.getKey();
            counts[i++] = bucket.getValue();
        }
        return NativeHistogramBuckets.of(indexes, counts);
    }

}
