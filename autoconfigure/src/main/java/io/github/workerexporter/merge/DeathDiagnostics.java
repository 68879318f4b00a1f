package io.github.workerexporter.merge;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * What a worker's last record said about it when it died (the original's request #19):
 * the clues to why a worker was lost (memory growing, heap full, CPU bound, requests
 * stuck) that the master view keeps once the worker itself is gone. Each value is
 * {@code null} when the record has no such family:
 * <ul>
 * <li>{@code memoryBytes}: {@code <prefix>_worker_memory_bytes} (RSS);</li>
 * <li>{@code heapUsedBytes} and {@code heapMaxBytes}: Micrometer's
 * {@code jvm_memory_used_bytes} and {@code jvm_memory_max_bytes} with
 * {@code area="heap"}, summed over their memory pools ({@code id}); a pool whose maximum
 * is undefined (-1) counts nothing;</li>
 * <li>{@code cpuPercent}: {@code <prefix>_worker_cpu_percent};</li>
 * <li>{@code uptimeSeconds}: {@code <prefix>_worker_uptime_seconds};</li>
 * <li>{@code requestsInFlight}: {@code <prefix>_worker_requests_in_flight};</li>
 * <li>{@code lastSeen}: when it last flushed (its heartbeat).</li>
 * </ul>
 *
 * @param memoryBytes resident memory of the process, in bytes
 * @param heapUsedBytes JVM heap used, in bytes
 * @param heapMaxBytes JVM heap maximum, in bytes
 * @param cpuPercent CPU usage of the process, in percent
 * @param uptimeSeconds how long the process had run, in seconds
 * @param requestsInFlight requests being served
 * @param lastSeen when the worker last flushed
 * @author Worker Exporter
 */
public record DeathDiagnostics(@Nullable Double memoryBytes, @Nullable Double heapUsedBytes,
        @Nullable Double heapMaxBytes, @Nullable Double cpuPercent, @Nullable Double uptimeSeconds,
        @Nullable Double requestsInFlight, Instant lastSeen) {

    /**
     * Extract the diagnostics from a record's decoded metrics.
     * @param snapshots the metrics of the record
     * @param prefix the metric prefix of the worker families
     * @param lastSeen when the record was written (its heartbeat)
     * @return the diagnostics
     */
    public static DeathDiagnostics of(MetricSnapshots snapshots, String prefix, Instant lastSeen) {
        return new DeathDiagnostics(sum(snapshots, prefix + "_worker_memory_bytes", false),
                sum(snapshots, "jvm_memory_used_bytes", true), sum(snapshots, "jvm_memory_max_bytes", true),
                sum(snapshots, prefix + "_worker_cpu_percent", false),
                sum(snapshots, prefix + "_worker_uptime_seconds", false),
                sum(snapshots, prefix + "_worker_requests_in_flight", false), lastSeen);
    }

    /**
     * The values as gauges name them, each with its number (last seen in seconds since
     * the epoch); a value the record did not have is left out.
     * @return the numbers by value, in the order of {@link Value}
     */
    Map<Value, Double> numbers() {
        Map<Value, Double> numbers = new EnumMap<>(Value.class);
        for (Value value : Value.values()) {
            Double number = value.of(this);
            if (number != null) {
                numbers.put(value, number);
            }
        }
        return numbers;
    }

    /**
     * The diagnostics that {@link #numbers()} gave.
     * @param numbers the numbers by value
     * @return the diagnostics, or {@code null} without {@link Value#LAST_SEEN}
     */
    static @Nullable DeathDiagnostics ofNumbers(Map<Value, Double> numbers) {
        Double lastSeen = numbers.get(Value.LAST_SEEN);
        if (lastSeen == null) {
            return null;
        }
        return new DeathDiagnostics(numbers.get(Value.MEMORY), numbers.get(Value.HEAP_USED),
                numbers.get(Value.HEAP_MAX), numbers.get(Value.CPU), numbers.get(Value.UPTIME),
                numbers.get(Value.REQUESTS_IN_FLIGHT), Instant.ofEpochMilli(Math.round(lastSeen * 1000)));
    }

    private static @Nullable Double sum(MetricSnapshots snapshots, String name, boolean heapOnly) {
        for (MetricSnapshot snapshot : snapshots) {
            if (snapshot instanceof GaugeSnapshot gauge && isNamed(gauge, name)) {
                return sum(gauge, heapOnly);
            }
        }
        return null;
    }

    private static @Nullable Double sum(GaugeSnapshot gauge, boolean heapOnly) {
        Double sum = null;
        for (GaugeDataPointSnapshot point : gauge.getDataPoints()) {
            if (heapOnly && !isHeap(point)) {
                continue;
            }
            double value = point.getValue();
            if (heapOnly && value < 0) {
                continue;
            }
            sum = (sum != null) ? sum + value : value;
        }
        return sum;
    }

    private static boolean isHeap(DataPointSnapshot point) {
        return "heap".equals(point.getLabels().get("area"));
    }

    private static boolean isNamed(MetricSnapshot snapshot, String name) {
        return snapshot.getMetadata().getPrometheusName().equals(name) || snapshot.getMetadata().getName().equals(name);
    }

    /**
     * One value of the diagnostics as the gauges that serve it name it: the one table of
     * the {@code <prefix>_master_lost_worker_*} and
     * {@code <prefix>_master_crashed_worker_*} families.
     */
    enum Value {

        /** Resident memory. */
        MEMORY("memory_bytes", DeathDiagnostics::memoryBytes),

        /** Heap used. */
        HEAP_USED("heap_used_bytes", DeathDiagnostics::heapUsedBytes),

        /** Heap maximum. */
        HEAP_MAX("heap_max_bytes", DeathDiagnostics::heapMaxBytes),

        /** CPU usage. */
        CPU("cpu_percent", DeathDiagnostics::cpuPercent),

        /** Uptime. */
        UPTIME("uptime_seconds", DeathDiagnostics::uptimeSeconds),

        /** Requests in flight. */
        REQUESTS_IN_FLIGHT("requests_in_flight", DeathDiagnostics::requestsInFlight),

        /** When it was last seen, in seconds since the epoch. */
        LAST_SEEN("last_seen_timestamp_seconds", (diagnostics) -> diagnostics.lastSeen().toEpochMilli() / 1000.0);

        private final String suffix;

        private final Function<DeathDiagnostics, @Nullable Double> number;

        Value(String suffix, Function<DeathDiagnostics, @Nullable Double> number) {
            this.suffix = suffix;
            this.number = number;
        }

        /**
         * The end of the gauge's name.
         * @return the suffix, such as {@code memory_bytes}
         */
        String suffix() {
            return this.suffix;
        }

        static @Nullable Value ofSuffix(String suffix) {
            for (Value value : values()) {
                if (value.suffix.equals(suffix)) {
                    return value;
                }
            }
            return null;
        }

        @Nullable Double of(DeathDiagnostics diagnostics) {
            return this.number.apply(diagnostics);
        }

    }

}
