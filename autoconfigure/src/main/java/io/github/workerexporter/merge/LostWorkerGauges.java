package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

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

    private static final List<Gauge> GAUGES = List.of(
            new Gauge("memory_bytes", "Memory usage of a lost worker process in its last record",
                    DeathDiagnostics::memoryBytes),
            new Gauge("heap_used_bytes", "JVM heap used by a lost worker in its last record",
                    DeathDiagnostics::heapUsedBytes),
            new Gauge("heap_max_bytes", "JVM heap maximum of a lost worker in its last record",
                    DeathDiagnostics::heapMaxBytes),
            new Gauge("cpu_percent", "CPU usage of a lost worker process in its last record",
                    DeathDiagnostics::cpuPercent),
            new Gauge("uptime_seconds", "Uptime of a lost worker process in its last record",
                    DeathDiagnostics::uptimeSeconds),
            new Gauge("requests_in_flight", "Requests in flight of a lost worker in its last record",
                    DeathDiagnostics::requestsInFlight),
            new Gauge("last_seen_timestamp_seconds", "When a lost worker last flushed, in seconds since the epoch",
                    (diagnostics) -> diagnostics.lastSeen().toEpochMilli() / 1000.0));

    private LostWorkerGauges() {
    }

    /**
     * Add the gauges of the lost workers of a census.
     * @param census the census
     * @param prefix the metric prefix
     * @param result where to add them
     */
    static void add(Census census, String prefix, MetricSnapshots.Builder result) {
        for (Gauge gauge : GAUGES) {
            List<GaugeDataPointSnapshot> points = new ArrayList<>();
            for (KnownWorker worker : census.workers()) {
                DeathDiagnostics diagnostics = worker.diagnostics();
                Double value = (diagnostics != null) ? gauge.value().apply(diagnostics) : null;
                if (value != null) {
                    points.add(new GaugeDataPointSnapshot(value, Labels.of("worker_id", worker.workerId()), null));
                }
            }
            if (!points.isEmpty()) {
                GaugeSnapshot.Builder family = GaugeSnapshot.builder()
                    .name(prefix + "_master_lost_worker_" + gauge.suffix())
                    .help(gauge.help());
                points.forEach(family::dataPoint);
                result.metricSnapshot(family.build());
            }
        }
    }

    private record Gauge(String suffix, String help, Function<DeathDiagnostics, @Nullable Double> value) {

    }

}
