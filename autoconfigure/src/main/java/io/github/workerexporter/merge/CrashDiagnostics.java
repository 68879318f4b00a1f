package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.lifecycle.StopReason;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * What the last record of this worker id's previous life said when that life died without
 * a clean stop: its restart counted as {@code crash} (a {@code kill -9}, a kernel OOM
 * kill, a halt) or {@code oom}. Served as
 * {@code <prefix>_master_crashed_worker_<value>{worker_id,reason}} gauges, one per
 * {@link DeathDiagnostics} value the record had, published with this life's record so the
 * merged view of any worker shows them. They exist only after such a restart and are
 * replaced by the next one; a clean restart ({@code term}, {@code int}, {@code hup},
 * {@code error}) removes them. Filled by {@link RestartCarry} when it reads the previous
 * life, before this life first publishes.
 *
 * @author Worker Exporter
 */
public final class CrashDiagnostics implements MultiCollector {

    private final String prefix;

    private final String workerId;

    private volatile @Nullable Death last;

    /**
     * Create the collector of a worker.
     * @param prefix the metric prefix
     * @param workerId this worker's id
     */
    public CrashDiagnostics(String prefix, String workerId) {
        this.prefix = prefix;
        this.workerId = workerId;
    }

    String prefix() {
        return this.prefix;
    }

    /**
     * Note the previous life's end: its diagnostics when it ended as {@code crash} or
     * {@code oom}, nothing otherwise.
     * @param reason why the previous life ended
     * @param diagnostics what its last record said
     */
    void previousLifeEnded(StopReason reason, DeathDiagnostics diagnostics) {
        this.last = (reason == StopReason.CRASH || reason == StopReason.OOM) ? new Death(reason, diagnostics) : null;
    }

    /**
     * Forget the previous life: the record read was not one (see
     * {@link RestartCarry#carry}).
     */
    void forget() {
        this.last = null;
    }

    @Override
    public MetricSnapshots collect() {
        Death death = this.last;
        if (death == null) {
            return MetricSnapshots.of();
        }
        Labels labels = Labels.of("reason", death.reason().label(), "worker_id", this.workerId);
        DeathDiagnostics values = death.diagnostics();
        List<MetricSnapshot> families = new ArrayList<>();
        add(families, "memory_bytes", "Resident memory of the worker's crashed previous life, as it last reported",
                values.memoryBytes(), labels);
        add(families, "heap_used_bytes", "JVM heap used by the worker's crashed previous life, as it last reported",
                values.heapUsedBytes(), labels);
        add(families, "heap_max_bytes", "JVM heap maximum of the worker's crashed previous life", values.heapMaxBytes(),
                labels);
        add(families, "cpu_percent", "CPU usage of the worker's crashed previous life, as it last reported",
                values.cpuPercent(), labels);
        add(families, "uptime_seconds", "How long the worker's crashed previous life had run when it last reported",
                values.uptimeSeconds(), labels);
        add(families, "requests_in_flight",
                "Requests the worker's crashed previous life was serving when it last" + " reported",
                values.requestsInFlight(), labels);
        add(families, "last_seen_timestamp_seconds", "When the worker's crashed previous life last reported",
                values.lastSeen().toEpochMilli() / 1000.0, labels);
        return new MetricSnapshots(families);
    }

    private void add(List<MetricSnapshot> families, String value, String help, @Nullable Double number, Labels labels) {
        if (number != null) {
            families.add(GaugeSnapshot.builder()
                .name(this.prefix + "_master_crashed_worker_" + value)
                .help(help)
                .dataPoint(new GaugeDataPointSnapshot(number, labels, null))
                .build());
        }
    }

    @Override
    public List<String> getPrometheusNames() {
        Function<String, String> name = (value) -> this.prefix + "_master_crashed_worker_" + value;
        return List.of(name.apply("memory_bytes"), name.apply("heap_used_bytes"), name.apply("heap_max_bytes"),
                name.apply("cpu_percent"), name.apply("uptime_seconds"), name.apply("requests_in_flight"),
                name.apply("last_seen_timestamp_seconds"));
    }

    private record Death(StopReason reason, DeathDiagnostics diagnostics) {

    }

}
