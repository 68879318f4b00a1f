package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.workerexporter.merge.DeathDiagnostics.Value;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The {@link DeathDiagnostics} of lost workers as gauges labelled {@code worker_id},
 * {@code <prefix>_master_lost_worker_*}: a series exists only for a worker that is lost
 * and only for a value its last record had; a family with no series is left out, so a
 * view without lost workers is the view of before.
 *
 * @author Worker Exporter
 */
final class LostWorkerGauges {

    private static final Map<Value, String> HELP = Map.of(Value.MEMORY,
            "Memory usage of a lost worker process in its last record", Value.HEAP_USED,
            "JVM heap used by a lost worker in its last record", Value.HEAP_MAX,
            "JVM heap maximum of a lost worker in its last record", Value.CPU,
            "CPU usage of a lost worker process in its last record", Value.UPTIME,
            "Uptime of a lost worker process in its last record", Value.REQUESTS_IN_FLIGHT,
            "Requests in flight of a lost worker in its last record", Value.LAST_SEEN,
            "When a lost worker last flushed, in seconds since the epoch");

    private LostWorkerGauges() {
    }

    /**
     * Add the gauges of the lost workers of a census.
     * @param census the census
     * @param prefix the metric prefix
     * @param result where to add them
     */
    static void add(Census census, String prefix, MetricSnapshots.Builder result) {
        for (Value value : Value.values()) {
            List<GaugeDataPointSnapshot> points = new ArrayList<>();
            for (KnownWorker worker : census.workers()) {
                DeathDiagnostics diagnostics = worker.diagnostics();
                Double number = (diagnostics != null) ? value.of(diagnostics) : null;
                if (number != null) {
                    points.add(new GaugeDataPointSnapshot(number, Labels.of("worker_id", worker.workerId()), null));
                }
            }
            if (!points.isEmpty()) {
                GaugeSnapshot.Builder family = GaugeSnapshot.builder()
                    .name(prefix + "_master_lost_worker_" + value.suffix())
                    .help(HELP.get(value));
                points.forEach(family::dataPoint);
                result.metricSnapshot(family.build());
            }
        }
    }

}
