package io.github.workerexporter.benchmarks;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
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
import org.openjdk.jmh.infra.BenchmarkParams;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;

/**
 * The flush of one worker with {@link #series} series (see {@link SeriesFixture}) to a
 * shared store ({@link #store}: a directory of memory-mapped files, or a Redis server on
 * loopback). Runs on the flusher thread, never on a request thread.
 * <ul>
 * <li>{@code flush}: {@link WorkerPublisher#flushNow()}: scrape of the worker's registry,
 * name filter, encoding and publish, all of a flush.</li>
 * <li>{@code publish}: {@link MetricStore#publish} of a record encoded beforehand: the
 * store's write alone (Redis: one round trip).</li>
 * </ul>
 * Target: a flush of 1,000 series in at most 5 ms, one round trip. {@code flushNow()}
 * logs failures instead of throwing, so each iteration checks that the store holds a
 * record written during it, and fails the run otherwise.
 *
 * @author Worker Exporter
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class FlushBenchmark {

    private static final String WORKER = "bench-worker";

    /** The store: {@code file} or {@code redis}. */
    @Param({ "file", "redis" })
    public String store = "file";

    /** Histograms of the fixture: {@code classic} or {@code native}. */
    @Param({ "classic" })
    public String histograms = "classic";

    /** Series of the worker. */
    @Param({ "1000" })
    public int series = 1000;

    private final Clock clock = Clock.systemUTC();

    private SharedStore shared;

    private WorkerPublisher publisher;

    private WorkerRecord record;

    private long iterationStart;

    @Setup(Level.Trial)
    public void openStore() {
        this.shared = SharedStore.open(this.store);
        PrometheusRegistry registry = SeriesFixture.registry(WORKER, this.series, this.histograms);
        BinarySnapshotCodec codec = new BinarySnapshotCodec();
        WorkerIdentity worker = new WorkerIdentity(WORKER, ProcessHandle.current().pid(), Instant.now());
        WorkerLifecycle lifecycle = new WorkerLifecycle();
        lifecycle.transition(WorkerState.RUNNING);
        this.publisher = new WorkerPublisher(this.shared.store(), codec, worker, registry::scrape, (name) -> true,
                lifecycle, (records) -> {
                }, this.clock, WorkerIdConflict.of("gunicorn", worker));
        this.record = new WorkerRecord(WORKER, worker.pid(), worker.startTime().toEpochMilli(), this.clock.millis(),
                lifecycle.state(), null, codec.encode(registry.scrape()));
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        this.iterationStart = this.clock.millis();
    }

    @TearDown(Level.Iteration)
    public void checkPublished(BenchmarkParams params) {
        // publish() throws on failure; flushNow() only logs it.
        if (params.getBenchmark().endsWith(".flush")) {
            List<WorkerRecord> records = this.shared.store().readAll();
            if (records.size() != 1 || records.get(0).heartbeatMillis() < this.iterationStart) {
                throw new IllegalStateException("No flush reached the " + this.store + " store: " + records);
            }
        }
    }

    @TearDown(Level.Trial)
    public void closeStore() {
        this.publisher.close();
        this.shared.close();
    }

    @Benchmark
    public void flush() {
        this.publisher.flushNow();
    }

    @Benchmark
    public void publish() {
        this.shared.store().publish(this.record);
    }

}
