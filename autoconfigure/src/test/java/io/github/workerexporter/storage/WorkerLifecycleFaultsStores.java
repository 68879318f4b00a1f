package io.github.workerexporter.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.merge.RestartCarry;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.metrics.ProcessStats;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.metrics.WorkerMetrics;
import io.github.workerexporter.metrics.WorkerRestartMetrics;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;
import io.github.workerexporter.storage.redis.RedisServerSupport;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.publish.WorkerPublisher;

/**
 * The real shared stores of the worker lifecycle fault tests: a directory of this test,
 * or a real Redis server under a key prefix of this test. Each {@link #open} is a new
 * store instance, as a new worker JVM (or a new life of one) opens it, with its own
 * clocks (Redis stores share one connection factory, as the application's
 * {@code RedisConnectionFactory} would be shared, to keep 50 restarts quick);
 * {@link #entries()} lists what the store holds (files, or keys).
 *
 * @author Worker Exporter
 */
final class WorkerLifecycleFaultsStores implements AutoCloseable {

    /** The metric prefix. */
    static final String PREFIX = "gunicorn";

    /** The codec of the workers' metrics. */
    static final SnapshotCodec CODEC = new BinarySnapshotCodec();

    /** How long the data of a silent worker stays (file retention, Redis TTL). */
    static final Duration RETENTION = Duration.ofMinutes(5);

    /** Which store. */
    enum Backend {

        /** One file per worker in a shared directory. */
        FILE,

        /** One key per worker in Redis. */
        REDIS

    }

    private final Backend backend;

    private final Path dir;

    private final RedisServerSupport redis;

    private final String prefix;

    private final List<MetricStore> opened = new ArrayList<>();

    private @Nullable LettuceConnectionFactory redisConnections;

    /**
     * The stores of one test.
     * @param backend which store
     * @param dir the test's directory
     * @param redis the Redis server (used in Redis mode only)
     */
    WorkerLifecycleFaultsStores(Backend backend, Path dir, RedisServerSupport redis) {
        this.backend = backend;
        this.dir = dir.resolve("store");
        this.redis = redis;
        this.prefix = "faults-" + dir.getFileName();
    }

    /**
     * Open the store as one JVM does.
     * @param clock the JVM's clocks (wall and monotonic)
     * @return the store, closed with this object
     */
    MetricStore open(MutableClock clock) {
        MetricStore store = switch (this.backend) {
            case FILE -> new FileMetricStore(this.dir, RETENTION, RETENTION, clock, clock::nanoTime, true);
            case REDIS -> new RedisMetricStore(redisConnections(), this.redis.host() + ":" + this.redis.port(),
                    this.prefix, RETENTION);
        };
        this.opened.add(store);
        return store;
    }

    private LettuceConnectionFactory redisConnections() {
        if (this.redisConnections == null) {
            LettuceConnectionFactory factory = new RedisEndpoint(this.redis.host(), this.redis.port(), 0, null, null,
                    false, Duration.ofSeconds(10))
                .createConnectionFactory();
            factory.afterPropertiesSet();
            factory.start();
            this.redisConnections = factory;
        }
        return this.redisConnections;
    }

