package io.github.workerexporter.metrics;

import java.util.concurrent.atomic.AtomicBoolean;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * How this life of the worker stops:
 * {@code <prefix>_worker_restart_total{worker_id,reason}} and
 * {@code <prefix>_worker_restart_count_total{worker_id,restart_type,reason}}, 1 for the
 * {@link StopReason} of the {@link WorkerLifecycle} once the stop begins
 * ({@code worker_int}), 0 before. They are this life's own counters: published with its
 * last flush, and started again from 0 by the next life (a counter reset). The restarts
 * of a worker id over its lives are {@link MasterRestarts}'. {@code crash} is never
 * counted here: a life that crashes counts nothing.
 *
 * @author Worker Exporter
 */
public class WorkerRestartMetrics {

    private final Counter restarts;

    private final Counter restartCounts;

    private final String workerId;

    private final WorkerLifecycle lifecycle;

    private final AtomicBoolean recorded = new AtomicBoolean();

    /**
     * Create the counters and register them.
     * @param registry the registry to register on
     * @param prefix the prefix of the family names
     * @param workerId the {@code worker_id} label value
     * @param lifecycle where the stop reason is read
     */
    public WorkerRestartMetrics(PrometheusRegistry registry, String prefix, String workerId,
            WorkerLifecycle lifecycle) {
        this.workerId = workerId;
        this.lifecycle = lifecycle;
        this.restarts = Counter.builder()
            .name(prefix + "_worker_restart_total")
            .help("Total number of worker restarts by reason")
            .labelNames("worker_id", "reason")
            .register(registry);
        this.restartCounts = Counter.builder()
            .name(prefix + "_worker_restart_count_total")
            .help("Total number of worker restarts by worker and restart type")
            .labelNames("worker_id", "restart_type", "reason")
            .register(registry);
        for (StopReason each : StopReason.values()) {
            if (each != StopReason.CRASH) {
                this.restarts.initLabelValues(workerId, each.label());
                this.restartCounts.initLabelValues(workerId, each.restartType(), each.label());
            }
        }
    }

    /**
     * The stop has begun: count the lifecycle's reason, once. Nothing is counted while no
     * reason is noted.
     */
    public void recordStop() {
        StopReason noted = this.lifecycle.stopReason();
        if (noted != null && this.recorded.compareAndSet(false, true)) {
            this.restarts.labelValues(this.workerId, noted.label()).inc();
            this.restartCounts.labelValues(this.workerId, noted.restartType(), noted.label()).inc();
        }
    }

}
