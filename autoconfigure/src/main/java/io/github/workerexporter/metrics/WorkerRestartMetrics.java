package io.github.workerexporter.metrics;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Why this worker stopped: {@code <prefix>_worker_restart_total{worker_id,reason}} and
 * {@code <prefix>_worker_restart_count_total{worker_id,restart_type,reason}}, plus the
 * master's count. The reason is noted when the stop is requested (a signal, a failed
 * start) and counted once when the stop begins; the first reason noted wins.
 *
 * @author Worker Exporter
 * @see WorkerStopReason
 */
public class WorkerRestartMetrics {

    private final Counter restarts;

    private final Counter restartCounts;

    private final MasterMetrics master;

    private final String workerId;

    private final AtomicReference<@Nullable WorkerStopReason> reason = new AtomicReference<>();

    private final AtomicBoolean recorded = new AtomicBoolean();

    /**
     * Create the counters and register them.
     * @param registry the registry to register on
     * @param prefix the prefix of the family names
     * @param workerId the {@code worker_id} label value
     * @param master the master counters, whose restart count follows this worker's
     */
    public WorkerRestartMetrics(PrometheusRegistry registry, String prefix, String workerId, MasterMetrics master) {
        this.workerId = workerId;
        this.master = master;
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
        for (WorkerStopReason each : WorkerStopReason.values()) {
            this.restarts.initLabelValues(workerId, each.label());
            this.restartCounts.initLabelValues(workerId, each.restartType(), each.label());
        }
    }

    /**
     * Note why the worker is about to stop, unless a reason was noted before.
     * @param stopReason the reason
     */
    public void stopRequested(WorkerStopReason stopReason) {
        this.reason.compareAndSet(null, stopReason);
    }

    /**
     * The reason noted, if any.
     * @return the reason
     */
    public Optional<WorkerStopReason> stopReason() {
        return Optional.ofNullable(this.reason.get());
    }

    /**
     * The stop has begun: count the reason noted, once. Nothing is counted when no reason
     * was noted.
     */
    public void recordStop() {
        WorkerStopReason noted = this.reason.get();
        if (noted != null && this.recorded.compareAndSet(false, true)) {
            this.restarts.labelValues(this.workerId, noted.label()).inc();
            this.restartCounts.labelValues(this.workerId, noted.restartType(), noted.label()).inc();
            this.master.restart(noted);
        }
    }

}
