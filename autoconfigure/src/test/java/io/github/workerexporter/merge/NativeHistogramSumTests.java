package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.DoubleStream;

import org.junit.jupiter.api.Test;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Native histograms summed by {@link FleetSums} against client_java's own model: the
 * workers' data points are collected from real client_java {@link Histogram}s, and their
 * sum is compared with ONE client_java histogram fed every worker's values (at the
 * coarsest schema and the widest zero threshold of the workers).
 *
 * @author Worker Exporter
 */
class NativeHistogramSumTests {

    private static final String NAME = "gunicorn_worker_request_duration_seconds";

    /**
     * Latencies and sizes around and below 1 (negative bucket indexes), zeros, negatives.
     */
    private static final double[] FIRST = { 0.003, 0.1, 0.1, 0.3, 0, -0.25, -7, 1e-6, 2.5e6 };

    private static final double[] SECOND = { 0.1, 0.12, 0.5, -0.25, 0, 3, 0.0004 };

    @Test
    void equalSchemasAddBucketByBucketAsOneHistogramFedAllValues() {
        HistogramDataPointSnapshot sum = sum(histogram(Histogram.Builder::nativeOnly, FIRST),
                histogram(Histogram.Builder::nativeOnly, SECOND));
        HistogramDataPointSnapshot expected = point(histogram(Histogram.Builder::nativeOnly, FIRST, SECOND));
        assertSame(sum, expected);
        assertThat(sum.hasClassicHistogramData()).isFalse();
        assertThat(sum.getNativeSchema()).isEqualTo(5);
        assertThat(sum.getNativeZeroCount()).isEqualTo(2);
        assertThat(sum.getNativeBucketsForNegativeValues().size()).isEqualTo(2);
        // Spans far apart: a micro- and a mega-second bucket with nothing in between.
        NativeHistogramBuckets positive = sum.getNativeBucketsForPositiveValues();
        assertThat(positive.getBucketIndex(positive.size() - 1) - positive.getBucketIndex(0)).isGreaterThan(1000);
    }

    @Test
    void differentSchemasAreReducedToTheCoarsestBeforeAdding() {
        HistogramDataPointSnapshot sum = sum(histogram((builder) -> builder.nativeOnly().nativeInitialSchema(5), FIRST),
                histogram((builder) -> builder.nativeOnly().nativeInitialSchema(2), SECOND),
                histogram((builder) -> builder.nativeOnly().nativeInitialSchema(7), 0.1, -0.1, 0.2));
        HistogramDataPointSnapshot expected = point(histogram((builder) -> builder.nativeOnly().nativeInitialSchema(2),
                FIRST, SECOND, new double[] { 0.1, -0.1, 0.2 }));
        assertThat(sum.getNativeSchema()).isEqualTo(2);
        assertSame(sum, expected);
    }

    @Test
    void reducingASchemaPutsEveryValueInTheBucketClientJavaPutsItInAtTheCoarserSchema() {
        double[] values = DoubleStream.iterate(1e-4, (value) -> value * 1.047).limit(400).toArray();
        double[] negatives = DoubleStream.of(values).map((value) -> -value * 1.3).toArray();
        Histogram finest = histogram((builder) -> builder.nativeOnly().nativeInitialSchema(8), values, negatives);
        for (int schema = -4; schema < 8; schema++) {
            int coarse = schema;
            UnaryOperator<Histogram.Builder> atSchema = (builder) -> builder.nativeOnly().nativeInitialSchema(coarse);
            HistogramDataPointSnapshot sum = sum(finest, histogram(atSchema, 1.0));
            HistogramDataPointSnapshot expected = point(histogram(atSchema, values, negatives, new double[] { 1.0 }));
            assertThat(sum.getNativeSchema()).isEqualTo(schema);
            assertSame(sum, expected);
        }
    }

    @Test
    void theZeroBucketTakesTheWidestThresholdAndTheBucketsBelowIt() {
        UnaryOperator<Histogram.Builder> wide = (builder) -> builder.nativeOnly().nativeMinZeroThreshold(0.0625);
        HistogramDataPointSnapshot sum = sum(histogram(wide, 0.01, 0.2, -0.05, 3),
                histogram(Histogram.Builder::nativeOnly, 0.03, 0.0625, 0.07, -0.06, -0.1, 0.5, 0));
        HistogramDataPointSnapshot expected = point(histogram(wide, new double[] { 0.01, 0.2, -0.05, 3 },
                new double[] { 0.03, 0.0625, 0.07, -0.06, -0.1, 0.5, 0 }));
        assertThat(sum.getNativeZeroThreshold()).isEqualTo(0.0625);
        assertThat(sum.getNativeZeroCount()).isEqualTo(6);
        assertSame(sum, expected);
    }

