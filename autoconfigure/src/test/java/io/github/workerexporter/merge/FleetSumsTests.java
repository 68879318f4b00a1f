package io.github.workerexporter.merge;

import java.util.List;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet sums of {@link FleetSums}: exemplars kept, the newest of each bucket.
 *
 * @author Worker Exporter
 */
class FleetSumsTests {

    private static final double[] BOUNDS = { 0.1, 0.5, Double.POSITIVE_INFINITY };

    @Test
    void eachBucketKeepsTheNewestExemplarOfTheWorkersAndTheCounterItsNewest() {
        Exemplar fastOld = exemplar("aaaa", 0.05, 1_000);
        Exemplar fastNew = exemplar("bbbb", 0.08, 2_000);
        Exemplar slow = exemplar("cccc", 0.3, 1_500);
        MetricSnapshots sums = new FleetSums("gunicorn")
            .add(worker("w1", new long[] { 1, 0, 0 }, Exemplars.of(fastOld), fastOld))
            .add(worker("w2", new long[] { 1, 1, 0 }, Exemplars.of(fastNew, slow), slow))
            .build();
        HistogramDataPointSnapshot histogram = ((HistogramSnapshot) sums.get(0)).getDataPoints().get(0);
        assertThat(histogram.getLabels().size()).isZero();
        assertThat(histogram.getClassicBuckets().getCount(0)).isEqualTo(2);
        assertThat(histogram.getExemplars().get(0.0, 0.1)).isEqualTo(fastNew);
        assertThat(histogram.getExemplars().get(0.1, 0.5)).isEqualTo(slow);
        assertThat(histogram.getExemplars().size()).isEqualTo(2);
        CounterDataPointSnapshot counter = ((CounterSnapshot) sums.get(1)).getDataPoints().get(0);
        assertThat(counter.getValue()).isEqualTo(3);
        assertThat(counter.getExemplar()).isEqualTo(slow);
    }

    private static MetricSnapshots worker(String id, long[] counts, Exemplars exemplars, Exemplar newest) {
        long requests = 0;
        for (long count : counts) {
            requests += count;
        }
        Labels labels = Labels.of("worker_id", id);
        return MetricSnapshots.of(
                new CounterSnapshot(new MetricMetadata("gunicorn_worker_requests"),
                        List.of(new CounterDataPointSnapshot(requests, labels, newest, 0))),
                new HistogramSnapshot(new MetricMetadata("gunicorn_worker_request_duration_seconds"),
                        List.of(new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(BOUNDS, counts), 0.5, labels,
                                exemplars, 0))));
    }

    private static Exemplar exemplar(String traceId, double value, long timestamp) {
        return Exemplar.builder()
            .labels(Labels.of("trace_id", traceId))
            .value(value)
            .timestampMillis(timestamp)
            .build();
    }

}
