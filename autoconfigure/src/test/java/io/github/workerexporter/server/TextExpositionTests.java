package io.github.workerexporter.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.core.metrics.StateSet;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link OpenMetricsExposition} and {@link PrometheusTextExposition} write the same bytes
 * as client_java's writers, with every option, for every escaping scheme, over random
 * snapshots of every type and over real metrics, and stream what they write.
 *
 * @author Worker Exporter
 */
class TextExpositionTests {

    private static final EscapingScheme[] SCHEMES = EscapingScheme.values();

    @Test
    void writesWhatClientJavasWritersWriteForRandomSnapshots() throws IOException {
        Set<String> kinds = new HashSet<>();
        for (int seed = 0; seed < 600; seed++) {
            MetricSnapshots snapshots = new RandomSnapshots(seed).snapshots(10);
            assertSameAsClientJava(snapshots, "seed " + seed);
            for (MetricSnapshot snapshot : snapshots) {
                kinds.add(snapshot.getClass().getSimpleName());
                if (snapshot instanceof HistogramSnapshot histogram) {
                    kinds.add(histogram.isGaugeHistogram() ? "gauge histogram" : "histogram");
                    histogram.getDataPoints()
                        .forEach((point) -> kinds.add(point.hasClassicHistogramData()
                                ? (point.hasNativeHistogramData() ? "both" : "classic") : "native only"));
                }
            }
        }
        assertThat(kinds).contains("CounterSnapshot", "GaugeSnapshot", "SummarySnapshot", "InfoSnapshot",
                "StateSetSnapshot", "UnknownSnapshot", "gauge histogram", "histogram", "both", "classic",
                "native only");
    }

