package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.merge.DeathDiagnostics.Value;
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
 * <p>
 * The gauges are the one record of a crashed previous life: {@link #read} gives them back
 * from a worker's published metrics, for the {@code exporter} endpoint of any worker
 * (through {@link KnownWorker#crashedPreviousLife()}).
 *
 * @author Worker Exporter
 */
public final class CrashDiagnostics implements MultiCollector {

    private static final Map<Value, String> HELP = Map.of(Value.MEMORY,
            "Resident memory of the worker's crashed previous life, as it last reported", Value.HEAP_USED,
            "JVM heap used by the worker's crashed previous life, as it last reported", Value.HEAP_MAX,
            "JVM heap maximum of the worker's crashed previous life", Value.CPU,
            "CPU usage of the worker's crashed previous life, as it last reported", Value.UPTIME,
            "How long the worker's crashed previous life had run when it last reported", Value.REQUESTS_IN_FLIGHT,
            "Requests the worker's crashed previous life was serving when it last reported", Value.LAST_SEEN,
            "When the worker's crashed previous life last reported");

    private final String prefix;

    private final String workerId;

    private volatile @Nullable CrashedLife last;

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
        this.last = (reason == StopReason.CRASH || reason == StopReason.OOM) ? new CrashedLife(reason, diagnostics)
                : null;
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
        CrashedLife crashed = this.last;
        if (crashed == null) {
            return MetricSnapshots.of();
        }
        Labels labels = Labels.of("reason", crashed.reason().label(), "worker_id", this.workerId);
        List<MetricSnapshot> families = new ArrayList<>();
        crashed.diagnostics()
            .numbers()
            .forEach((value,
                    number) -> families.add(GaugeSnapshot.builder()
                        .name(name(this.prefix, value))
                        .help(HELP.get(value))
                        .dataPoint(new GaugeDataPointSnapshot(number, labels, null))
                        .build()));
        return new MetricSnapshots(families);
    }

    @Override
    public List<String> getPrometheusNames() {
        List<String> names = new ArrayList<>();
        for (Value value : Value.values()) {
            names.add(name(this.prefix, value));
        }
        return names;
    }

    /**
     * The crashed previous life that a worker's published metrics carry, as its
     * {@code CrashDiagnostics} served it.
     * @param metrics the decoded metrics of a worker's record
     * @param prefix the metric prefix
     * @return the crashed previous life, or {@code null} when the metrics have none
     */
    public static @Nullable CrashedLife read(MetricSnapshots metrics, String prefix) {
        String start = prefix + "_master_crashed_worker_";
        Map<Value, Double> numbers = new EnumMap<>(Value.class);
        StopReason reason = null;
        for (MetricSnapshot snapshot : metrics) {
            String name = snapshot.getMetadata().getPrometheusName();
            if (name.startsWith(start) && snapshot instanceof GaugeSnapshot gauge && !gauge.getDataPoints().isEmpty()) {
                Value value = Value.ofSuffix(name.substring(start.length()));
                GaugeDataPointSnapshot point = gauge.getDataPoints().get(0);
                String label = point.getLabels().get("reason");
                if (value != null && label != null) {
                    numbers.put(value, point.getValue());
                    reason = StopReason.ofLabel(label);
                }
            }
        }
        DeathDiagnostics diagnostics = DeathDiagnostics.ofNumbers(numbers);
        return (reason != null && diagnostics != null) ? new CrashedLife(reason, diagnostics) : null;
    }

    private static String name(String prefix, Value value) {
        return prefix + "_master_crashed_worker_" + value.suffix();
    }

    /**
     * A previous life of a worker id that ended without a clean stop.
     *
     * @param reason {@link StopReason#CRASH} or {@link StopReason#OOM}
     * @param diagnostics what its last record said
     */
    public record CrashedLife(StopReason reason, DeathDiagnostics diagnostics) {

    }

}
