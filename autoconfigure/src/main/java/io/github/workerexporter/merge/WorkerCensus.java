package io.github.workerexporter.merge;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.merge.Census.UndecodableWorker;
import io.github.workerexporter.storage.HeartbeatAges;
import io.github.workerexporter.storage.HeartbeatAges.Stamp;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.lifecycle.WorkerState;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The one place where the master view reads the shared store and decides each worker's
 * {@link Liveness}: every reader (the merged view, the {@code exporter} health component,
 * the {@code exporter} endpoint, the sidecar) takes a {@link Census} from here, none
 * reads the store or measures heartbeats itself.
 * <p>
 * A census is one complete read: every record is decoded once, while the store's read
 * buffer holds it ({@link MetricStore#readAll(java.util.function.Function)}), kept
 * {@link WorkerRecord#withDecodedMetrics decoded} without its bytes, and classified once:
 * <ul>
 * <li>{@link Liveness#STOPPED} when its state says {@code stopped};</li>
 * <li>{@link Liveness#ALIVE} when its last flush is at most the heartbeat timeout old,
 * measured by the one {@link HeartbeatAges} of this JVM's master view (on the monotonic
 * clock, so a wall clock that jumps neither loses a flushing worker nor keeps a silent
 * one alive);</li>
 * <li>{@link Liveness#LOST} otherwise, with the {@link DeathDiagnostics} of its last
 * record.</li>
 * </ul>
 * Each worker also comes with the crashed previous life its record carries, if any
 * ({@link CrashDiagnostics#read}). A record whose metrics cannot be decoded is in no
 * state for every reader (one WARN per worker, then DEBUG). Readers that ask while a read
 * is under way and began after they asked share that read. A store that cannot be read
 * throws {@link StoreException}; each reader answers it its own way (local metrics, DOWN,
 * an {@code error} field).
 *
 * @author Worker Exporter
 */
public final class WorkerCensus {

    private static final Logger logger = LoggerFactory.getLogger(WorkerCensus.class);

    private final MetricStore store;

    private final SnapshotCodec codec;

    private final String prefix;

    private final Duration heartbeatTimeout;

    private final HeartbeatAges ages;

    private final Set<String> undecodable = ConcurrentHashMap.newKeySet();

    private final AtomicLong readsStarted = new AtomicLong();

    private final Object lock = new Object();

    private @Nullable Taken last;

    /**
     * Create the census of a store, measuring ages on {@link System#nanoTime()}.
     * @param store the shared store
     * @param codec the codec of the metrics
     * @param prefix the metric prefix, for the {@link DeathDiagnostics}
     * @param heartbeatTimeout how long a worker may go without a flush and stay alive
     * @param clock the wall clock that heartbeats are compared with at first sight
     */
    public WorkerCensus(MetricStore store, SnapshotCodec codec, String prefix, Duration heartbeatTimeout, Clock clock) {
        this(store, codec, prefix, heartbeatTimeout, clock, System::nanoTime);
    }

    /**
     * Create the census of a store, measuring ages on the given monotonic clock.
     * @param store the shared store
     * @param codec the codec of the metrics
     * @param prefix the metric prefix, for the {@link DeathDiagnostics}
     * @param heartbeatTimeout how long a worker may go without a flush and stay alive
     * @param clock the wall clock that heartbeats are compared with at first sight
     * @param nanoTime a monotonic clock in nanoseconds, such as {@link System#nanoTime()}
     */
    public WorkerCensus(MetricStore store, SnapshotCodec codec, String prefix, Duration heartbeatTimeout, Clock clock,
            LongSupplier nanoTime) {
        this.store = store;
        this.codec = codec;
        this.prefix = prefix;
        this.heartbeatTimeout = heartbeatTimeout;
        this.ages = new HeartbeatAges(clock, nanoTime);
    }

    /**
     * The store this census reads.
     * @return the store
     */
    public MetricStore store() {
        return this.store;
    }

    /**
     * How long a worker may go without a flush and stay alive.
     * @return the heartbeat timeout
     */
    public Duration heartbeatTimeout() {
        return this.heartbeatTimeout;
    }

    /**
     * Read the store and classify its workers, or share a read that began after this
     * call.
     * @return the census
     * @throws StoreException when the store cannot be read
     */
    public Census take() {
        long asked = this.readsStarted.get();
        synchronized (this.lock) {
            Taken taken = this.last;
            if (taken != null && taken.number() > asked) {
                return taken.census();
            }
            long number = this.readsStarted.incrementAndGet();
            // The previous census is not kept alive through the read of the next.
            this.last = null;
            Census census = read();
            this.last = new Taken(number, census);
            return census;
        }
    }

    private Census read() {
        List<Read> reads = this.store.readAll(this::decode);
        Map<String, Stamp> stamps = new LinkedHashMap<>();
        reads.forEach((read) -> stamps.put(read.workerId(), read.stamp()));
        Map<String, Duration> ages = this.ages.observe(stamps);
        List<KnownWorker> workers = new ArrayList<>(reads.size());
        List<UndecodableWorker> undecodable = new ArrayList<>();
        for (Read read : reads) {
            WorkerRecord record = read.record();
            if (record == null) {
                StoreException ex = Objects.requireNonNull(read.error());
                undecodable.add(new UndecodableWorker(read.workerId(), String.valueOf(ex.getMessage())));
                logUndecodable(read.workerId(), ex);
                continue;
            }
            this.undecodable.remove(record.workerId());
            MetricSnapshots metrics = record.decodeMetrics(this.codec);
            Duration age = ages.getOrDefault(record.workerId(), Duration.ZERO);
            Liveness liveness = livenessOf(record, age);
            DeathDiagnostics diagnostics = (liveness == Liveness.LOST)
                    ? DeathDiagnostics.of(metrics, this.prefix, Instant.ofEpochMilli(record.heartbeatMillis())) : null;
            workers.add(new KnownWorker(record, metrics, liveness, age, diagnostics,
                    CrashDiagnostics.read(metrics, this.prefix)));
        }
        return new Census(List.copyOf(workers), List.copyOf(undecodable));
    }

    /**
     * Decode a record while the store's buffer holds its metrics, keeping it
     * {@link WorkerRecord#withDecodedMetrics decoded}: a census keeps no record's bytes.
     */
    private Read decode(WorkerRecord record) {
        Stamp stamp = new Stamp(record.startTimeMillis(), record.heartbeatMillis());
        try {
            MetricSnapshots metrics = record.decodeMetrics(this.codec);
            return new Read(record.workerId(), stamp, record.withDecodedMetrics(metrics, this.codec), null);
        }
        catch (StoreException ex) {
            return new Read(record.workerId(), stamp, null, ex);
        }
    }

    private Liveness livenessOf(WorkerRecord record, Duration age) {
        if (record.state() == WorkerState.STOPPED) {
            return Liveness.STOPPED;
        }
        return (age.compareTo(this.heartbeatTimeout) <= 0) ? Liveness.ALIVE : Liveness.LOST;
    }

    private void logUndecodable(String workerId, StoreException ex) {
        if (this.undecodable.add(workerId)) {
            logger.warn("Skipped the metrics of worker {}: {}", workerId, ex.getMessage());
        }
        else {
            logger.debug("Skipped the metrics of worker {}", workerId, ex);
        }
    }

    private record Taken(long number, Census census) {

    }

    /**
     * One record of a read: its worker id and stamp, and the record decoded, or why its
     * metrics could not be decoded.
     */
    private record Read(String workerId, Stamp stamp, @Nullable WorkerRecord record, @Nullable StoreException error) {

    }

}
