package io.github.workerexporter.metrics;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import org.jspecify.annotations.Nullable;

/**
 * One data point of a native histogram, with or without classic buckets, that threads
 * sharing it record into without contending: the zero bucket, the sum and any classic
 * buckets are {@link Stripes}, the native buckets {@link NativeBuckets}.
 * <p>
 * Why not client_java's {@code Histogram} ({@code nativeOnly()}): each observation first
 * increments one of a few {@code AtomicLong}s of its scrape buffer that share a cache
 * line, then {@code LongAdder}s, and finds its bucket in a {@code ConcurrentHashMap} of
 * boxed keys (see {@code NativeHistogramBenchmark} in {@code benchmarks/}).
 * <p>
 * The bucket limit: when a new bucket takes the buckets past {@code maxBuckets}, the
 * schema is reduced (each step merges pairs of neighbouring buckets) until they fit
 * again, as client_java does, down to schema -4. The buckets counted so far stay where
 * they are and go on taking late observations; they are mapped to the current schema when
 * a snapshot is taken, so no observation is lost and recording takes no lock but that of
 * the rare reduction (a thread waiting for it while holding a stripe's claim keeps that
 * stripe from the others, who claim another; see {@link Stripes}). The zero threshold is
 * fixed (client_java may widen it instead; here the schema alone keeps the limit). The
 * snapshot is client_java's {@link HistogramDataPointSnapshot}; its count is the sum of
 * its buckets. With classic buckets too, each stripe is read when no observation is half
 * recorded in it, so the classic and native counts agree as the model requires; should a
 * stripe stay busy through many attempts, that snapshot carries the native histogram
 * only.
 *
 * @author Worker Exporter
 */
final class NativeDataPoint {

    private static final int HEADROOM = 32;

    private static final int ATTEMPTS = 10_000;

    private final double @Nullable [] classicBounds;

    private final double zeroThreshold;

    private final int maxBuckets;

    private final Stripes totals;

    private final int zeroSlot;

    private final int sumSlot;

    private volatile NativeBuckets[] generations;

    /**
     * A data point with no observation.
     * @param settings the schema, zero threshold and bucket limit
     * @param classicBounds the classic buckets' bounds with {@code +Inf}, or {@code null}
     * for a native histogram only
     */
    NativeDataPoint(HistogramSettings settings, double @Nullable [] classicBounds) {
        this.classicBounds = classicBounds;
        this.zeroThreshold = settings.zeroThreshold();
        this.maxBuckets = settings.maxBuckets();
        this.zeroSlot = (classicBounds != null) ? classicBounds.length : 0;
        this.sumSlot = this.zeroSlot + 1;
        this.totals = new Stripes(this.sumSlot + 1);
        this.generations = new NativeBuckets[] {
                new NativeBuckets(settings.initialSchema(), settings.maxBuckets() + HEADROOM) };
    }

    /**
     * Record one value. NaN is ignored, as client_java does.
     * @param value the value
     */
    void observe(double value) {
        int stripe = Stripes.claim();
        try {
            observe(stripe, value);
        }
        finally {
            Stripes.release(stripe);
        }
    }

    /**
     * Record one value on a stripe the caller has claimed. NaN is ignored.
     * @param stripe what {@link Stripes#claim()} answered
     * @param value the value
     */
    void observe(int stripe, double value) {
        if (Double.isNaN(value)) {
            return;
        }
        if (value > this.zeroThreshold) {
            observeNative(stripe, value, false);
        }
        else if (value < -this.zeroThreshold) {
            observeNative(stripe, -value, true);
        }
        else {
            this.totals.add(stripe, this.zeroSlot, 1);
        }
        this.totals.addDouble(stripe, this.sumSlot, value);
        double[] classic = this.classicBounds;
        if (classic != null) {
            // last: a stripe whose classic count equals its native count has no
            // observation half recorded
            this.totals.add(stripe, ClassicHistogram.bucket(classic, value), 1);
        }
    }

    private void observeNative(int stripe, double magnitude, boolean negative) {
        while (true) {
            NativeBuckets[] generations = this.generations;
            NativeBuckets buckets = generations[generations.length - 1];
            int slot = buckets.slot(NativeBuckets.key(NativeBuckets.index(magnitude, buckets.schema()), negative));
            if (slot >= 0) {
                buckets.increment(stripe, slot & ~NativeBuckets.NEW);
                if ((slot & NativeBuckets.NEW) != 0 && buckets.size() > this.maxBuckets
                        && buckets.schema() > HistogramSettings.MIN_SCHEMA) {
                    reduce(buckets);
                }
                return;
            }
            reduce(buckets);
        }
    }

    /**
     * Start new buckets at the schema at which all buckets seen so far fit the limit (or
     * -4), holding those buckets already, so that the limit is checked on one count.
     * @param seen the current buckets when the caller looked
     */
    private synchronized void reduce(NativeBuckets seen) {
        NativeBuckets[] generations = this.generations;
        if (generations[generations.length - 1] != seen) {
            return;
        }
        int schema = seen.schema();
        Set<Integer> keys = new HashSet<>();
        for (NativeBuckets buckets : generations) {
            int d = buckets.schema() - schema;
            buckets.forEach((key, slot) -> keys.add(NativeBuckets.reduce(key, d)) ? 1 : 0);
        }
        while (keys.size() > this.maxBuckets && schema > HistogramSettings.MIN_SCHEMA) {
            schema--;
            Set<Integer> coarser = new HashSet<>();
            keys.forEach((key) -> coarser.add(NativeBuckets.reduce(key, 1)));
            keys.clear();
            keys.addAll(coarser);
        }
        NativeBuckets next = new NativeBuckets(schema, Math.max(this.maxBuckets, keys.size()) + HEADROOM);
        keys.forEach(next::slot);
        NativeBuckets[] more = Arrays.copyOf(generations, generations.length + 1);
        more[generations.length] = next;
        this.generations = more;
    }

