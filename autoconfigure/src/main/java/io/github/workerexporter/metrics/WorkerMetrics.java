package io.github.workerexporter.metrics;

import java.util.function.ToDoubleFunction;

import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The worker's gauges, computed when scraped (not when a request arrives):
 * {@code <prefix>_worker_memory_bytes}, {@code _worker_cpu_percent},
 * {@code _worker_uptime_seconds} and {@code _worker_state}. The state gauge has one
 * series per {@link WorkerState}, 1 for the {@link WorkerLifecycle}'s current state and 0
 * for the others, and no timestamp label.
 *
 * @author Worker Exporter
 */
public class WorkerMetrics {

    /**
     * Create the gauges and register them.
     * @param registry the registry to register on
     * @param prefix the prefix of the family names
     * @param workerId the {@code worker_id} label value
     * @param stats where resource usage is read
     * @param lifecycle where the state is read
     */
    public WorkerMetrics(PrometheusRegistry registry, String prefix, String workerId, ProcessStats stats,
            WorkerLifecycle lifecycle) {
        register(registry, prefix + "_worker_memory_bytes", "Memory usage of the worker process", workerId,
                (s) -> s.memoryBytes(), stats);
        register(registry, prefix + "_worker_cpu_percent", "CPU usage of the worker process", workerId,
                ProcessStats::cpuPercent, stats);
        register(registry, prefix + "_worker_uptime_seconds", "Uptime of the worker process", workerId,
                ProcessStats::uptimeSeconds, stats);
        GaugeWithCallback.builder()
            .name(prefix + "_worker_state")
            .help("Current state of the worker (1=running, 0=stopped)")
            .labelNames("worker_id", "state")
            .callback((callback) -> {
                WorkerState current = lifecycle.state();
                for (WorkerState candidate : WorkerState.values()) {
                    callback.call((candidate == current) ? 1 : 0, workerId, candidate.label());
                }
            })
            .register(registry);
    }

    private static void register(PrometheusRegistry registry, String name, String help, String workerId,
            ToDoubleFunction<ProcessStats> value, ProcessStats stats) {
        GaugeWithCallback.builder()
            .name(name)
            .help(help)
            .labelNames("worker_id")
            .callback((callback) -> callback.call(value.applyAsDouble(stats), workerId))
            .register(registry);
    }

}
