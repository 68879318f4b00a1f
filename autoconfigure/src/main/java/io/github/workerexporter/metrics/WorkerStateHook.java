package io.github.workerexporter.metrics;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookContext;

import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Moves the worker through its states with the hooks: {@code starting} at
 * {@code on_starting}, {@code running} at {@code when_ready}, {@code stopping} at
 * {@code worker_int} (where the stop reason is counted) and {@code stopped} at
 * {@code on_exit}. A failed start ({@link ApplicationFailedEvent}) notes the reason
 * {@code error}.
 *
 * @author Worker Exporter
 */
public class WorkerStateHook implements ExporterHook, ApplicationListener<ApplicationFailedEvent> {

    private final WorkerMetrics worker;

    private final WorkerRestartMetrics restarts;

    /**
     * Create a hook.
     * @param worker the worker gauges
     * @param restarts the restart counters
     */
    public WorkerStateHook(WorkerMetrics worker, WorkerRestartMetrics restarts) {
        this.worker = worker;
        this.restarts = restarts;
    }

    @Override
    public void execute(HookContext context) {
        switch (context.phase()) {
            case ON_STARTING -> this.worker.transition(WorkerState.STARTING);
            case WHEN_READY -> this.worker.transition(WorkerState.RUNNING);
            case WORKER_INT -> {
                this.restarts.recordStop();
                this.worker.transition(WorkerState.STOPPING);
            }
            case ON_EXIT -> this.worker.transition(WorkerState.STOPPED);
            default -> {
            }
        }
    }

    @Override
    public void onApplicationEvent(ApplicationFailedEvent event) {
        this.restarts.stopRequested(WorkerStopReason.ERROR);
    }

}