    /**
     * A snapshot of the data point.
     * @param labels its labels
     * @param exemplars its exemplars
     * @param createdMillis when it was created
     * @return the snapshot
     */
    HistogramDataPointSnapshot snapshot(Labels labels, Exemplars exemplars, long createdMillis) {
        while (true) {
            NativeBuckets[] generations = this.generations;
            Reading reading = new Reading(generations);
            boolean consistent = true;
            for (int stripe = 0; stripe < Stripes.count(); stripe++) {
                consistent &= reading.read(stripe);
            }
            if (this.generations != generations) {
                continue; // new buckets were started meanwhile: read again
            }
            NativeBuckets current = generations[generations.length - 1];
            Map<Integer, Long> positive = new TreeMap<>();
            Map<Integer, Long> negative = new TreeMap<>();
            for (int g = 0; g < generations.length; g++) {
                long[] counts = reading.counts[g];
                int d = generations[g].schema() - current.schema();
                generations[g].forEach((key, slot) -> {
                    long count = (slot < counts.length) ? counts[slot] : 0;
                    if (count > 0) {
                        int reduced = NativeBuckets.reduce(key, d);
                        ((reduced & 1) == 0 ? positive : negative).merge(reduced >> 1, count, Long::sum);
                    }
                    return 0;
                });
            }
            if (positive.size() + negative.size() > this.maxBuckets
                    && current.schema() > HistogramSettings.MIN_SCHEMA) {
                reduce(current); // late observations in older buckets went past the limit
                continue;
            }
            NativeHistogramBuckets pos = buckets(positive);
            NativeHistogramBuckets neg = buckets(negative);
            double[] classic = this.classicBounds;
            if (classic == null || !consistent) {
                return new HistogramDataPointSnapshot(current.schema(), reading.zero, this.zeroThreshold, pos, neg,
                        reading.sum, labels, exemplars, createdMillis);
            }
            return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(classic, reading.classic),
                    current.schema(), reading.zero, this.zeroThreshold, pos, neg, reading.sum, labels, exemplars,
                    createdMillis);
        }
    }

    private static NativeHistogramBuckets buckets(Map<Integer, Long> counts) {
        int[] indexes = new int[counts.size()];
        long[] values = new long[counts.size()];
        int i = 0;
        for (Map.Entry<Integer, Long> entry : counts.entrySet()) {
            indexes[i] = entry.getKey();
            values[i++] = entry.getValue();
        }
        return NativeHistogramBuckets.of(indexes, values);
    }

    /**
     * The counts of every stripe, added up.
     */
    private final class Reading {

        final NativeBuckets[] generations;

        final long[][] counts;

        final long[] classic;

        long zero;

        double sum;

        Reading(NativeBuckets[] generations) {
            this.generations = generations;
            this.counts = new long[generations.length][];
            for (int g = 0; g < generations.length; g++) {
                this.counts[g] = new long[generations[g].capacity()];
            }
            double[] bounds = NativeDataPoint.this.classicBounds;
            this.classic = new long[(bounds != null) ? bounds.length : 0];
        }

        /**
         * Add one stripe's counts; with classic buckets, at a moment when no observation
         * is half recorded in it. An observation counts its native bucket first and its
         * classic bucket last, so in a stripe the native count is the classic count plus
         * the observations under way: the classic count read before and after the native
         * buckets, unchanged and equal to their count, shows none was.
         * @return whether it was read at such a moment (always without classic buckets)
         */
        boolean read(int stripe) {
            Stripes totals = NativeDataPoint.this.totals;
            int sumSlot = NativeDataPoint.this.sumSlot;
            long[][] counts = new long[this.generations.length][];
            long[] classic = new long[this.classic.length];
            for (int attempt = 0;; attempt++) {
                long before = 0;
                for (int i = 0; i < classic.length; i++) {
                    classic[i] = totals.get(stripe, i);
                    before += classic[i];
                }
                long zero = totals.get(stripe, NativeDataPoint.this.zeroSlot);
                double sum = totals.getDouble(stripe, sumSlot);
                long inNative = zero;
                for (int g = 0; g < counts.length; g++) {
                    counts[g] = new long[this.counts[g].length];
                    for (int slot = 0; slot < counts[g].length; slot++) {
                        counts[g][slot] = this.generations[g].count(stripe, slot);
                        inNative += counts[g][slot];
                    }
                }
                long after = 0;
                for (int i = 0; i < classic.length; i++) {
                    after += totals.get(stripe, i);
                }
                boolean quiet = classic.length == 0 || (before == after && before == inNative);
                if (quiet || attempt == ATTEMPTS) {
                    for (int i = 0; i < classic.length; i++) {
                        this.classic[i] += classic[i];
                    }
                    this.zero += zero;
                    this.sum += sum;
                    for (int g = 0; g < counts.length; g++) {
                        for (int slot = 0; slot < counts[g].length; slot++) {
                            this.counts[g][slot] += counts[g][slot];
                        }
                    }
                    return quiet;
                }
                Thread.onSpinWait();
            }
        }

    }

}
