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
 * are equal. A series whose labels repeat another's is kept once.
 *
 * @author Worker Exporter
 */
final class FamilyMerge {

    private final byte type;

    private final @Nullable GaugeMode mode;

    private final boolean sumWorkers;

    private MetricMetadata metadata;

    private long newest = Long.MIN_VALUE;

    private final List<Entry> entries = new ArrayList<>();

    FamilyMerge(MetricSnapshot first, @Nullable GaugeMode mode, boolean sumWorkers) {
        this.type = Snapshots.typeOf(first);
        this.metadata = first.getMetadata();
        this.mode = (this.type == Snapshots.GAUGE) ? mode : null;
        this.sumWorkers = sumWorkers && this.type == Snapshots.COUNTER;
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
        if (record.heartbeatMillis() > this.newest) {
            this.newest = record.heartbeatMillis();
            this.metadata = snapshot.getMetadata();
        }
        for (DataPointSnapshot point : snapshot.getDataPoints()) {
            Labels labels = point.getLabels();
            if (!labels.contains(Snapshots.WORKER_ID)) {
                labels = labels.add(Snapshots.WORKER_ID, record.workerId());
            }
            this.entries.add(new Entry(labels, point, record.heartbeatMillis()));
        }
        return true;
    }

    MetricSnapshot build() {
        boolean aggregate = this.sumWorkers
                || (this.mode != null && this.mode != GaugeMode.ALL && this.mode != GaugeMode.LIVEALL);
        Map<Labels, DataPointSnapshot> points = new LinkedHashMap<>();
        Map<Labels, Long> heartbeats = new LinkedHashMap<>();
        for (Entry entry : this.entries) {
            if (!aggregate) {
                points.putIfAbsent(entry.labels(), Snapshots.relabel(entry.point(), entry.labels()));
                continue;
            }
            Labels labels = Snapshots.withoutWorkerId(entry.labels());
            DataPointSnapshot previous = points.get(labels);
            double value = value(entry.point());
            if (previous != null) {
                value = combine(value(previous), value, entry.heartbeat() > heartbeats.get(labels));
            }
            heartbeats.merge(labels, entry.heartbeat(), Math::max);
            points.put(labels, this.sumWorkers ? new CounterDataPointSnapshot(value, labels, null, 0)
                    : new GaugeDataPointSnapshot(value, labels, null));
        }
        return Snapshots.family(this.type, this.metadata, new ArrayList<>(points.values()));
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

    private record Entry(Labels labels, DataPointSnapshot point, long heartbeat) {
    }

}
