package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

/**
 * The sum of one histogram series over workers: classic buckets added by upper bound,
 * native buckets added by {@link NativeHistogramSum}, counts and sums exact.
 * <ul>
 * <li>The sum has native buckets when every data point has them, classic buckets when any
 * has them (a worker still classic while others are native, during a roll-out of
 * {@code exporter.metrics.histograms}): then a native-only point's count goes to the
 * {@code +Inf} bucket, so that the count stays exact and the classic and native counts of
 * a sum that has both stay equal, as client_java requires.</li>
 * <li>Exemplars stay bounded: with classic buckets, each keeps the newest exemplar that
 * falls in it; without, the newest ones, as many as the point that had the most.</li>
 * </ul>
 *
 * @author Worker Exporter
 */
final class HistogramSum {

    private static final Comparator<Exemplar> NEWEST_FIRST = Comparator.comparingLong(Exemplar::getTimestampMillis)
        .reversed();

    private final TreeMap<Double, Long> classic = new TreeMap<>();

    /** The newest exemplar of each classic bucket, by upper bound. */
    private final TreeMap<Double, Exemplar> exemplars = new TreeMap<>();

    /** The exemplars of native-only points, placed when the buckets are known. */
    private final List<Exemplar> nativeExemplars = new ArrayList<>(0);

    private int mostNativeExemplars;

    /** Made for the first native point, so a classic histogram allocates no more. */
    private @Nullable NativeHistogramSum natives;

    private int points;

    private int classicPoints;

    private int nativePoints;

    private long nativeOnlyCount;

    private double sum;

    private boolean hasSum = true;

    void add(HistogramDataPointSnapshot point) {
        this.points++;
        this.hasSum &= point.hasSum();
        this.sum += point.hasSum() ? point.getSum() : 0;
        if (point.hasClassicHistogramData()) {
            this.classicPoints++;
            ClassicHistogramBuckets buckets = point.getClassicBuckets();
            for (int i = 0; i < buckets.size(); i++) {
                this.classic.merge(buckets.getUpperBound(i), buckets.getCount(i), Long::sum);
            }
            for (Exemplar exemplar : point.getExemplars()) {
                for (int i = 0; i < buckets.size(); i++) {
                    if (exemplar.getValue() <= buckets.getUpperBound(i)) {
                        keepNewest(buckets.getUpperBound(i), exemplar);
                        break;
                    }
                }
            }
        }
        else {
            this.nativeOnlyCount += point.getCount();
            point.getExemplars().forEach(this.nativeExemplars::add);
            this.mostNativeExemplars = Math.max(this.mostNativeExemplars, point.getExemplars().size());
        }
        if (point.hasNativeHistogramData()) {
            this.nativePoints++;
            if (this.natives == null) {
                this.natives = new NativeHistogramSum();
            }
            this.natives.add(point);
        }
    }

    private void keepNewest(double bucket, Exemplar exemplar) {
        this.exemplars.merge(bucket, exemplar,
                (kept, next) -> (next.getTimestampMillis() > kept.getTimestampMillis()) ? next : kept);
    }

    HistogramDataPointSnapshot build(Labels labels) {
        double sum = this.hasSum ? this.sum : Double.NaN;
        NativeHistogramSum natives = this.natives;
        if (this.classicPoints == 0 && natives != null) {
            this.nativeExemplars.sort(NEWEST_FIRST);
            Exemplars newest = this.nativeExemplars.isEmpty() ? Exemplars.EMPTY
                    : Exemplars.of(new ArrayList<>(this.nativeExemplars.subList(0, this.mostNativeExemplars)));
            return natives.build(ClassicHistogramBuckets.EMPTY, sum, labels, newest);
        }
        if (this.nativeOnlyCount > 0) {
            this.classic.merge(Double.POSITIVE_INFINITY, this.nativeOnlyCount, Long::sum);
        }
        for (Exemplar exemplar : this.nativeExemplars) {
            Double bucket = this.classic.ceilingKey(exemplar.getValue());
            if (bucket != null) {
                keepNewest(bucket, exemplar);
            }
        }
        double[] bounds = new double[this.classic.size()];
        long[] counts = new long[bounds.length];
        int i = 0;
        for (Map.Entry<Double, Long> bucket : this.classic.entrySet()) {
            bounds[i] = bucket.getKey();
            counts[i++] = bucket.getValue();
        }
        ClassicHistogramBuckets buckets = ClassicHistogramBuckets.of(bounds, counts);
        Exemplars exemplars = this.exemplars.isEmpty() ? Exemplars.EMPTY
                : Exemplars.of(new ArrayList<>(this.exemplars.values()));
        if (natives != null && this.nativePoints == this.points) {
            return natives.build(buckets, sum, labels, exemplars);
        }
        return new HistogramDataPointSnapshot(buckets, sum, labels, exemplars, 0);
    }

}
