package io.github.workerexporter.merge;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.github.workerexporter.storage.StoreException;

/**
 * The merged view of every worker in shared storage, each family exactly once, built from
 * one {@link Census} per scrape (so it counts the workers as health and the endpoint do).
 * <ul>
 * <li>Each series gets a {@code worker_id} label unless it has one.</li>
 * <li>Counters, histograms and summaries of stopped and lost workers stay until the store
 * expires their data.</li>
 * <li>Gauges merge by their {@link GaugeMode} (default {@code LIVEALL}: gauges of workers
 * that are not {@link Liveness#ALIVE alive} are dropped). Aggregating modes drop
 * {@code worker_id}.</li>
 * <li>{@code <prefix>_master_worker_restart_total{reason}} is summed over workers (its
 * meaning: {@link io.github.workerexporter.metrics.MasterRestarts});
 * {@code <prefix>_master_workers{state}} counts workers by {@link Liveness}.</li>
 * <li>For each {@link Liveness#LOST lost} worker, {@code <prefix>_master_lost_worker_*}
 * gauges give what its last record said ({@link DeathDiagnostics}).</li>
 * </ul>
 * When the store cannot be read the scrape still answers, with the local metrics only,
 * and the failure is logged once. A record whose metrics cannot be decoded counts in no
 * state and none of its series is served (see {@link WorkerCensus}). Label names may
 * differ between series of a family (workers of different versions); the exposition
 * formats accept that.
 *
 * @author Worker Exporter
 */
public final class MergingCollector implements MultiCollector {

    private static final Logger logger = LoggerFactory.getLogger(MergingCollector.class);

    private final WorkerCensus census;

    private final String prefix;

    private final String workersFamily;

    private final String lostWorkerFamilies;

    private final String restartFamily;

    private final Map<String, GaugeMode> gaugeModes;

    private final Supplier<MetricSnapshots> local;

    private final FailureLog readFailures;

    private volatile Map<String, SeriesOrder> orders = Map.of();

    /**
     * Create the merged view.
     * @param census the census of the shared store
     * @param prefix the metric prefix of the master families
     * @param gaugeModes the mode of each gauge family by name (others: LIVEALL)
     * @param local this process's own metrics, served when the store cannot be read
     */
    public MergingCollector(WorkerCensus census, String prefix, Map<String, GaugeMode> gaugeModes,
            Supplier<MetricSnapshots> local) {
        this.census = census;
        this.prefix = prefix;
        this.workersFamily = prefix + "_master_workers";
        this.lostWorkerFamilies = prefix + "_master_lost_worker_";
        this.restartFamily = prefix + "_master_worker_restart";
        this.gaugeModes = Map.copyOf(gaugeModes);
        this.local = local;
        this.readFailures = new FailureLog(logger, "Read of " + census.store().name() + " storage");
    }

    @Override
    public MetricSnapshots collect() {
        Census census;
        try {
            census = this.census.take();
        }
        catch (StoreException ex) {
            this.readFailures.failed(ex);
            return this.local.get();
        }
        return collect(census);
    }

    /**
     * The merged view of a census already taken, so that a view made from this one (the
     * fleet view) reads the store once per scrape.
     * @param census the census
     * @return the merged families
     */
    MetricSnapshots collect(Census census) {
        this.readFailures.succeeded();
        Map<String, FamilyMerge> families = new LinkedHashMap<>();
        Map<String, SeriesOrder> previous = this.orders;
        for (KnownWorker worker : census.workers()) {
            merge(families, previous, worker);
        }
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        Map<String, SeriesOrder> orders = new HashMap<>();
        families.forEach((name, family) -> {
            result.metricSnapshot(family.build());
            SeriesOrder order = family.order();
            if (order != null) {
                orders.put(name, order);
            }
        });
        this.orders = orders;
        GaugeSnapshot.Builder workers = GaugeSnapshot.builder()
            .name(this.workersFamily)
            .help("Number of workers known to shared storage by state");
        census.countByLiveness()
            .forEach((liveness, count) -> workers
                .dataPoint(new GaugeDataPointSnapshot(count, Labels.of("state", liveness.label()), null)));
        result.metricSnapshot(workers.build());
        LostWorkerGauges.add(census, this.prefix, result);
        return result.build();
    }

    private void merge(Map<String, FamilyMerge> families, Map<String, SeriesOrder> orders, KnownWorker worker) {
        boolean alive = worker.liveness() == Liveness.ALIVE;
        for (MetricSnapshot snapshot : worker.metrics()) {
            String name = snapshot.getMetadata().getPrometheusName();
            if (name.equals(this.workersFamily) || name.startsWith(this.lostWorkerFamilies)) {
                continue;
            }
            FamilyMerge family = families.get(name);
            if (family == null) {
                family = new FamilyMerge(snapshot, modeOf(snapshot), name.equals(this.restartFamily), orders.get(name));
                families.put(name, family);
            }
            if (!family.add(worker.record(), alive, snapshot)) {
                logger.debug("Skipped {} of worker {}: its type differs from other workers'", name, worker.workerId());
            }
        }
    }

    private GaugeMode modeOf(MetricSnapshot snapshot) {
        GaugeMode mode = this.gaugeModes.get(snapshot.getMetadata().getPrometheusName());
        return (mode != null) ? mode
                : this.gaugeModes.getOrDefault(snapshot.getMetadata().getName(), GaugeMode.LIVEALL);
    }

}
