package io.github.workerexporter.storage;

import java.util.Arrays;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class BinarySnapshotCodecTests {

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    @Test
    void roundTripsACounterWithLabelsAndCreatedTimestamp() {
        assertRoundTrip(CounterSnapshot.builder()
            .name("gunicorn_worker_requests")
            .help("Total number of requests handled by this worker")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .value(42)
                .labels(Labels.of("worker_id", "w-1", "method", "GET"))
                .createdTimestampMillis(1_700_000_000_123L)
                .build())
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .value(0.5)
                .labels(Labels.of("worker_id", "ü ✓"))
                .build())
            .build());
    }

    @Test
    void roundTripsAGaugeWithAUnit() {
        assertRoundTrip(GaugeSnapshot.builder()
            .name("gunicorn_worker_memory_bytes")
            .unit(Unit.BYTES)
            .help("Memory usage of the worker process")
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1.5e9).build())
            .build());
    }

    @Test
    void roundTripsAClassicHistogram() {
        assertRoundTrip(histogram(false));
    }

    @Test
    void roundTripsAGaugeHistogram() {
        assertRoundTrip(histogram(true));
    }

    @Test
    void roundTripsASummary() {
        assertRoundTrip(SummarySnapshot.builder()
            .name("latency_seconds")
            .help("Latency")
            .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder()
                .count(10)
                .sum(2.5)
                .quantiles(Quantiles.of(new Quantile(0.5, 0.2), new Quantile(0.99, 0.9)))
                .labels(Labels.of("uri", "/a"))
                .createdTimestampMillis(1_700_000_000_000L)
                .build())
            .build());
    }

    @Test
    void roundTripsInfoStateSetAndUnknown() {
        assertRoundTrip(
                InfoSnapshot.builder()
                    .name("app")
                    .help("Application")
                    .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", "1.0")).build())
                    .build(),
                StateSetSnapshot.builder()
                    .name("feature")
                    .help("Features")
                    .dataPoint(StateSetSnapshot.StateSetDataPointSnapshot.builder()
                        .state("a", true)
                        .state("b", false)
                        .build())
                    .build(),
                UnknownSnapshot.builder()
                    .name("other")
                    .dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder().value(-3).build())
                    .build());
    }

    @Test
    void roundTripsNoFamilies() {
        assertThat(this.codec.decode(this.codec.encode(MetricSnapshots.of())).size()).isZero();
    }

    @Test
    void rejectsForeignBytes() {
        assertThatExceptionOfType(StoreException.class).isThrownBy(() -> this.codec.decode(new byte[0]));
        assertThatExceptionOfType(StoreException.class)
            .isThrownBy(() -> this.codec.decode("# HELP not ours\n".getBytes()))
            .withMessageContaining("magic");
    }

    @Test
    void rejectsEveryTruncationWithStoreException() {
        byte[] bytes = this.codec.encode(MetricSnapshots.of(histogram(false),
                GaugeSnapshot.builder()
                    .name("g")
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).build())
                    .build()));
        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatExceptionOfType(StoreException.class).isThrownBy(() -> this.codec.decode(truncated));
        }
    }

    @Test
    void rejectsCorruptBytesWithStoreExceptionOnly() {
        byte[] bytes = this.codec.encode(MetricSnapshots.of(histogram(false)));
        for (int i = 5; i < bytes.length; i++) {
            byte[] corrupt = bytes.clone();
            corrupt[i] = (byte) (corrupt[i] ^ 0xFF);
            try {
                this.codec.decode(corrupt);
            }
            catch (StoreException ex) {
                // expected for most positions; a flipped value byte may still decode
            }
        }
    }

    @Test
    void roundTripsTheExemplarsOfCountersAndHistogramsInVersion2() {
        Exemplar slow = Exemplar.builder()
            .labels(Labels.of("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "span_id", "00f067aa0ba902b7"))
            .value(0.42)
            .timestampMillis(1_700_000_000_500L)
            .build();
        Exemplar fast = Exemplar.builder().labels(Labels.of("trace_id", "0af7651916cd43dd")).value(0.05).build();
        CounterSnapshot counter = CounterSnapshot.builder()
            .name("gunicorn_worker_requests")
            .help("Total number of requests handled by this worker")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .value(2)
                .labels(Labels.of("worker_id", "w-1"))
                .exemplar(slow)
                .build())
            .build();
        HistogramSnapshot histogram = HistogramSnapshot.builder()
            .name("gunicorn_worker_request_duration_seconds")
            .help("Request duration in seconds")
            .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(new double[] { 0.1, 0.5, Double.POSITIVE_INFINITY },
                        new long[] { 1, 1, 0 }))
                .sum(0.47)
                .labels(Labels.of("worker_id", "w-1"))
                .exemplars(Exemplars.of(fast, slow))
                .build())
            .build();
        byte[] bytes = this.codec.encode(MetricSnapshots.of(counter, histogram));
        assertThat(bytes[4]).isEqualTo(BinarySnapshotCodec.VERSION_WITH_EXEMPLARS);
        assertThat(Exposition.text(this.codec.decode(bytes))).isEqualTo(Exposition.text(counter, histogram))
            .contains("trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"")
            .contains("trace_id=\"0af7651916cd43dd\"");
    }

    @Test
    void writesVersion1WhenNothingHasAnExemplar() {
        assertThat(this.codec.encode(MetricSnapshots.of(histogram(false)))[4]).isEqualTo(BinarySnapshotCodec.VERSION);
    }

    @Test
    void rejectsAnotherVersion() {
        byte[] bytes = this.codec.encode(MetricSnapshots.of());
        bytes[4] = 99;
        assertThatExceptionOfType(StoreException.class).isThrownBy(() -> this.codec.decode(bytes))
            .withMessageContaining("version 99");
    }

    private static HistogramSnapshot histogram(boolean gaugeHistogram) {
        return HistogramSnapshot.builder()
            .name("gunicorn_worker_request_duration_seconds")
            .help("Request duration in seconds")
            .gaugeHistogram(gaugeHistogram)
            .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(new double[] { 0.1, 0.5, Double.POSITIVE_INFINITY },
                        new long[] { 3, 2, 1 }))
                .sum(1.75)
                .labels(Labels.of("worker_id", "w-1"))
                .createdTimestampMillis(1_700_000_000_000L)
                .build())
            .build();
    }

    private void assertRoundTrip(MetricSnapshot... snapshots) {
        MetricSnapshots original = MetricSnapshots.of(snapshots);
        MetricSnapshots decoded = this.codec.decode(this.codec.encode(original));
        assertThat(Exposition.text(decoded)).isEqualTo(Exposition.text(original));
        for (int i = 0; i < original.size(); i++) {
            assertThat(decoded.get(i).getClass()).isEqualTo(original.get(i).getClass());
            assertThat(decoded.get(i).getMetadata().getUnit()).isEqualTo(original.get(i).getMetadata().getUnit());
        }
    }

}
