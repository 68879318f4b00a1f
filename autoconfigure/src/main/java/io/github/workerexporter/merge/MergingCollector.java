package io.github.workerexporter.merge;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * The merged view of every worker in shared storage, each family exactly once.
 * <ul>
 * <li>Each series gets a {@code worker_id} label unless it has one.</li>
 * <li>A worker is alive while its state is not {@code stopped} and its last flush is at
 * most the heartbeat timeout old; lost when not stopped and its heartbeat expired;
 * stopped when it said so. The age of a flush is measured on this JVM's monotonic clock
 * ({@link HeartbeatAges}), so a wall clock that jumps, here or on a worker, neither loses
 * a flushing worker nor keeps a silent one alive. Counters, histograms and summaries of
 * stopped and lost workers stay until the store expires their data.</li>
 * <li>Gauges merge by their {@link GaugeMode} (default {@code LIVEALL}: gauges of workers
 * that are not alive are dropped). Aggregating modes drop {@code worker_id}.</li>
 * <li>{@code <prefix>_master_worker_restart_total{reason}} is summed over workers (its
 * meaning: {@link io.github.workerexporter.metrics.MasterRestarts});
 * {@code <prefix>_master_workers{state}} counts workers by state.</li>
 * </ul>
 * When the store cannot be read the scrape still answers, with the local metrics only,
 * and the failure is logged once. A record whose metrics cannot be decoded is skipped as
 * a corrupt one, with one WARN per worker: it counts in no state of
 * {@code <prefix>_master_workers} and none of its series is served. Label names may
 * differ between series of a family (workers of different versions); the exposition
 * formats accept that.
 *
 * @author Worker Exporter
 */
public final class MergingCollector implements MultiCollector {

    private static final Logger logger = LoggerFactory.getLogger(MergingCollector.class);

    private final MetricStore store;

    private final SnapshotCodec codec;

    private final String prefix;

    private final Map<String, GaugeMode> gaugeModes;

    private final Duration heartbeatTimeout;

    private final HeartbeatAges ages;

    private final Supplier<MetricSnapshots> local;

    private final FailureLog readFailures;

    private final Set<String> undecodable = ConcurrentHashMap.newKeySet();

    /**
     * Create the merged view.
     * @param store the shared store
     * @param codec the codec of the metrics
     * @param prefix the metric prefix of the master families
     * @param gaugeModes the mode of each gauge family by name (others: LIVEALL)
     * @param heartbeatTimeout how long a worker may go without a flush and stay alive
     * @param clock the clock of heartbeats
     * @param local this process's own metrics, served when the store cannot be read
     */
    public MergingCollector(MetricStore store, SnapshotCodec codec, String prefix, Map<String, GaugeMode> gaugeModes,
            Duration heartbeatTimeout, Clock clock, Supplier<MetricSnapshots> local) {
        this(store, codec, prefix, gaugeModes, heartbeatTimeout, clock, System::nanoTime, local);
    }

    /**
     * Create the merged view that measures the age of flushes on the given monotonic
     * clock.
     * @param store the shared store
     * @param codec the codec of the metrics
     * @param prefix the metric prefix of the master families
     * @param gaugeModes the mode of each gauge family by name (others: LIVEALL)
     * @param heartbeatTimeout how long a worker may go without a flush and stay alive
     * @param clock the wall clock that heartbeats are compared with at first sight
     * @param nanoTime a monotonic clock in nanoseconds, such as {@link System#nanoTime()}
     * @param local this process's own metrics, served when the store cannot be read
     */
    public MergingCollector(MetricStore store, SnapshotCodec codec, String prefix, Map<String, GaugeMode> gaugeModes,
            Duration heartbeatTimeout, Clock clock, LongSupplier nanoTime, Supplier<MetricSnapshots> local) {
        this.store = store;
        this.codec = codec;
        this.prefix = prefix;
        this.gaugeModes = Map.copyOf(gaugeModes);
        this.heartbeatTimeout = heartbeatTimeout;
        this.ages = new HeartbeatAges(clock, nanoTime);
        this.local = local;
        this.readFailures = new FailureLog(logger, "Read of " + store.name() + " storage");
    }

    @Override
    public MetricSnapshots collect() {
        List<WorkerRecord> records;
        try {
            records = this.store.readAll();
            this.readFailures.succeeded();
        }
        catch (StoreException ex) {
            this.readFailures.failed(ex);
            return this.local.get();
        }
        Map<String, Duration> ages = this.ages.observe(records);
        Map<String, Double> byState = new LinkedHashMap<>(Map.of("alive", 0.0, "stopped", 0.0, "lost", 0.0));
        Map<String, FamilyMerge> families = new LinkedHashMap<>();
        for (WorkerRecord record : records) {
            MetricSnapshots snapshots = decode(record);
            if (snapshots == null) {
                // As a corrupt record: in no state, not served.
                continue;
            }
            String state = HeartbeatAges.stateOf(record, ages.get(record.workerId()), this.heartbeatTimeout);
            byState.merge(state, 1.0, Double::sum);
            merge(families, record, state.equals("alive"), snapshots);
        }
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        families.values().forEach((family) -> result.metricSnapshot(family.build()));
        GaugeSnapshot.Builder workers = GaugeSnapshot.builder()
            .name(this.prefix + "_master_workers")
            .help("Number of workers known to shared storage by state");
        byState.forEach((state, count) -> workers
            .dataPoint(new GaugeDataPointSnapshot(count, Labels.of("state", state), null)));
        return result.metricSnapshot(workers.build()).build();
    }

    private void merge(Map<String, FamilyMerge> families, WorkerRecord record, boolean alive,
            MetricSnapshots snapshots) {
        for (MetricSnapshot snapshot : snapshots) {
            String name = snapshot.getMetadata().getPrometheusName();
            if (name.equals(this.prefix + "_master_workers")) {
                continue;
            }
            FamilyMerge family = families.computeIfAbsent(name, (key) -> new FamilyMerge(snapshot, modeOf(snapshot),
                    key.equals(this.prefix + "_master_worker_restart")));
            if (!family.add(record, alive, snapshot)) {
                logger.debug("Skipped {} of worker {}: its type differs from other workers'", name, record.workerId());
            }
        }
    }

    private GaugeMode modeOf(MetricSnapshot snapshot) {
        GaugeMode mode = this.gaugeModes.get(snapshot.getMetadata().getPrometheusName());
        return (mode != null) ? mode
                : this.gaugeModes.getOrDefault(snapshot.getMetadata().getName(), GaugeMode.LIVEALL);
    }

    private @Nullable MetricSnapshots decode(WorkerRecord record) {
        try {
            MetricSnapshots snapshots = this.codec.decode(record.metrics());
            this.undecodable.remove(record.workerId());
            return snapshots;
        }
        catch (StoreException ex) {
            if (this.undecodable.add(record.workerId())) {
                logger.warn("Skipped the metrics of worker {}: {}", record.workerId(), ex.getMessage());
            }
            else {
                logger.debug("Skipped the metrics of worker {}", record.workerId(), ex);
            }
            return null;
        }
    }

}
