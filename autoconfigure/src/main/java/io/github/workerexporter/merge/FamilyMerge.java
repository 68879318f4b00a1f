package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.github.workerexporter.storage.Snapshots;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * One family merged over workers. By default each series gets a {@code worker_id} label
 * when it has none. A gauge with an aggregating {@link GaugeMode} and the restart counter
 * ({@code sumWorkers}) drop {@code worker_id} and aggregate the series whose other labels
 * are equal. A series whose labels repeat another's is kept once (the first added).
 * <p>
 * Streamed: a worker's data point is kept as decoded when it already has its
 * {@code worker_id} (a fleet's usual case), and an aggregated series is one running value
 * per label set, so a merge allocates no object per worker series of its own. Series of
 * different workers cannot repeat each other when each carries its own worker's id; only
 * a series whose {@code worker_id} names another worker, or a family where some series
 * were given their {@code worker_id} and others came with one, makes the merge look for
 * repeats. The series are sorted by the family's {@link SeriesOrder} of the last scrape
 * while every series arrives with the label set it arrived with then.
 *
 * @author Worker Exporter
 */
final class FamilyMerge {

    private final byte type;

    private final @Nullable GaugeMode mode;

    private final boolean sumWorkers;

    private final boolean aggregate;

    private MetricMetadata metadata;

    private long newest = Long.MIN_VALUE;

    private final List<DataPointSnapshot> points;

    private boolean relabeled;

    private boolean labelled;

    private boolean mayRepeat;

    private final Map<Labels, Running> running = new LinkedHashMap<>();

    private @Nullable SeriesOrder order;

    /**
     * Start the merge of a family.
     * @param first the first worker's snapshot of it
     * @param mode its gauge mode, or {@code null}
     * @param sumWorkers whether it is the restart counter
     * @param order the family's order of the last scrape, or {@code null}
     */
    FamilyMerge(MetricSnapshot first, @Nullable GaugeMode mode, boolean sumWorkers, @Nullable SeriesOrder order) {
        this.order = order;
        this.points = new ArrayList<>((order != null) ? order.size() : 16);
        this.type = Snapshots.typeOf(first);
        this.metadata = first.getMetadata();
        this.mode = (this.type == Snapshots.GAUGE) ? mode : null;
        this.sumWorkers = sumWorkers && this.type == Snapshots.COUNTER;
        this.aggregate = this.sumWorkers
                || (this.mode != null && this.mode != GaugeMode.ALL && this.mode != GaugeMode.LIVEALL);
    }

    /**
     * Add one worker's snapshot of this family.
     * @return false when its type differs from the family's
     */
    boolean add(WorkerRecord record, boolean alive, MetricSnapshot snapshot) {
        if (Snapshots.typeOf(snapshot) != this.type) {
            return false;
        }
        if (!alive && (this.mode == GaugeMode.LIVEALL || this.mode == GaugeMode.LIVESUM)) {
            return true;
        }
        long heartbeat = record.heartbeatMillis();
        if (heartbeat > this.newest) {
            this.newest = heartbeat;
            this.metadata = snapshot.getMetadata();
        }
        for (DataPointSnapshot point : snapshot.getDataPoints()) {
            if (this.aggregate) {
                aggregate(Snapshots.withoutWorkerId(point.getLabels()), value(point), heartbeat);
            }
            else {
                DataPointSnapshot merged = withWorkerId(point, record.workerId());
                SeriesOrder order = this.order;
                if (order != null && !order.holds(this.points.size(), merged.getLabels())) {
                    this.order = null;
                }
                this.points.add(merged);
            }
        }
        return true;
    }

    private DataPointSnapshot withWorkerId(DataPointSnapshot point, String workerId) {
        Labels labels = point.getLabels();
        String id = Snapshots.workerIdOf(labels);
        if (id == null) {
            this.relabeled = true;
            this.mayRepeat |= this.labelled;
            return Snapshots.relabel(point, labels.add(Snapshots.WORKER_ID, workerId));
        }
        this.labelled = true;
        this.mayRepeat |= this.relabeled || !id.equals(workerId);
        return point;
    }

    private void aggregate(Labels labels, double value, long heartbeat) {
        Running previous = this.running.get(labels);
        if (previous == null) {
            this.running.put(labels, new Running(value, heartbeat));
            return;
        }
        previous.value = combine(previous.value, value, heartbeat > previous.heartbeat);
        previous.heartbeat = Math.max(previous.heartbeat, heartbeat);
    }

    MetricSnapshot build() {
        if (this.aggregate) {
            List<DataPointSnapshot> points = new ArrayList<>(this.running.size());
            this.running.forEach((labels, running) -> points
                .add(this.sumWorkers ? new CounterDataPointSnapshot(running.value, labels, null, 0)
                        : new GaugeDataPointSnapshot(running.value, labels, null)));
            return Snapshots.family(this.type, this.metadata, points);
        }
        if (this.mayRepeat) {
            Map<Labels, DataPointSnapshot> first = new LinkedHashMap<>();
            this.points.forEach((point) -> first.putIfAbsent(point.getLabels(), point));
            return Snapshots.family(this.type, this.metadata, new ArrayList<>(first.values()));
        }
        return Snapshots.sortedFamily(this.type, this.metadata, sorted());
    }

    /**
     * The series sorted, by the last scrape's order when it still holds, else by a sort
     * whose order is kept for the next.
     */
    List<DataPointSnapshot> sorted() {
        SeriesOrder order = this.order;
        if (order == null || !order.fits(this.points.size())) {
            order = SeriesOrder.of(this.points);
            this.order = order;
        }
        return order.apply(this.points);
    }

    /**
     * The order of the series after {@link #build}, for the next scrape's merge.
     * @return the order, or {@code null} when the family was not sorted here (aggregated,
     * or series that may repeat)
     */
    @Nullable SeriesOrder order() {
        return (this.aggregate || this.mayRepeat) ? null : this.order;
    }

    private double combine(double current, double next, boolean nextIsNewer) {
        if (this.mode == GaugeMode.MAX) {
            return Math.max(current, next);
        }
        if (this.mode == GaugeMode.MIN) {
            return Math.min(current, next);
        }
        if (this.mode == GaugeMode.MOSTRECENT) {
            return nextIsNewer ? next : current;
        }
        return current + next;
    }

    private static double value(DataPointSnapshot point) {
        return (point instanceof CounterDataPointSnapshot counter) ? counter.getValue()
                : ((GaugeDataPointSnapshot) point).getValue();
    }

    /**
     * The value of one aggregated series so far, and the newest heartbeat that fed it.
     */
    private static final class Running {

        private double value;

        private long heartbeat;

        Running(double value, long heartbeat) {
            this.value = value;
            this.heartbeat = heartbeat;
        }

    }

}
