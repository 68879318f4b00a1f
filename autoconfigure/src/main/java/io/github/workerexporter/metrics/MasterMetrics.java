package io.github.workerexporter.metrics;

import java.util.List;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The original's master counters, kept by the JVM that plays both master and worker:
 * {@code <prefix>_master_worker_restart_total{reason}} counts the signals the JVM
 * received, as gunicorn's arbiter does (so {@code usr1}, {@code ttin} and {@code chld}
 * are signals, not restarts, and unlike the original {@code term} is counted);
 * {@code <prefix>_master_worker_restart_count_total{worker_id,reason,restart_type}}
 * counts this worker's stops by reason, which the original declares and never increments.
 * Every label set is exported from the start with the value 0.
 *
 * @author Worker Exporter
 */
public class MasterMetrics {

    /**
     * The {@code reason} values of the signal counter, the lower-case names of the
     * signals counted.
     */
    public static final List<String> SIGNALS = List.of("hup", "int", "term", "usr1", "usr2", "ttin", "ttou", "chld");

    private final Counter signals;

    private final Counter restarts;

    private final String workerId;

    /**
     * Create the counters and register them.
     * @param registry the registry to register on
     * @param prefix the prefix of the family names
     * @param workerId the {@code worker_id} label value
     */
    public MasterMetrics(PrometheusRegistry registry, String prefix, String workerId) {
        this.workerId = workerId;
        this.signals = Counter.builder()
            .name(prefix + "_master_worker_restart_total")
            .help("Total number of Gunicorn worker restarts")
            .labelNames("reason")
            .register(registry);
        this.restarts = Counter.builder()
            .name(prefix + "_master_worker_restart_count_total")
            .help("Total number of worker restarts by reason and worker")
            .labelNames("worker_id", "reason", "restart_type")
            .register(registry);
        SIGNALS.forEach(this.signals::initLabelValues);
        for (WorkerStopReason reason : WorkerStopReason.values()) {
            this.restarts.initLabelValues(workerId, reason.label(), reason.restartType());
        }
    }

    /**
     * Count a signal.
     * @param reason one of {@link #SIGNALS}
     */
    public void signal(String reason) {
        this.signals.labelValues(reason).inc();
    }

    /**
     * Count a stop of this worker.
     * @param reason why it stopped
     */
    public void restart(WorkerStopReason reason) {
        this.restarts.labelValues(this.workerId, reason.label(), reason.restartType()).inc();
    }

}