    @Test
    void writesWhatClientJavasWritersWriteForRealMetrics() throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter requests = Counter.builder()
            .name("gunicorn_requests")
            .help("Total number of HTTP requests.\nWith \\ and \"")
            .labelNames("worker_id", "method", "status")
            .register(registry);
        Histogram duration = Histogram.builder()
            .name("gunicorn_request_duration_seconds")
            .help("Request duration")
            .unit(Unit.SECONDS)
            .labelNames("worker_id", "method")
            .register(registry);
        Histogram both = Histogram.builder().name("both_kinds").labelNames("worker_id").register(registry);
        Histogram nativeOnly = Histogram.builder()
            .name("native_only")
            .nativeOnly()
            .labelNames("worker_id")
            .register(registry);
        Gauge memory = Gauge.builder().name("memory.bytes").labelNames("worker_id", "ü").register(registry);
        Summary latency = Summary.builder()
            .name("latency")
            .quantile(0.5, 0.01)
            .quantile(0.99, 0.001)
            .labelNames("worker_id")
            .register(registry);
        Info.builder().name("build_info").labelNames("version").register(registry).setLabelValues("1.0\n\"x\"");
        StateSet.builder()
            .name("feature")
            .states("a", "b")
            .labelNames("worker_id")
            .register(registry)
            .labelValues("w1")
            .setTrue("a");
        Random random = new Random(7);
        for (int worker = 0; worker < 20; worker++) {
            String id = "worker-" + worker;
            for (int i = 0; i < 50; i++) {
                requests.labelValues(id, (i % 2 == 0) ? "GET" : "PÖST", Integer.toString(200 + i % 4)).inc(i);
                duration.labelValues(id, (i % 3 == 0) ? "GET" : "POST").observe(random.nextDouble() * 5);
                both.labelValues(id).observe(random.nextGaussian() * 3);
                nativeOnly.labelValues(id).observe(random.nextDouble());
                latency.labelValues(id).observe(random.nextDouble());
            }
            memory.labelValues(id, "日本\\").set(random.nextInt(1 << 30) * ((worker % 2 == 0) ? 1 : 0.37));
        }
        assertSameAsClientJava(registry.scrape(), "real metrics");
    }

    @Test
    void writesWhatClientJavasWritersWriteForAMergedView(@TempDir Path directory) throws IOException {
        Clock clock = Clock.systemUTC();
        BinarySnapshotCodec codec = new BinarySnapshotCodec();
        FileMetricStore store = new FileMetricStore(directory, Duration.ofHours(1), clock);
        Random random = new Random(11);
        for (int worker = 0; worker < 8; worker++) {
            String id = "worker-" + worker;
            PrometheusRegistry registry = new PrometheusRegistry();
            Counter requests = Counter.builder()
                .name("gunicorn_requests")
                .help("Requests")
                .labelNames("worker_id", "endpoint")
                .register(registry);
            Gauge memory = Gauge.builder().name("gunicorn_memory_bytes").labelNames("worker_id").register(registry);
            Histogram duration = Histogram.builder()
                .name("gunicorn_request_duration_seconds")
                .labelNames("worker_id", "endpoint")
                .register(registry);
            Histogram nativeOnly = Histogram.builder()
                .name("gunicorn_native_seconds")
                .nativeOnly()
                .labelNames("worker_id")
                .register(registry);
            for (int i = 0; i < 40; i++) {
                String endpoint = "/api/ü/" + (i % 10);
                requests.labelValues(id, endpoint).inc(random.nextInt(1000));
                duration.labelValues(id, endpoint).observe(random.nextDouble() * 3);
                nativeOnly.labelValues(id).observe(random.nextDouble());
            }
            memory.labelValues(id).set(random.nextInt(1 << 30));
            store.publish(new WorkerRecord(id, 1000 + worker, clock.millis(), clock.millis(), WorkerState.RUNNING, null,
                    codec.encode(registry.scrape())));
        }
        MergingCollector collector = new MergingCollector(
                new WorkerCensus(store, codec, "gunicorn", Duration.ofHours(1), clock), "gunicorn", Map.of(),
                MetricSnapshots::of);
        MetricSnapshots merged = collector.collect();
        assertThat(Exposition.text(merged)).contains("worker_id=\"worker-7\"");
        assertSameAsClientJava(merged, "merged view");
    }

    @Test
    void writesDoublesAsDoubleToString() {
        RandomSnapshots values = new RandomSnapshots(42);
        ExpositionBytes bytes = new ExpositionBytes(64);
        for (int i = 0; i < 1_000_000; i++) {
            double value = values.randomDouble();
            bytes.clear();
            bytes.appendDouble(value);
            String expected = (value == Double.POSITIVE_INFINITY) ? "+Inf"
                    : (value == Double.NEGATIVE_INFINITY) ? "-Inf" : Double.toString(value);
            if (!new String(bytes.toByteArray(), StandardCharsets.US_ASCII).equals(expected)) {
                assertThat(new String(bytes.toByteArray(), StandardCharsets.US_ASCII))
                    .as("bits %x", Double.doubleToRawLongBits(value))
                    .isEqualTo(expected);
            }
        }
    }

    @Test
    void writesLongsAsLongToString() {
        Random random = new Random(3);
        ExpositionBytes bytes = new ExpositionBytes(8);
        List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 9L, 10L, 99L, 100L, Long.MAX_VALUE, Long.MIN_VALUE,
                Long.MIN_VALUE + 1, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L));
        for (int i = 0; i < 200_000; i++) {
            values.add(random.nextLong() >> random.nextInt(64));
        }
        for (long value : values) {
            bytes.clear();
            bytes.appendLong(value);
            assertThat(new String(bytes.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(value));
        }
    }

    @Test
    void streamsTheBodyInBoundedWrites() throws IOException {
        MetricSnapshots snapshots = largeSnapshots();
        WriteSizes out = new WriteSizes();
        new PrometheusTextExposition(false, true).write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        assertThat(out.total).isGreaterThan(10L * ExpositionLines.FLUSH_AT);
        assertThat(out.writes).isGreaterThan(10);
        assertThat(out.largest).isLessThan(ExpositionLines.FLUSH_AT + 4096);
    }

    private static MetricSnapshots largeSnapshots() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Histogram histogram = Histogram.builder().name("large").labelNames("worker_id").register(registry);
        for (int i = 0; i < 2000; i++) {
            histogram.labelValues("worker-" + i).observe(i / 100.0);
        }
        return registry.scrape();
    }

    @SuppressWarnings("deprecation")
    private static void assertSameAsClientJava(MetricSnapshots snapshots, String what) throws IOException {
        for (boolean created : new boolean[] { false, true }) {
            for (boolean flag : new boolean[] { false, true }) {
                assertSame(new OpenMetricsExposition(created, flag),
                        OpenMetricsTextFormatWriter.builder()
                            .setCreatedTimestampsEnabled(created)
                            .setExemplarsOnAllMetricTypesEnabled(flag)
                            .build(),
                        snapshots, what + " openmetrics created=" + created + " exemplars=" + flag);
                assertSame(new PrometheusTextExposition(created, flag),
                        PrometheusTextFormatWriter.builder()
                            .setIncludeCreatedTimestamps(created)
                            .setTimestampsInMs(flag)
                            .build(),
                        snapshots, what + " text created=" + created + " ms=" + flag);
            }
        }
    }

    private static void assertSame(ExpositionFormatWriter ours, ExpositionFormatWriter theirs,
            MetricSnapshots snapshots, String what) throws IOException {
        for (EscapingScheme scheme : SCHEMES) {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            ByteArrayOutputStream actual = new ByteArrayOutputStream();
            try {
                theirs.write(expected, snapshots, scheme);
            }
            catch (IllegalArgumentException ex) {
                // client_java cannot escape these names for this scheme: neither can we
                assertThatIllegalArgumentException().isThrownBy(() -> ours.write(actual, snapshots, scheme));
                continue;
            }
            ours.write(actual, snapshots, scheme);
            if (!java.util.Arrays.equals(actual.toByteArray(), expected.toByteArray())) {
                assertThat(actual.toString(StandardCharsets.ISO_8859_1)).as(what + " " + scheme)
                    .isEqualTo(expected.toString(StandardCharsets.ISO_8859_1));
            }
        }
    }

    private static final class WriteSizes extends OutputStream {

        private long total;

        private int writes;

        private int largest;

        @Override
        public void write(int b) {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            this.total += len;
            this.writes++;
            this.largest = Math.max(this.largest, len);
        }

    }

}
