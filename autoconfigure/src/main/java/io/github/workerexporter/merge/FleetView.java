package io.github.workerexporter.merge;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.storage.SharedValue;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.Snapshots;
import io.github.workerexporter.storage.StoreException;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;

/**
 * The fleet view ({@code exporter.storage.view=fleet}): the merged view of
 * {@link MergingCollector} with {@code worker_id} dropped from the worker families, so
 * that its number of series does not grow with the number of workers.
 * <ul>
 * <li>Counters, histograms and summaries: the fleet sums of every worker the store knows,
 * stopped and lost ones included, plus what left the store (the fleet remainder, see
 * {@link FleetFolds}): they never go backwards when a worker leaves.</li>
 * <li>Gauges: as the merged view aggregates them by their {@link GaugeMode}; the
 * per-worker modes {@code all} and {@code liveall} are summed over the series the merged
 * view serves (all workers, live workers).</li>
 * <li>Other types: unknown values and gauge histograms summed, info and state set series
 * kept once per label set.</li>
 * <li>The master families ({@code <prefix>_master_*}: liveness, restarts, lost workers'
 * diagnostics, id conflicts) as the merged view serves them, per worker.</li>
 * </ul>
 * When the store cannot be read it answers as the merged view does (the local metrics). A
 * scrape reads the store once: the sums and the merged view, whose gauges and master
 * families it serves, are made from one {@link Census}.
 *
 * @author Worker Exporter
 */
public final class FleetView implements MultiCollector {

    private static final Logger logger = LoggerFactory.getLogger(FleetView.class);

    private final MergingCollector merged;

    private final WorkerCensus census;

    private final String prefix;

    private final FleetFolds folds;

    /**
     * Create the fleet view.
     * @param merged the merged view it is made from
     * @param census the census of the store, the one the merged view reads
     * @param codec the codec of the metrics
     * @param remainder where the fleet remainder is kept
     * @param prefix the metric prefix of the master families
     * @param grace how long a life gone from the store stays folded on its own before it
     * is added to the remainder's base (the retention)
     * @param clock the wall clock
     */
    public FleetView(MergingCollector merged, WorkerCensus census, SnapshotCodec codec, SharedValue remainder,
            String prefix, Duration grace, Clock clock) {
        this.merged = merged;
        this.census = census;
        this.prefix = prefix;
        this.folds = new FleetFolds(remainder, codec, prefix, grace, clock);
    }

    @Override
    public MetricSnapshots collect() {
        Census census;
        try {
            census = this.census.take();
        }
        catch (StoreException ex) {
            logger.debug("The store cannot be read: the merged view answers", ex);
            return this.merged.collect();
        }
        MetricSnapshots sums = this.folds.sums(census);
        Map<String, MetricSnapshot> summed = new LinkedHashMap<>();
        sums.forEach((family) -> summed.put(family.getMetadata().getPrometheusName(), family));
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        for (MetricSnapshot family : this.merged.collect(census)) {
            String name = family.getMetadata().getPrometheusName();
            if (summed.containsKey(name)) {
                result.metricSnapshot(summed.remove(name));
            }
            else if (name.startsWith(this.prefix + "_master_")) {
                result.metricSnapshot(family);
            }
            else {
                result.metricSnapshot(withoutWorkerId(family));
            }
        }
        summed.values().forEach(result::metricSnapshot);
        return result.build();
    }

    /**
     * A family with {@code worker_id} dropped: values of equal other labels added, others
     * kept once.
     */
    private static MetricSnapshot withoutWorkerId(MetricSnapshot family) {
        if (family instanceof HistogramSnapshot) {
            return FleetSums.sum(family);
        }
        Map<Labels, DataPointSnapshot> points = new LinkedHashMap<>();
        for (DataPointSnapshot point : family.getDataPoints()) {
            Labels labels = Snapshots.withoutWorkerId(point.getLabels());
            DataPointSnapshot previous = points.get(labels);
            if (previous == null) {
                points.put(labels, Snapshots.relabel(point, labels));
            }
            else if (point instanceof GaugeDataPointSnapshot gauge) {
                points.put(labels, new GaugeDataPointSnapshot(
                        ((GaugeDataPointSnapshot) previous).getValue() + gauge.getValue(), labels, null));
            }
            else if (point instanceof UnknownDataPointSnapshot unknown) {
                points.put(labels, new UnknownDataPointSnapshot(
                        ((UnknownDataPointSnapshot) previous).getValue() + unknown.getValue(), labels, null));
            }
        }
        return Snapshots.family(Snapshots.typeOf(family), family.getMetadata(), new ArrayList<>(points.values()));
    }

}
