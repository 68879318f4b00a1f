package io.github.workerexporter.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.server.PrometheusTextExposition;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * A scrape of the merged view: {@link MergingCollector#collect()} over a shared store
 * ({@link #store}: files or Redis on loopback) that {@link #workers} workers filled with
 * {@link #series} series each (see {@link SeriesFixture}), all alive. It reads every
 * record, decodes it and merges the families, as the metrics endpoint does before it
 * writes the exposition format.
 * <p>
 * Targets for 64 workers of 200 series: at most 20 ms from files, at most 50 ms from
 * Redis; with the exposition written ({@link #scrapeAndWrite}), 256 workers from files at
 * most 60 ms and 1,024 from Redis at most 250 ms ({@code -p workers=256,1024}), growth
 * linear in workers and at most 200 B allocated per series by the collect. The collector
 * answers with the local metrics when the store cannot be read; here that throws, so a
 * failing store fails the run instead of measuring nothing.
 *
 * @author Worker Exporter
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class ScrapeBenchmark {

    /** The store: {@code file} or {@code redis}. */
    @Param({ "file", "redis" })
    public String store = "file";

    /** Workers that published to the store. */
    @Param({ "1", "16", "64" })
    public int workers = 1;

    /** Histograms of the fixture: {@code classic} or {@code native}. */
    @Param({ "classic" })
    public String histograms = "classic";

    /** Series of each worker. */
    @Param({ "200" })
    public int series = 200;

    private SharedStore shared;

    private MergingCollector collector;

    /**
     * gzip level of {@link #writeGzip}: 1 (the metrics server's) or 6 (the JDK's
     * default).
     */
    @Param({ "1", "6" })
    public int gzipLevel = 1;

    private final PrometheusTextExposition writer = new PrometheusTextExposition(false, true);

    private final PrometheusTextFormatWriter clientJavaWriter = PrometheusTextFormatWriter.create();

    private MetricSnapshots collected;

    @Setup(Level.Trial)
    public void fillStore() {
        this.shared = SharedStore.open(this.store);
        BinarySnapshotCodec codec = new BinarySnapshotCodec();
        Clock clock = Clock.systemUTC();
        for (int i = 0; i < this.workers; i++) {
            String id = "bench-worker-" + i;
            byte[] metrics = codec.encode(SeriesFixture.registry(id, this.series, this.histograms).scrape());
            this.shared.store()
                .publish(new WorkerRecord(id, 1000 + i, clock.millis(), clock.millis(), WorkerState.RUNNING, null,
                        metrics));
        }
        this.collector = new MergingCollector(
                new WorkerCensus(this.shared.store(), codec, "gunicorn", Duration.ofHours(1), clock), "gunicorn",
                Map.of(), () -> {
                    throw new IllegalStateException("The " + this.store + " store cannot be read: see the log");
                });
        this.collected = this.collector.collect();
        checkAllAlive(this.collected);
    }

    @TearDown(Level.Trial)
    public void closeStore() {
        this.shared.close();
    }

    @Benchmark
    public MetricSnapshots scrape() {
        return this.collector.collect();
    }

    /**
     * The scrape and the Prometheus text exposition of it (by the metrics server's
     * {@link PrometheusTextExposition}), written to a stream that counts the bytes: what
     * the metrics endpoint does.
     * @return the bytes written
     * @throws IOException never (the stream only counts)
     */
    @Benchmark
    public long scrapeAndWrite() throws IOException {
        CountingStream out = new CountingStream();
        this.writer.write(out, this.collector.collect());
        return out.count;
    }

    /**
     * {@link #scrapeAndWrite} with client_java's {@link PrometheusTextFormatWriter},
     * which the metrics server used before: the same bytes, for comparison.
     * @return the bytes written
     * @throws IOException never (the stream only counts)
     */
    @Benchmark
    public long scrapeAndWriteClientJava() throws IOException {
        CountingStream out = new CountingStream();
        this.clientJavaWriter.write(out, this.collector.collect());
        return out.count;
    }

    /**
     * The text exposition of a view collected once, gzip-compressed at {@link #gzipLevel}
     * as the metrics server sends it when asked: the cost of the compression beside the
     * writing.
     * @return the compressed bytes
     * @throws IOException never (the stream only counts)
     */
    @Benchmark
    public long writeGzip() throws IOException {
        CountingStream out = new CountingStream();
        try (GZIPOutputStream gzip = new LevelGzip(out, this.gzipLevel)) {
            this.writer.write(gzip, this.collected);
        }
        return out.count;
    }

    /**
     * The text exposition of a view collected once, not compressed.
     * @return the bytes written
     * @throws IOException never (the stream only counts)
     */
    @Benchmark
    public long writeOnly() throws IOException {
        CountingStream out = new CountingStream();
        this.writer.write(out, this.collected);
        return out.count;
    }

    private static final class LevelGzip extends GZIPOutputStream {

        LevelGzip(OutputStream out, int level) throws IOException {
            super(out, 16 * 1024);
            this.def.setLevel(level);
        }

    }

    /**
     * The view collected once by {@link #fillStore()}.
     * @return the merged snapshots
     */
    MetricSnapshots collected() {
        return this.collected;
    }

    private void checkAllAlive(MetricSnapshots merged) {
        for (MetricSnapshot snapshot : merged) {
            if (snapshot instanceof GaugeSnapshot workers
                    && snapshot.getMetadata().getPrometheusName().equals("gunicorn_master_workers")) {
                for (GaugeSnapshot.GaugeDataPointSnapshot point : workers.getDataPoints()) {
                    if (alive(point) && point.getValue() == this.workers) {
                        return;
                    }
                }
            }
        }
        throw new IllegalStateException("Expected " + this.workers + " alive workers in the merged view");
    }

    private static boolean alive(DataPointSnapshot point) {
        return "alive".equals(point.getLabels().get("state"));
    }

}