    /**
     * What the store holds: the names of the files in the directory (temporary ones
     * included), or the Redis keys of this test's prefix.
     * @return the entries, sorted
     */
    List<String> entries() {
        if (this.backend == Backend.REDIS) {
            return this.redis.run((commands) -> commands.keys("{" + this.prefix + "}*")).stream().sorted().toList();
        }
        try (Stream<Path> files = Files.list(this.dir)) {
            return files.map((file) -> file.getFileName().toString()).sorted().toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Start a worker (a new JVM, or a new life of one) on a store instance of its own.
     * @param id the worker id
     * @param pid its process id (only informative here)
     * @param clock its clocks
     * @return the worker, after its first flush
     */
    Worker start(String id, long pid, MutableClock clock) {
        return new Worker(open(clock), id, pid, clock);
    }

    /**
     * The Prometheus text of snapshots, parsed; parsing fails on a duplicate series.
     * @param snapshots the snapshots
     * @return the exposition
     */
    static RequestExposition expose(MetricSnapshots snapshots) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, snapshots);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return RequestExposition.parse(out.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        this.opened.forEach(MetricStore::close);
        if (this.redisConnections != null) {
            this.redisConnections.destroy();
        }
    }

    /**
     * One life of a worker JVM, wired as the auto-configuration wires it: its own
     * registry with the request counter, the worker gauges ({@link WorkerMetrics} on
     * {@link ProcessStats} with the worker's clocks) and the restart metrics, its state,
     * store instance, flusher (scheduled every hour, so only the first flush and those
     * the test asks for run) and merged view.
     */
    static final class Worker {

        private final String id;

        private final MetricStore store;

        private final MutableClock clock;

        private final PrometheusRegistry registry = new PrometheusRegistry();

        private final WorkerLifecycle lifecycle = new WorkerLifecycle();

        private final Counter requests;

        private final WorkerRestartMetrics restarts;

        private final WorkerPublisher publisher;

        private Worker(MetricStore store, String id, long pid, MutableClock clock) {
            this.id = id;
            this.store = store;
            this.clock = clock;
            MasterRestarts master = new MasterRestarts(PREFIX, id);
            this.registry.register(master);
            this.restarts = new WorkerRestartMetrics(this.registry, PREFIX, id, this.lifecycle);
            new WorkerMetrics(this.registry, PREFIX, id, new ProcessStats(clock.instant(), clock, clock::nanoTime),
                    this.lifecycle);
            this.lifecycle.transition(WorkerState.RUNNING);
            this.requests = Counter.builder()
                .name(PREFIX + "_worker_requests")
                .help("Total number of requests handled by this worker")
                .labelNames("worker_id")
                .register(this.registry);
            WorkerIdentity worker = new WorkerIdentity(id, pid, clock.instant());
            this.publisher = new WorkerPublisher(store, CODEC, worker, this.registry::scrape, (name) -> true,
                    this.lifecycle,
                    (records) -> RestartCarry.carry(records, id, worker.startTime().toEpochMilli(), CODEC, master),
                    clock, WorkerIdConflict.of("gunicorn", worker));
            this.publisher.start(Duration.ofHours(1));
            awaitFirstFlush(worker);
        }

        /**
         * The flusher's first flush, on its own thread, is over once its record is in the
         * store: no flush runs when this life later ends, as none would at a
         * {@code kill -9} on a schedule of an hour.
         */
        private void awaitFirstFlush(WorkerIdentity worker) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (this.store.readAll()
                .stream()
                .noneMatch((record) -> record.workerId().equals(this.id)
                        && record.startTimeMillis() == worker.startTime().toEpochMilli())) {
                assertThat(System.nanoTime()).as("first flush of %s", worker).isLessThan(deadline);
                try {
                    Thread.sleep(1);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
            }
        }

        /**
         * Serve requests, then flush.
         * @param count how many requests
         */
        void serve(int count) {
            this.requests.labelValues(this.id).inc(count);
            this.publisher.flushNow();
        }

        /**
         * End as {@code kill -9} does: no stop recorded, no last flush.
         */
        void crash() {
            this.publisher.close();
            this.store.close();
        }

        /**
         * End as a signal then a clean exit do: the stop recorded, the hooks' last
         * flushes.
         * @param reason the reason
         */
        void stop(StopReason reason) {
            this.lifecycle.stopRequested(reason);
            this.lifecycle.transition(WorkerState.STOPPING);
            this.restarts.recordStop();
            this.publisher.flushNow();
            this.lifecycle.transition(WorkerState.STOPPED);
            this.publisher.flushNow();
            this.publisher.close();
            this.store.close();
        }

        /**
         * This worker's merged view of the store, as its scrapes serve it.
         * @param heartbeatTimeout the heartbeat timeout
         * @return a new merged view (it tracks heartbeats from its first collect)
         */
        MergingCollector view(Duration heartbeatTimeout) {
            return new MergingCollector(
                    new WorkerCensus(this.store, CODEC, PREFIX, heartbeatTimeout, this.clock, this.clock::nanoTime),
                    PREFIX, Map.of(), MetricSnapshots::of);
        }

    }

}
