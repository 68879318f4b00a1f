package io.github.workerexporter.storage;

import java.util.Arrays;
import java.util.Base64;

import io.prometheus.metrics.core.metrics.Histogram;
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
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
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

    private static final String VERSION_1 = "V0VYUwEAAAABAwAAAChndW5pY29ybl93b3JrZXJfcmVxdWVzdF9kdXJhdGlvbl9zZWNvbmRzAAAAG1JlcXVlc3QgZHVyYXRpb24gaW4gc2Vjb25kcwAAAAAAAAABAAAAAQAAAAl3b3JrZXJfaWQAAAADdy0xAAABi8/laAA//AAAAAAAAAAAAAM/uZmZmZmZmgAAAAAAAAADP+AAAAAAAAAAAAAAAAAAAn/wAAAAAAAAAAAAAAAAAAE=";

    private static final String VERSION_2 = "V0VYUwIAAAACAwAAAChndW5pY29ybl93b3JrZXJfcmVxdWVzdF9kdXJhdGlvbl9zZWNvbmRzAAAAG1JlcXVlc3QgZHVyYXRpb24gaW4gc2Vjb25kcwAAAAAAAAABAAAAAQAAAAl3b3JrZXJfaWQAAAADdy0xAAABi8/laAA//AAAAAAAAAAAAAM/uZmZmZmZmgAAAAAAAAADP+AAAAAAAAAAAAAAAAAAAn/wAAAAAAAAAAAAAAAAAAEAAAAAAQAAABhndW5pY29ybl93b3JrZXJfcmVxdWVzdHMAAAAAAAAAAAAAAAEAAAABAAAACXdvcmtlcl9pZAAAAAN3LTEAAAAAAAAAAEAAAAAAAAAAAAAAAQAAAAEAAAAIdHJhY2VfaWQAAAADYWJjP9rhR64UeuEAAAGLz+Vp9A==";

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
    void decodesARangeOfALargerArrayAsItsOwnBytes() {
        MetricSnapshots snapshots = MetricSnapshots.of(histogram(false));
        byte[] bytes = this.codec.encode(snapshots);
        byte[] larger = new byte[bytes.length + 20];
        Arrays.fill(larger, (byte) 0x7f);
        System.arraycopy(bytes, 0, larger, 7, bytes.length);
        assertThat(Exposition.text(this.codec.decode(larger, 7, bytes.length)))
            .isEqualTo(Exposition.text(this.codec.decode(bytes)))
            .isEqualTo(Exposition.text(snapshots));
    }

    @Test
    void rejectsEveryTruncationOfARangeWithoutReadingPastIt() {
        byte[] bytes = this.codec.encode(MetricSnapshots.of(histogram(false)));
        byte[] larger = new byte[bytes.length + 3];
        System.arraycopy(bytes, 0, larger, 3, bytes.length);
        for (int length = 0; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(larger, 3 + bytes.length);
            int cut = length;
            assertThatExceptionOfType(StoreException.class).isThrownBy(() -> this.codec.decode(prefix, 3, cut));
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
    void roundTripsANativeHistogramInVersion3() {
        Histogram histogram = Histogram.builder()
            .name("gunicorn_worker_request_duration_seconds")
            .help("Request duration in seconds")
            .labelNames("worker_id")
            .nativeOnly()
            .build();
        // Positive and negative buckets, zeros, and spans far apart.
        for (double value : new double[] { 0.003, 0.1, 0.1, 0.3, 0, -0.25, -7, 1e-9, 2.5e6 }) {
            histogram.labelValues("w-1").observe(value);
        }
        histogram.labelValues("w-2").observe(42);
        HistogramSnapshot snapshot = histogram.collect();
        assertThat(snapshot.getDataPoints().get(0).getNativeBucketsForNegativeValues().size()).isEqualTo(2);
        byte[] bytes = this.codec.encode(MetricSnapshots.of(snapshot));
        assertThat(bytes[4]).isEqualTo(BinarySnapshotCodec.VERSION_WITH_NATIVE_HISTOGRAMS);
        MetricSnapshots decoded = this.codec.decode(bytes);
        assertThat(Exposition.protobuf(decoded)).isEqualTo(Exposition.protobuf(snapshot)).contains("schema: 5");
        assertThat(Exposition.text(decoded)).isEqualTo(Exposition.text(snapshot));
    }

    @Test
    void roundTripsAHistogramThatIsClassicAndNativeWithExemplars() {
        Exemplar slow = Exemplar.builder().labels(Labels.of("trace_id", "4bf92f35")).value(0.42).build();
        HistogramSnapshot snapshot = HistogramSnapshot.builder()
            .name("gunicorn_worker_request_duration_seconds")
            .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(new double[] { 0.1, 0.5, Double.POSITIVE_INFINITY },
                        new long[] { 1, 1, 1 }))
                .nativeSchema(3)
                .nativeZeroThreshold(0.001)
                .nativeZeroCount(1)
                .nativeBucketsForPositiveValues(NativeHistogramBuckets.of(new int[] { -10, 3 }, new long[] { 1, 1 }))
                .sum(1.49)
                .labels(Labels.of("worker_id", "w-1"))
                .exemplars(Exemplars.of(slow))
                .createdTimestampMillis(1_700_000_000_000L)
                .build())
            .build();
        byte[] bytes = this.codec.encode(MetricSnapshots.of(snapshot));
        assertThat(bytes[4]).isEqualTo(BinarySnapshotCodec.VERSION_WITH_NATIVE_HISTOGRAMS);
        MetricSnapshots decoded = this.codec.decode(bytes);
        assertThat(Exposition.protobuf(decoded)).isEqualTo(Exposition.protobuf(snapshot))
            .contains("zero_threshold: 0.001")
            .contains("trace_id");
        assertThat(Exposition.text(decoded)).isEqualTo(Exposition.text(snapshot)).contains("le=\"0.5\"");
    }

    @Test
    void keepsTheClassicHistogramsOfAVersion3RecordClassic() {
        Histogram classic = Histogram.builder().name("classic_seconds").classicOnly().build();
        classic.observe(0.2);
        Histogram nativeOnly = Histogram.builder().name("native_seconds").nativeOnly().build();
        nativeOnly.observe(0.2);
        MetricSnapshots snapshots = MetricSnapshots.of(classic.collect(), nativeOnly.collect());
        MetricSnapshots decoded = this.codec.decode(this.codec.encode(snapshots));
        assertThat(((HistogramSnapshot) decoded.get(0)).getDataPoints().get(0).hasNativeHistogramData()).isFalse();
        assertThat(((HistogramSnapshot) decoded.get(1)).getDataPoints().get(0).hasClassicHistogramData()).isFalse();
        assertThat(Exposition.protobuf(decoded)).isEqualTo(Exposition.protobuf(snapshots));
    }

    @Test
    void writesRecordsWithoutNativeHistogramsAsVersions1And2DidAndStillReadsThem() {
        // Encoded by the codec before version 3 existed.
        byte[] version1 = Base64.getDecoder().decode(VERSION_1);
        byte[] version2 = Base64.getDecoder().decode(VERSION_2);
        CounterSnapshot counter = CounterSnapshot.builder()
            .name("gunicorn_worker_requests")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .value(2)
                .labels(Labels.of("worker_id", "w-1"))
                .exemplar(Exemplar.builder()
                    .labels(Labels.of("trace_id", "abc"))
                    .value(0.42)
                    .timestampMillis(1_700_000_000_500L)
                    .build())
                .build())
            .build();
        assertThat(this.codec.encode(MetricSnapshots.of(histogram(false)))).isEqualTo(version1);
        assertThat(this.codec.encode(MetricSnapshots.of(counter, histogram(false)))).isEqualTo(version2);
        assertThat(Exposition.text(this.codec.decode(version1))).isEqualTo(Exposition.text(histogram(false)));
        assertThat(Exposition.text(this.codec.decode(version2))).isEqualTo(Exposition.text(counter, histogram(false)));
    }

    @Test
    void rejectsEveryTruncationOfAVersion3RecordWithStoreException() {
        Histogram histogram = Histogram.builder().name("native_seconds").build();
        for (double value : new double[] { 0.01, 0.2, -3, 0 }) {
            histogram.observe(value);
        }
        byte[] bytes = this.codec.encode(MetricSnapshots.of(histogram.collect()));
        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatExceptionOfType(StoreException.class).isThrownBy(() -> this.codec.decode(truncated));
        }
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
