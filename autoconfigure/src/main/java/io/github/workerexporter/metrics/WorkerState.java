package io.github.workerexporter.metrics;

import java.util.Locale;

/**
 * States of a worker in {@code <prefix>_worker_state}; exactly one is 1 at a time.
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
     * The web server has stopped ({@code on_exit}).
     */
    STOPPED;

    /**
     * The value of the {@code state} label.
     * @return the lower-case name
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

}
