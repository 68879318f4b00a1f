package io.github.workerexporter.merge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.Snapshots;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * Restarts of this worker id, carried from its previous life into the counter
 * {@code <prefix>_master_worker_restart} that this worker publishes, so the count lives
 * in shared storage and survives the next restart too. A previous life is a record under
 * the same worker id with another start time, read before the first publish; its restart
 * counts are carried plus one for the reason it recorded ({@code crash} when it recorded
 * none). A previous life whose data expired (retention) is not seen; one whose metrics
 * cannot be decoded counts as a restart without carrying its counts (logged once).
 *
 * @author Worker Exporter
 */
public final class RestartCarry {

    private static final Logger logger = LoggerFactory.getLogger(RestartCarry.class);

    static final String HELP = "Total number of Gunicorn worker restarts";

    private final String family;

    private final Map<Labels, Double> carried;

    private RestartCarry(String family, Map<Labels, Double> carried) {
        this.family = family;
        this.carried = carried;
    }

    /**
     * The restarts carried from the previous lives of a worker id found in a read of the
     * store.
     * @param records every record of the read
     * @param workerId this worker's id
     * @param startTimeMillis this life's start time
     * @param codec the codec of the metrics
     * @param family the name of the restart family
     * @return the carried restarts
     */
    public static RestartCarry from(List<WorkerRecord> records, String workerId, long startTimeMillis,
            SnapshotCodec codec, String family) {
        Map<Labels, Double> carried = new LinkedHashMap<>();
        for (WorkerRecord previous : records) {
            if (previous.workerId().equals(workerId) && previous.startTimeMillis() != startTimeMillis) {
                for (MetricSnapshot snapshot : decode(previous, codec)) {
                    if (snapshot instanceof CounterSnapshot counter && isFamily(counter, family)) {
                        counter.getDataPoints()
                            .forEach((point) -> carried.merge(Snapshots.withoutWorkerId(point.getLabels()),
                                    point.getValue(), Double::sum));
                    }
                }
                String reason = (previous.stopReason() != null) ? previous.stopReason() : "crash";
                carried.merge(Labels.of("reason", reason), 1.0, Double::sum);
            }
        }
        return new RestartCarry(family, carried);
    }

    private static MetricSnapshots decode(WorkerRecord previous, SnapshotCodec codec) {
        try {
            return codec.decode(previous.metrics());
        }
        catch (StoreException ex) {
            logger.warn("The restart counts of the previous life of worker {} are not carried: {}", previous.workerId(),
                    ex.getMessage());
            return MetricSnapshots.of();
        }
    }

    /**
     * The snapshots with the carried counts added to the restart family (created when
     * absent).
     */
    public MetricSnapshots apply(MetricSnapshots snapshots) {
        if (this.carried.isEmpty()) {
            return snapshots;
        }
        Map<Labels, Double> counts = new LinkedHashMap<>(this.carried);
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        for (MetricSnapshot snapshot : snapshots) {
            if (snapshot instanceof CounterSnapshot counter && isFamily(counter, this.family)) {
                counter.getDataPoints()
                    .forEach((point) -> counts.merge(Snapshots.withoutWorkerId(point.getLabels()), point.getValue(),
                            Double::sum));
            }
            else {
                result.metricSnapshot(snapshot);
            }
        }
        CounterSnapshot.Builder restarts = CounterSnapshot.builder().name(this.family).help(HELP);
        counts.forEach((labels, value) -> restarts.dataPoint(new CounterDataPointSnapshot(value, labels, null, 0)));
        return result.metricSnapshot(restarts.build()).build();
    }

    private static boolean isFamily(CounterSnapshot counter, String family) {
        return counter.getMetadata().getPrometheusName().equals(family);
    }

}
