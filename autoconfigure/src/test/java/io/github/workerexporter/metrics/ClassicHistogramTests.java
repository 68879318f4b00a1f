package io.github.workerexporter.metrics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static io.github.workerexporter.metrics.TextExpositions.withoutCreatedTimes;
import static io.github.workerexporter.metrics.TextExpositions.write;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ClassicHistogram}: the same exposition as client_java's classic
 * histogram for the same observations, in every text format, and no observation lost when
 * threads record at once.
 *
 * @author Worker Exporter
 */
class ClassicHistogramTests {

    private static final double[] BOUNDS = { 0.1, 0.5, 1, 2.5, 5, 10, 30, 60 };

    private static final String NAME = "gunicorn_worker_request_duration_seconds";

    private static final String HELP = "Request duration in seconds";

    @Test
    void exposesExactlyWhatClientJavasClassicHistogramExposesForTheSameObservations() throws IOException {
        PrometheusRegistry ours = new PrometheusRegistry();
        ClassicHistogram histogram = new ClassicHistogram(NAME, HELP, BOUNDS, "worker_id", "w1");
        ours.register(histogram);
        PrometheusRegistry theirs = new PrometheusRegistry();
        DistributionDataPoint reference = Histogram.builder()
            .name(NAME)
            .help(HELP)
            .labelNames("worker_id")
            .classicOnly()
            .classicUpperBounds(BOUNDS)
            .withoutExemplars()
            .register(theirs)
            .labelValues("w1");
        for (double value : observations()) {
            histogram.observe(value);
            reference.observe(value);
        }
        for (ExpositionFormatWriter writer : TextExpositions.WRITERS) {
            String expected = withoutCreatedTimes(write(writer, theirs));
            assertThat(withoutCreatedTimes(write(writer, ours))).as(writer.toString()).isEqualTo(expected);
            assertThat(expected).contains(NAME + "_bucket{worker_id=\"w1\",le=\"0.1\"}");
        }
    }

    @Test
    void countsAValueOnABucketsBoundInThatBucketAsLeSays() {
        ClassicHistogram histogram = new ClassicHistogram(NAME, HELP, new double[] { 1, 2 }, "worker_id", "w1");
        histogram.observe(1);
        histogram.observe(1.0000001);
        histogram.observe(2);
        histogram.observe(Double.POSITIVE_INFINITY);
        histogram.observe(Double.NaN);
        HistogramDataPointSnapshot point = histogram.collect().getDataPoints().get(0);
        assertThat(point.getClassicBuckets().getCount(0)).isEqualTo(1);
        assertThat(point.getClassicBuckets().getCount(1)).isEqualTo(2);
        assertThat(point.getClassicBuckets().getCount(2)).isEqualTo(1);
        assertThat(point.getCount()).isEqualTo(4);
    }

    @Test
    void losesNoObservationOfThreadsRecordingAtOnce() throws Exception {
        ClassicHistogram histogram = new ClassicHistogram(NAME, HELP, BOUNDS, "worker_id", "w1");
        int threads = 4;
        int each = 200_000;
        TextExpositions.runAtOnce(threads, () -> {
            for (int i = 0; i < each; i++) {
                histogram.observe((i % 2 == 0) ? 0.25 : 20);
            }
        });
        HistogramSnapshot snapshot = histogram.collect();
        HistogramDataPointSnapshot point = snapshot.getDataPoints().get(0);
        long total = (long) threads * each;
        assertThat(point.getCount()).isEqualTo(total);
        assertThat(point.getClassicBuckets().getCount(1)).isEqualTo(total / 2);
        assertThat(point.getClassicBuckets().getCount(6)).isEqualTo(total / 2);
        assertThat(point.getSum()).isEqualTo(total / 2 * 0.25 + total / 2 * 20.0);
    }

    @Test
    void refusesBoundsThatDoNotAscend() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> new ClassicHistogram(NAME, HELP, new double[] { 1, 1 }, "worker_id", "w1"))
            .withMessageContaining("ascend");
    }

    private static List<Double> observations() {
        List<Double> values = new ArrayList<>();
        for (double bound : BOUNDS) {
            values.add(bound);
            values.add(Math.nextUp(bound));
            values.add(Math.nextDown(bound));
        }
        values.addAll(List.of(0.0, -1.0, 1e9, Double.POSITIVE_INFINITY, Double.NaN));
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 1_000; i++) {
            values.add(random.nextDouble(0, 70));
        }
        return values;
    }

}
