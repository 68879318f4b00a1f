package io.github.workerexporter.publish;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.github.workerexporter.merge.FailureLog;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * The flusher: every flush interval, on one daemon thread named {@code exporter-flush},
 * scrapes this worker's local metrics, keeps the families the name filter accepts,
 * encodes them and publishes a {@link WorkerRecord} (heartbeat now, state and stop reason
 * from the {@link WorkerLifecycle}). Never runs on a request thread; {@link #flushNow()}
 * is for the last flushes at {@code worker_int} and {@code on_exit}. A failing flush is
 * logged once at WARN, then DEBUG until a flush succeeds, and never stops the schedule.
 * <p>
 * A flush first reads the previous life of this worker id from the store, once, and hands
 * the read to {@code previousLives}, which carries its restarts (see
 * {@link io.github.workerexporter.merge.RestartCarry}). Until that read succeeds (the
 * store is down or slow at start-up) every flush fails and is retried, and nothing is
 * published: a record published before would replace the previous life's and lose its
 * restart counts. Counters are cumulative, so the first flush after the read publishes
 * the carried restarts plus everything this life counted meanwhile.
 *
 * @author Worker Exporter
 */
public final class WorkerPublisher implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(WorkerPublisher.class);

    private final MetricStore store;

    private final SnapshotCodec codec;

    private final WorkerIdentity worker;

    private final Supplier<MetricSnapshots> source;

    private final Predicate<String> names;

    private final WorkerLifecycle lifecycle;

    private final Consumer<List<WorkerRecord>> previousLives;

    private final Clock clock;

    private final FailureLog failures;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
        Thread thread = new Thread(task, "exporter-flush");
        thread.setDaemon(true);
        return thread;
    });

    private volatile boolean previousLivesRead;

    /**
     * Create a publisher; nothing runs before {@link #start(Duration)}.
     * @param store the shared store
     * @param codec the codec of the metrics
     * @param worker this worker
     * @param source this worker's local metrics (never the merged view)
     * @param names the families to publish
     * @param lifecycle this worker's state and stop reason
     * @param previousLives given every record of the first read of the store that
     * succeeds, before anything is published, to carry the previous lives of this worker
     * id
     * @param clock the clock of heartbeats
     */
    public WorkerPublisher(MetricStore store, SnapshotCodec codec, WorkerIdentity worker,
            Supplier<MetricSnapshots> source, Predicate<String> names, WorkerLifecycle lifecycle,
            Consumer<List<WorkerRecord>> previousLives, Clock clock) {
        this.store = store;
        this.codec = codec;
        this.worker = worker;
        this.source = source;
        this.names = names;
        this.lifecycle = lifecycle;
        this.previousLives = previousLives;
        this.clock = clock;
        this.failures = new FailureLog(logger, "Flush to " + store.name() + " storage");
    }

    /**
     * Flush now on the flusher's thread (which reads this worker's previous life first),
     * then every interval.
     * @param interval the flush interval
     */
    public void start(Duration interval) {
        long millis = interval.toMillis();
        this.executor.scheduleWithFixedDelay(this::flushNow, 0, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Publish now; failures are logged, never thrown. Synchronized: the store has one
     * writer per worker.
     */
    public synchronized void flushNow() {
        try {
            readPreviousLives();
            MetricSnapshots.Builder published = MetricSnapshots.builder();
            for (MetricSnapshot snapshot : this.source.get()) {
                if (this.names.test(snapshot.getMetadata().getPrometheusName())) {
                    published.metricSnapshot(snapshot);
                }
            }
            byte[] metrics = this.codec.encode(published.build());
            this.store
                .publish(new WorkerRecord(this.worker.id(), this.worker.pid(), this.worker.startTime().toEpochMilli(),
                        this.clock.millis(), this.lifecycle.state(), this.lifecycle.stopReason(), metrics));
            this.failures.succeeded();
        }
        catch (RuntimeException ex) {
            // The boundary of a background task: a collector's bug must not end the
            // schedule.
            this.failures.failed(ex);
        }
    }

    /**
     * Read the previous life from the store at the first call that can read it.
     * @throws StoreException while the store cannot be read
     */
    private void readPreviousLives() {
        if (!this.previousLivesRead) {
            List<WorkerRecord> records;
            try {
                records = this.store.readAll();
            }
            catch (StoreException ex) {
                throw new StoreException("Cannot read the previous life of worker " + this.worker.id()
                        + ", so nothing is published yet (its restart counts would be lost): " + ex.getMessage(), ex);
            }
            this.previousLives.accept(records);
            this.previousLivesRead = true;
        }
    }

    /**
     * Stop flushing (without a last flush).
     */
    @Override
    public void close() {
        this.executor.shutdownNow();
    }

}