    @Test
    void aThresholdInsideABucketOfTheCoarsestSchemaWidensToThatBucketsUpperBound() {
        HistogramDataPointSnapshot sum = sum(
                histogram((builder) -> builder.nativeOnly()
                    .nativeInitialSchema(3)
                    .nativeMinZeroThreshold(0.1)
                    .nativeMaxZeroThreshold(0.2), 0.05, 0.11, 0.3),
                histogram((builder) -> builder.nativeOnly().nativeInitialSchema(0), 0.07, 0.12, 0.126, -0.09, 1));
        HistogramDataPointSnapshot expected = point(histogram(
                (builder) -> builder.nativeOnly()
                    .nativeInitialSchema(0)
                    .nativeMinZeroThreshold(0.125)
                    .nativeMaxZeroThreshold(0.2),
                new double[] { 0.05, 0.11, 0.3 }, new double[] { 0.07, 0.12, 0.126, -0.09, 1 }));
        // (0.0625, 0.125] straddles 0.1 at schema 0: the threshold widens to 0.125.
        assertThat(sum.getNativeZeroThreshold()).isEqualTo(0.125);
        assertThat(sum.getNativeZeroCount()).isEqualTo(5);
        assertSame(sum, expected);
    }

    @Test
    void histogramsThatAreClassicAndNativeAddBothAsOneHistogram() {
        HistogramDataPointSnapshot sum = sum(histogram(UnaryOperator.identity(), FIRST),
                histogram(UnaryOperator.identity(), SECOND));
        HistogramDataPointSnapshot expected = point(histogram(UnaryOperator.identity(), FIRST, SECOND));
        assertThat(sum.hasClassicHistogramData()).isTrue();
        assertThat(sum.hasNativeHistogramData()).isTrue();
        assertSame(sum, expected);
    }

    @Test
    void aClassicWorkerBesideNativeOnesLeavesTheSumClassicWithItsCountExact() {
        Histogram classic = histogram(Histogram.Builder::classicOnly, FIRST);
        Histogram both = histogram(UnaryOperator.identity(), 0.2, 0.3);
        Histogram nativeOnly = histogram(Histogram.Builder::nativeOnly, SECOND);
        HistogramDataPointSnapshot sum = sum(classic, both, nativeOnly);
        assertThat(sum.hasNativeHistogramData()).isFalse();
        assertThat(sum.getCount()).isEqualTo(FIRST.length + 2 + SECOND.length);
        ClassicHistogramBuckets buckets = sum.getClassicBuckets();
        assertThat(buckets.getUpperBound(buckets.size() - 1)).isEqualTo(Double.POSITIVE_INFINITY);
        // The native-only worker's observations are counted in +Inf, where every one is.
        assertThat(buckets.getCount(buckets.size() - 1)).isEqualTo(1 + SECOND.length);
        // Classic and native beside native only: classic buckets and native ones, equal
        // counts.
        HistogramDataPointSnapshot mixed = sum(both, nativeOnly);
        assertThat(mixed.hasClassicHistogramData()).isTrue();
        assertThat(mixed.hasNativeHistogramData()).isTrue();
        assertThat(mixed.getCount()).isEqualTo(2 + SECOND.length);
    }

    @Test
    void aNativeOnlySumKeepsTheNewestExemplarsAsManyAsTheRichestWorkerHad() {
        Exemplar oldest = exemplar("a", 0.1, 1_000);
        Exemplar older = exemplar("b", 0.2, 2_000);
        Exemplar newer = exemplar("c", 0.3, 3_000);
        Exemplar newest = exemplar("d", 0.4, 4_000);
        HistogramDataPointSnapshot sum = sum(nativePoint(Exemplars.of(oldest, newer)),
                nativePoint(Exemplars.of(newest, older)), nativePoint(Exemplars.EMPTY));
        assertThat(sum.getExemplars()).containsExactlyInAnyOrder(newest, newer);
    }

