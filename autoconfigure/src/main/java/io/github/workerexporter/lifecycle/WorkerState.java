package io.github.workerexporter.lifecycle;

import java.util.Locale;

/**
 * The states of a worker's life, in order: the {@code state} label of
 * {@code <prefix>_worker_state} and the state of its record in shared storage.
 *
 * @author Worker Exporter
 */
public enum WorkerState {

    /**
     * The application context is starting ({@code on_starting}).
     */
    STARTING,

    /**
     * The application is ready ({@code when_ready}).
     */
    RUNNING,

    /**
     * Shutdown began ({@code worker_int}).
     */
    STOPPING,

    /**
     * The web server has stopped ({@code on_exit}); the life is over.
     */
    STOPPED;

    /**
     * The value of the {@code state} label and of a stored record's state.
     * @return the lower-case name
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The state of a label, as stored records hold it.
     * @param label a label, such as {@code running}
     * @return the state; {@link #RUNNING} for a label this version does not know (a
     * record of another version), which is alive until its heartbeat expires as any state
     * but {@link #STOPPED}
     */
    public static WorkerState ofLabel(String label) {
        for (WorkerState state : values()) {
            if (state.label().equals(label)) {
                return state;
            }
        }
        return RUNNING;
    }

}
