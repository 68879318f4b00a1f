package io.github.workerexporter.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.NativeHistogramBucket;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link NativeDataPoint}: the same schema, buckets, counts and sum as
 * client_java's {@code Histogram} fed the same values, the bucket limit, and nothing lost
 * when threads record while the schema is reduced and snapshots are taken.
 *
 * @author Worker Exporter
 */
class NativeDataPointTests {

    private static final double[] BOUNDS = { 0.1, 0.5, 1, 2.5, 5, 10, 30, 60 };

    private static final HistogramSettings NATIVE = new HistogramSettings(HistogramSettings.Kind.NATIVE, 5, 0x1p-128,
            160);

    @Test
    void sameBucketsAsClientJavaForDurationsBelowAndAboveOneSecond() {
        SplittableRandom random = new SplittableRandom(1);
        assertSameAsClientJava(NATIVE, null, () -> 0.05 * Math.pow(10, random.nextDouble()), 20_000, 5);
    }

    @Test
    void sameBucketsAsClientJavaForNegativeValuesAndZero() {
        SplittableRandom random = new SplittableRandom(2);
        assertSameAsClientJava(NATIVE, null,
                () -> (random.nextInt(10) == 0) ? 0 : random.nextDouble(1, 3) * (random.nextBoolean() ? 1 : -1), 20_000,
                5);
    }

    @Test
    void sameBucketsAsClientJavaAtEverySchema() {
        for (int schema = HistogramSettings.MIN_SCHEMA; schema <= HistogramSettings.MAX_SCHEMA; schema++) {
            SplittableRandom random = new SplittableRandom(schema + 100);
            HistogramSettings settings = new HistogramSettings(HistogramSettings.Kind.NATIVE, schema, 0x1p-128,
                    100_000);
            assertSameAsClientJava(settings, null, () -> Math.pow(2, random.nextDouble(-30, 30)), 5_000, schema);
        }
    }

    @Test
    void sameReducedSchemaAndBucketsAsClientJavaWhenSizesPassTheBucketLimit() {
        SplittableRandom random = new SplittableRandom(3);
        // 1 B to 4 MiB at schema 5 is up to 704 buckets: reduced to schema 3 (at most
        // 176,
        // fewer since sizes are whole bytes)
        assertSameAsClientJava(NATIVE, null, () -> Math.floor(Math.pow(2, random.nextDouble(0, 22))) + 1, 50_000, 3);
    }

    @Test
    void sameClassicAndNativeBucketsAsClientJavasHybridHistogram() {
        SplittableRandom random = new SplittableRandom(4);
        HistogramSettings both = new HistogramSettings(HistogramSettings.Kind.BOTH, 5, 0x1p-128, 160);
        HistogramDataPointSnapshot ours = assertSameAsClientJava(both, BOUNDS,
                () -> 0.05 * Math.pow(10, random.nextDouble()), 20_000, 5);
        assertThat(ours.hasClassicHistogramData()).isTrue();
    }

