package io.github.workerexporter.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.server.PrometheusTextExposition;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;

/**
 * One simulated fleet of {@link ScaleRun}: {@code workers} store clients publish a real
 * record of {@code series} series each (see {@link SeriesFixture}) to a store
 * ({@code file}, {@code redis} standalone or a 3-node Redis {@code cluster}), then the
 * merged view of the fleet is scraped, the exposition written (by the metrics server's
 * {@link PrometheusTextExposition}), and what it costs is measured.
 *
 * @author Worker Exporter
 */
final class ScaleFleet implements AutoCloseable {

    private static final Duration RETENTION = Duration.ofHours(1);

    private final String kind;

    private final MetricStore store;

    private final List<RedisServer> redis;

    private final @Nullable AutoCloseable servers;

    private final @Nullable Path directory;

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    private ScaleFleet(String kind, MetricStore store, List<RedisServer> redis, @Nullable AutoCloseable servers,
            @Nullable Path directory) {
        this.kind = kind;
        this.store = store;
        this.redis = redis;
        this.servers = servers;
        this.directory = directory;
    }

    static ScaleFleet open(String kind) throws IOException {
        return switch (kind) {
            case "file" -> {
                Path directory = Files.createTempDirectory("worker-exporter-scale");
                yield new ScaleFleet(kind, new FileMetricStore(directory, RETENTION, Clock.systemUTC()), List.of(),
                        null, directory);
            }
            case "redis" -> {
                RedisServer server = RedisServer.start();
                RedisEndpoint endpoint = new RedisEndpoint("127.0.0.1", server.port(), 0, null, null, false,
                        Duration.ofSeconds(30));
                yield new ScaleFleet(kind, RedisMetricStore.connect(endpoint, "scale", RETENTION), List.of(server),
                        server, null);
            }
            case "cluster" -> {
                RedisCluster cluster = RedisCluster.start(3);
                RedisClusterConfiguration configuration = new RedisClusterConfiguration(
                        cluster.nodes().stream().map((node) -> "127.0.0.1:" + node.port()).toList());
                LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration);
                factory.afterPropertiesSet();
                factory.start();
                AutoCloseable servers = () -> {
                    factory.destroy();
                    cluster.close();
                };
                yield new ScaleFleet(kind, new RedisMetricStore(factory,
                        "cluster 127.0.0.1:" + cluster.nodes().get(0).port(), "scale", RETENTION), cluster.nodes(),
                        servers, null);
            }
            default -> throw new IllegalArgumentException("Unknown store '" + kind + "': file, redis or cluster");
        };
    }

    /**
     * Publish the fleet, scrape it {@code warmups + scrapes} times and measure.
     */
    Row measure(int workers, int series, int warmups, int scrapes) throws IOException {
        long memoryBefore = redisSum("used_memory");
        Clock clock = Clock.systemUTC();
        long payload = 0;
        for (int i = 0; i < workers; i++) {
            byte[] metrics = this.codec.encode(SeriesFixture.registry("fleet-worker-" + i, series).scrape());
            payload += metrics.length;
            this.store.publish(new WorkerRecord("fleet-worker-" + i, 1000 + i, clock.millis(), clock.millis(),
                    WorkerState.RUNNING, null, metrics));
        }
        long redisMemory = (this.redis.isEmpty()) ? -1 : redisSum("used_memory") - memoryBefore;
        MergingCollector collector = new MergingCollector(
                new WorkerCensus(this.store, this.codec, "gunicorn", RETENTION, clock), "gunicorn", Map.of(), () -> {
                    throw new IllegalStateException("The " + this.kind + " store cannot be read");
                });
        PrometheusTextExposition writer = new PrometheusTextExposition(false, true);
        CountingStream exposition = new CountingStream();
        for (int i = 0; i < warmups; i++) {
            writer.write(exposition, collector.collect());
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans()
            .stream()
            .filter((pool) -> pool.getType() == MemoryType.HEAP)
            .toList();
        System.gc();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long netBefore = redisSum("total_net_output_bytes");
        double cpuBefore = redisCpu();
        double[] millis = new double[scrapes];
        double[] allocated = new double[scrapes];
        double[] collected = new double[scrapes];
        double[] cpuMillis = new double[scrapes];
        long gcBefore = gcMillis();
        long written = 0;
        for (int i = 0; i < scrapes; i++) {
            long bytes = threads.getCurrentThreadAllocatedBytes();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            exposition.count = 0;
            MetricSnapshots merged = collector.collect();
            collected[i] = threads.getCurrentThreadAllocatedBytes() - bytes;
            writer.write(exposition, merged);
            millis[i] = (System.nanoTime() - start) / 1e6;
            cpuMillis[i] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
            allocated[i] = threads.getCurrentThreadAllocatedBytes() - bytes;
            written = exposition.count;
        }
        double gcPerScrape = (gcMillis() - gcBefore) / (double) scrapes;
        long peak = heap.stream().mapToLong((pool) -> pool.getPeakUsage().getUsed()).sum();
        double netPerScrape = this.redis.isEmpty() ? payload
                : (redisSum("total_net_output_bytes") - netBefore) / (double) scrapes;
        double cpuPerScrape = this.redis.isEmpty() ? -1 : (redisCpu() - cpuBefore) * 1000 / scrapes;
        double[] flushIdle = flushes(series, 15, null)[0];
        double[][] flushScraped = flushes(series, 15, collector);
        int slowest = slowest(flushScraped[0]);
        return new Row(this.kind, workers, series, median(millis), min(millis), max(millis), median(cpuMillis),
                gcPerScrape, median(allocated), median(collected), peak, netPerScrape, written, median(flushIdle),
                median(flushScraped[0]), flushScraped[0][slowest], flushScraped[1][slowest], redisMemory, cpuPerScrape,
                nodeMemory());
    }

    /**
     * Time flushes of one more worker ({@code flusher}: encode its registry, publish),
     * while {@code scraped} is scraped on another thread without pause if not null: the
     * milliseconds of each, then the milliseconds the JVM's collectors took during each
     * (a stop-the-world pause stops a flush whatever connection it goes over).
     */
    private double[][] flushes(int series, int count, @Nullable MergingCollector scraped) {
        PrometheusRegistry registry = SeriesFixture.registry("flusher", series);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger scrapes = new AtomicInteger();
        Thread scraper = new Thread(() -> {
            while (!stop.get() && scraped != null) {
                scraped.collect();
                scrapes.incrementAndGet();
            }
        }, "scraper");
        scraper.start();
        try {
            while (scraped != null && scrapes.get() == 0) {
                Thread.onSpinWait();
            }
            double[] millis = new double[count];
            double[] gc = new double[count];
            for (int i = 0; i < count; i++) {
                long gcStart = gcMillis();
                long start = System.nanoTime();
                this.store.publish(new WorkerRecord("flusher", 1, 1, System.currentTimeMillis(), WorkerState.RUNNING,
                        null, this.codec.encode(registry.scrape())));
                millis[i] = (System.nanoTime() - start) / 1e6;
                gc[i] = gcMillis() - gcStart;
                sleep(20);
            }
            return new double[][] { millis, gc };
        }
        finally {
            stop.set(true);
            try {
                scraper.join();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int slowest(double[] millis) {
        int slowest = 0;
        for (int i = 1; i < millis.length; i++) {
            slowest = (millis[i] > millis[slowest]) ? i : slowest;
        }
        return slowest;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans()
            .stream()
            .mapToLong((collector) -> Math.max(0, collector.getCollectionTime()))
            .sum();
    }

    private long redisSum(String field) {
        return this.redis.stream().mapToLong((node) -> Long.parseLong(node.info(field))).sum();
    }

    private double redisCpu() {
        return this.redis.stream()
            .mapToDouble((node) -> Double.parseDouble(node.info("used_cpu_user"))
                    + Double.parseDouble(node.info("used_cpu_sys")))
            .sum();
    }

    private String nodeMemory() {
        if (this.redis.size() < 2) {
            return "";
        }
        return String.join("/", this.redis.stream().map((node) -> node.info("used_memory_human")).toList());
    }

    @Override
    public void close() throws Exception {
        this.store.close();
        if (this.servers != null) {
            this.servers.close();
        }
        if (this.directory != null) {
            try (Stream<Path> paths = Files.walk(this.directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    /**
     * What one fleet cost. Times in ms, sizes in bytes; -1 where it does not apply.
     */
    record Row(String store, int workers, int series, double scrapeMedian, double scrapeMin, double scrapeMax,
            double cpuMedian, double gcMillis, double allocatedPerScrape, double allocatedPerCollect, long peakHeap,
            double bytesReadPerScrape, long expositionBytes, double flushIdle, double flushScraped,
            double flushScrapedMax, double flushScrapedMaxGc, long redisMemory, double redisCpuMillis,
            String nodeMemory) {

        List<String> cells() {
            List<String> cells = new ArrayList<>();
            cells.add(this.store);
            cells.add(Integer.toString(this.workers));
            cells.add(String.format("%.1f (%.1f–%.1f)", this.scrapeMedian, this.scrapeMin, this.scrapeMax));
            cells.add(String.format("%.1f + %.1f", this.cpuMedian, this.gcMillis));
            double series = this.workers * (double) this.series;
            cells
                .add(String.format("%.0f / %.0f", this.allocatedPerCollect / series, this.allocatedPerScrape / series));
            cells.add(mb(this.peakHeap));
            cells.add(mb(this.bytesReadPerScrape));
            cells.add(mb(this.expositionBytes));
            cells.add(String.format("%.2f / %.2f (max %.1f, GC %.0f of it)", this.flushIdle, this.flushScraped,
                    this.flushScrapedMax, this.flushScrapedMaxGc));
            cells.add((this.redisMemory < 0) ? "" : String.format("%.1f", this.redisMemory / 1024.0 / this.workers));
            cells.add((this.redisCpuMillis < 0) ? "" : String.format("%.1f", this.redisCpuMillis));
            cells.add(this.nodeMemory);
            return cells;
        }

        private static String mb(double bytes) {
            return String.format("%.2f", bytes / 1024 / 1024);
        }

    }

}
