package io.github.workerexporter.metrics;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookContext;
import io.github.workerexporter.lifecycle.OutOfMemoryHandler;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;

import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Moves the {@link WorkerLifecycle} through its states with the hooks: {@code starting}
 * at {@code on_starting} (where the {@link OutOfMemoryHandler} is installed),
 * {@code running} at {@code when_ready}, {@code stopping} at {@code worker_int} (where
 * this life's stop is counted) and {@code stopped} at {@code on_exit} (where the
 * uncaught-exception handler is put back). A failed start
 * ({@link ApplicationFailedEvent}) notes the reason {@code error}. Runs before the other
 * hooks, so that the flush of each phase publishes its state.
 *
 * @author Worker Exporter
 */
public class WorkerStateHook implements ExporterHook, ApplicationListener<ApplicationFailedEvent> {

    private final WorkerLifecycle lifecycle;

    private final WorkerRestartMetrics restarts;

    private final OutOfMemoryHandler outOfMemory;

    /**
     * Create a hook.
     * @param lifecycle this worker's lifecycle
     * @param restarts the restart counters of this life
     */
    public WorkerStateHook(WorkerLifecycle lifecycle, WorkerRestartMetrics restarts) {
        this.lifecycle = lifecycle;
        this.restarts = restarts;
        this.outOfMemory = new OutOfMemoryHandler(lifecycle);
    }

    @Override
    public void execute(HookContext context) {
        switch (context.phase()) {
            case ON_STARTING -> {
                this.outOfMemory.install();
                this.lifecycle.transition(WorkerState.STARTING);
            }
            case WHEN_READY -> this.lifecycle.transition(WorkerState.RUNNING);
            case WORKER_INT -> {
                this.lifecycle.transition(WorkerState.STOPPING);
                this.restarts.recordStop();
            }
            case ON_EXIT -> {
                this.lifecycle.transition(WorkerState.STOPPED);
                this.outOfMemory.restore();
            }
            default -> {
            }
        }
    }

    @Override
    public void onApplicationEvent(ApplicationFailedEvent event) {
        this.lifecycle.stopRequested(StopReason.ERROR);
    }

}