    @Test
    void reducingTheSchemaKeepsEveryValueInTheBucketWhoseBoundsHoldIt() {
        // client_java 1.7.0 moves a negative even bucket index one bucket right when it
        // reduces the schema (client_java issue 2270); durations below 1 s have such
        // indexes
        SplittableRandom random = new SplittableRandom(5);
        HistogramSettings settings = new HistogramSettings(HistogramSettings.Kind.NATIVE, 5, 0x1p-128, 40);
        NativeDataPoint dataPoint = new NativeDataPoint(settings, null);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            double value = Math.pow(2, random.nextDouble(-12, 4));
            values.add(value);
            dataPoint.observe(value);
        }
        HistogramDataPointSnapshot snapshot = snapshot(dataPoint);
        int schema = snapshot.getNativeSchema();
        assertThat(schema).isLessThan(5);
        NativeHistogramBuckets expected = binned(values, schema);
        assertThat(indexes(snapshot.getNativeBucketsForPositiveValues())).isEqualTo(indexes(expected));
        assertThat(counts(snapshot.getNativeBucketsForPositiveValues())).isEqualTo(counts(expected));
        assertThat(snapshot.getNativeBucketsForPositiveValues().size()).isLessThanOrEqualTo(40);
    }

    @Test
    void keepsTheBucketLimitDownToSchemaMinusFour() {
        NativeDataPoint dataPoint = new NativeDataPoint(
                new HistogramSettings(HistogramSettings.Kind.NATIVE, 8, 0x1p-128, 10), null);
        for (int exponent = -1000; exponent <= 1000; exponent += 7) {
            dataPoint.observe(Math.scalb(1.5, exponent));
            dataPoint.observe(-Math.scalb(1.5, exponent));
        }
        dataPoint.observe(Double.POSITIVE_INFINITY);
        HistogramDataPointSnapshot snapshot = snapshot(dataPoint);
        assertThat(snapshot.getNativeSchema()).isEqualTo(-4);
        assertThat(snapshot.getCount()).isEqualTo(2 * 286 + 1);
        assertThat(snapshot.getNativeBucketsForPositiveValues().size()
                + snapshot.getNativeBucketsForNegativeValues().size())
            .isLessThan(2 * 286);
    }

    @Test
    void losesNoObservationWhenThreadsRecordWhileTheSchemaIsReducedAndSnapshotsAreTaken() throws Exception {
        HistogramSettings both = new HistogramSettings(HistogramSettings.Kind.BOTH, 8, 0x1p-128, 20);
        NativeDataPoint dataPoint = new NativeDataPoint(both, ClassicHistogram.withInfinity(BOUNDS));
        int threads = 4;
        int each = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> recorders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            SplittableRandom random = new SplittableRandom(t);
            Thread thread = new Thread(() -> {
                await(start);
                for (int i = 0; i < each; i++) {
                    dataPoint.observe(Math.pow(2, random.nextInt(-20, 20)));
                }
            });
            thread.start();
            recorders.add(thread);
        }
        start.countDown();
        long previous = 0;
        int snapshots = 0;
        while (recorders.stream().anyMatch(Thread::isAlive)) {
            // the model checks that the classic and native counts agree
            HistogramDataPointSnapshot snapshot = snapshot(dataPoint);
            assertThat(snapshot.getCount()).isGreaterThanOrEqualTo(previous);
            previous = snapshot.getCount();
            snapshots++;
        }
        for (Thread thread : recorders) {
            thread.join();
        }
        done.set(true);
        HistogramDataPointSnapshot last = snapshot(dataPoint);
        assertThat(last.getCount()).isEqualTo((long) threads * each);
        assertThat(last.hasClassicHistogramData()).isTrue();
        long inBuckets = last.getNativeZeroCount();
        for (NativeHistogramBucket bucket : last.getNativeBucketsForPositiveValues()) {
            inBuckets += bucket.getCount();
        }
        assertThat(inBuckets).isEqualTo((long) threads * each);
        assertThat(last.getNativeBucketsForPositiveValues().size()).isLessThanOrEqualTo(20);
        assertThat(snapshots).isPositive();
    }

    @Test
    void ignoresNaN() {
        NativeDataPoint dataPoint = new NativeDataPoint(NATIVE, null);
        dataPoint.observe(Double.NaN);
        dataPoint.observe(1);
        assertThat(snapshot(dataPoint).getCount()).isOne();
        assertThat(snapshot(dataPoint).getSum()).isOne();
    }

    private static HistogramDataPointSnapshot assertSameAsClientJava(HistogramSettings settings, double[] classicBounds,
            DoubleSupplier values, int count, int expectedSchema) {
        Histogram.Builder builder = Histogram.builder()
            .name("reference")
            .nativeInitialSchema(settings.initialSchema())
            .nativeMinZeroThreshold(settings.zeroThreshold())
            .nativeMaxZeroThreshold(settings.zeroThreshold())
            .nativeMaxNumberOfBuckets(settings.maxBuckets())
            .withoutExemplars();
        if (classicBounds == null) {
            builder.nativeOnly();
        }
        else {
            builder.classicUpperBounds(classicBounds);
        }
        DistributionDataPoint reference = builder.build();
        NativeDataPoint dataPoint = new NativeDataPoint(settings,
                (classicBounds != null) ? ClassicHistogram.withInfinity(classicBounds) : null);
        for (int i = 0; i < count; i++) {
            double value = values.getAsDouble();
            dataPoint.observe(value);
            reference.observe(value);
        }
        HistogramDataPointSnapshot theirs = ((Histogram) reference).collect().getDataPoints().get(0);
        HistogramDataPointSnapshot ours = snapshot(dataPoint);
        assertThat(ours.getNativeSchema()).isEqualTo(theirs.getNativeSchema()).isEqualTo(expectedSchema);
        assertThat(ours.getNativeZeroThreshold()).isEqualTo(theirs.getNativeZeroThreshold());
        assertThat(ours.getNativeZeroCount()).isEqualTo(theirs.getNativeZeroCount());
        assertThat(indexes(ours.getNativeBucketsForPositiveValues()))
            .isEqualTo(indexes(theirs.getNativeBucketsForPositiveValues()));
        assertThat(counts(ours.getNativeBucketsForPositiveValues()))
            .isEqualTo(counts(theirs.getNativeBucketsForPositiveValues()));
        assertThat(indexes(ours.getNativeBucketsForNegativeValues()))
            .isEqualTo(indexes(theirs.getNativeBucketsForNegativeValues()));
        assertThat(counts(ours.getNativeBucketsForNegativeValues()))
            .isEqualTo(counts(theirs.getNativeBucketsForNegativeValues()));
        assertThat(ours.getCount()).isEqualTo(theirs.getCount()).isEqualTo(count);
        assertThat(ours.getSum()).isEqualTo(theirs.getSum());
        assertThat(ours.hasClassicHistogramData()).isEqualTo(theirs.hasClassicHistogramData());
        if (theirs.hasClassicHistogramData()) {
            assertThat(ours.getClassicBuckets().stream().map((b) -> b.getUpperBound() + "=" + b.getCount()).toList())
                .isEqualTo(theirs.getClassicBuckets()
                    .stream()
                    .map((b) -> b.getUpperBound() + "=" + b.getCount())
                    .toList());
        }
        assertThat(ours.getNativeBucketsForPositiveValues().size() + ours.getNativeBucketsForNegativeValues().size())
            .isPositive();
        return ours;
    }

    /** Each value's bucket at a schema by the definition: ceil(log2(v) * 2^schema). */
    private static NativeHistogramBuckets binned(List<Double> values, int schema) {
        java.util.TreeMap<Integer, Long> counts = new java.util.TreeMap<>();
        for (double value : values) {
            int index = (int) Math.ceil(Math.log(value) / Math.log(2) * Math.pow(2, schema));
            counts.merge(index, 1L, Long::sum);
        }
        return NativeHistogramBuckets.of(new ArrayList<>(counts.keySet()), new ArrayList<>(counts.values()));
    }

    private static List<Integer> indexes(NativeHistogramBuckets buckets) {
        return buckets.stream().map(NativeHistogramBucket::getBucketIndex).toList();
    }

    private static List<Long> counts(NativeHistogramBuckets buckets) {
        return buckets.stream().map(NativeHistogramBucket::getCount).toList();
    }

    private static HistogramDataPointSnapshot snapshot(NativeDataPoint dataPoint) {
        return dataPoint.snapshot(Labels.EMPTY, Exemplars.EMPTY, 0);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

}