    @Test
    void reducesIndexesAsPrometheusDoes() {
        // Bucket i at schema s is (2^((i-1)/2^s), 2^(i/2^s)]; at s-1 it is in ceil(i/2).
        assertThat(List.of(-4, -3, -2, -1, 0, 1, 2, 3, 4).stream().map((i) -> NativeHistogramSum.reducedIndex(i, 1)))
            .containsExactly(-2, -1, -1, 0, 0, 1, 1, 2, 2);
        assertThat(NativeHistogramSum.reducedIndex(-106, 3)).isEqualTo(-13);
        assertThat(NativeHistogramSum.upperBound(-1, 1)).isEqualTo(4);
        assertThat(NativeHistogramSum.upperBound(1, -2)).isEqualTo(0.5);
    }

    private static HistogramDataPointSnapshot nativePoint(Exemplars exemplars) {
        return HistogramDataPointSnapshot.builder()
            .nativeSchema(3)
            .nativeBucketsForPositiveValues(NativeHistogramBuckets.of(new int[] { -8, -5 }, new long[] { 1, 1 }))
            .sum(0.6)
            .exemplars(exemplars)
            .build();
    }

    private static Exemplar exemplar(String traceId, double value, long timestamp) {
        return Exemplar.builder()
            .labels(Labels.of("trace_id", traceId))
            .value(value)
            .timestampMillis(timestamp)
            .build();
    }

    private static Histogram histogram(UnaryOperator<Histogram.Builder> configuration, double... values) {
        return histogram(configuration, new double[][] { values });
    }

    private static Histogram histogram(UnaryOperator<Histogram.Builder> configuration, double[]... values) {
        Histogram histogram = configuration.apply(Histogram.builder().name(NAME).nativeMaxNumberOfBuckets(10_000))
            .build();
        for (double[] some : values) {
            for (double value : some) {
                histogram.observe(value);
            }
        }
        return histogram;
    }

    private static HistogramDataPointSnapshot point(Histogram histogram) {
        return histogram.collect().getDataPoints().get(0);
    }

    private static HistogramDataPointSnapshot sum(Histogram... workers) {
        List<HistogramDataPointSnapshot> points = new ArrayList<>();
        for (Histogram worker : workers) {
            points.add(point(worker));
        }
        return sum(points.toArray(HistogramDataPointSnapshot[]::new));
    }

    private static HistogramDataPointSnapshot sum(HistogramDataPointSnapshot... points) {
        FleetSums sums = new FleetSums("gunicorn");
        for (HistogramDataPointSnapshot point : points) {
            sums.add(MetricSnapshots.of(new HistogramSnapshot(new MetricMetadata(NAME), List.of(point))));
        }
        return ((HistogramSnapshot) sums.build().get(0)).getDataPoints().get(0);
    }

    private static void assertSame(HistogramDataPointSnapshot actual, HistogramDataPointSnapshot expected) {
        assertThat(describe(actual)).isEqualTo(describe(expected));
        assertThat(actual.getSum()).isCloseTo(expected.getSum(), within(1e-9 * Math.abs(expected.getSum())));
    }

    /**
     * Everything but the sum (compared with a tolerance: added in another order) and the
     * created timestamp.
     */
    static String describe(HistogramDataPointSnapshot point) {
        StringBuilder description = new StringBuilder("count ").append(point.getCount());
        if (point.hasNativeHistogramData()) {
            description.append(", schema ")
                .append(point.getNativeSchema())
                .append(", zero threshold ")
                .append(point.getNativeZeroThreshold())
                .append(", zero count ")
                .append(point.getNativeZeroCount())
                .append(", positive ")
                .append(describe(point.getNativeBucketsForPositiveValues()))
                .append(", negative ")
                .append(describe(point.getNativeBucketsForNegativeValues()));
        }
        if (point.hasClassicHistogramData()) {
            description.append(", classic");
            ClassicHistogramBuckets buckets = point.getClassicBuckets();
            for (int i = 0; i < buckets.size(); i++) {
                description.append(' ').append(buckets.getUpperBound(i)).append(':').append(buckets.getCount(i));
            }
        }
        return description.toString();
    }

    private static String describe(NativeHistogramBuckets buckets) {
        StringBuilder description = new StringBuilder("[");
        for (int i = 0; i < buckets.size(); i++) {
            description.append((i > 0) ? " " : "")
                .append(buckets.getBucketIndex(i))
                .append(':')
                .append(buckets.getCount(i));
        }
        return description.append(']').toString();
    }

}
