package io.github.workerexporter.publish;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.github.workerexporter.merge.FailureLog;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.Snapshots;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerIdConflictException;
import io.github.workerexporter.storage.WorkerLife;
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
 * <p>
 * Each publish goes with this process's {@link WorkerLife life}, so the store claims the
 * worker id for it. When another live process holds the id, the store writes nothing and
 * {@link WorkerIdConflict} logs it and derives an id of this process's own: the same
 * flush publishes again under that id, every {@code worker_id} label of this worker's
 * series renamed, with no restarts carried (a derived id has no previous life: what
 * {@code previousLives} was given is taken back by giving it an empty read), so nothing
 * this process counted is lost and nothing the other counted is overwritten. The
 * conflicts family is one of the registry's collectors ({@link WorkerIdConflict}),
 * published as any other.
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

    private final WorkerIdConflict conflict;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
        Thread thread = new Thread(task, "exporter-flush");
        thread.setDaemon(true);
        return thread;
    });

    private volatile boolean previousLivesRead;

    private volatile boolean closed;

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
     * @param conflict the state of this worker's id, for this worker's life
     */
    public WorkerPublisher(MetricStore store, SnapshotCodec codec, WorkerIdentity worker,
            Supplier<MetricSnapshots> source, Predicate<String> names, WorkerLifecycle lifecycle,
            Consumer<List<WorkerRecord>> previousLives, Clock clock, WorkerIdConflict conflict) {
        this.store = store;
        this.codec = codec;
        this.worker = worker;
        this.source = source;
        this.names = names;
        this.lifecycle = lifecycle;
        this.previousLives = previousLives;
        this.clock = clock;
        this.failures = new FailureLog(logger, "Flush to " + store.name() + " storage");
        this.conflict = conflict;
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
            for (int attempt = 0;; attempt++) {
                try {
                    publish(local());
                    break;
                }
                catch (WorkerIdConflictException ex) {
                    if (attempt == 2) {
                        throw ex;
                    }
                    this.conflict.detected(ex);
                    // What the store held under this id is another live process, not a
                    // previous life of this one.
                    this.previousLives.accept(List.of());
                }
            }
            this.failures.succeeded();
        }
        catch (RuntimeException ex) {
            if (this.closed) {
                // A scheduled flush that waited for the last one (ON_EXIT's, which
                // logs its own failure) and was interrupted by the close: not a fault.
                logger.debug("Flush to {} storage ended by the close", this.store.name(), ex);
                return;
            }
            // The boundary of a background task: a collector's bug must not end the
            // schedule.
            this.failures.failed(ex);
        }
    }

    private MetricSnapshots local() {
        MetricSnapshots.Builder published = MetricSnapshots.builder();
        for (MetricSnapshot snapshot : this.source.get()) {
            if (this.names.test(snapshot.getMetadata().getPrometheusName())) {
                published.metricSnapshot(snapshot);
            }
        }
        return published.build();
    }

    private void publish(MetricSnapshots snapshots) {
        String id = this.conflict.publishedId();
        MetricSnapshots metrics = id.equals(this.worker.id()) ? snapshots : renamed(snapshots, id);
        this.store.publish(
                new WorkerRecord(id, this.worker.pid(), this.worker.startTime().toEpochMilli(), this.clock.millis(),
                        this.lifecycle.state(), this.lifecycle.stopReason(), this.codec.encode(metrics)),
                this.conflict.life());
    }

    /**
     * The snapshots with every {@code worker_id} label of this worker renamed to the id
     * it publishes under, so its series do not repeat the other process's.
     */
    private MetricSnapshots renamed(MetricSnapshots snapshots, String id) {
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        for (MetricSnapshot snapshot : snapshots) {
            List<DataPointSnapshot> points = new ArrayList<>(snapshot.getDataPoints().size());
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                Labels labels = point.getLabels();
                points.add(this.worker.id().equals(labels.get(Snapshots.WORKER_ID))
                        ? Snapshots.relabel(point, Snapshots.withoutWorkerId(labels).add(Snapshots.WORKER_ID, id))
                        : point);
            }
            result.metricSnapshot(Snapshots.family(Snapshots.typeOf(snapshot), snapshot.getMetadata(), points));
        }
        return result.build();
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
        this.closed = true;
        this.executor.shutdownNow();
    }

}
