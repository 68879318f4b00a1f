package io.github.workerexporter.storage;

import org.jspecify.annotations.Nullable;

/**
 * This worker's state as published to shared storage: {@code starting}, then
 * {@code running}, {@code stopping} at {@code worker_int} and {@code stopped} at
 * {@code on_exit}, with the reason it stopped.
 *
 * @author Worker Exporter
 */
public final class WorkerStatus {

    /**
     * The state of a worker that stopped; any other state is alive until its heartbeat
     * expires.
     */
    public static final String STOPPED = "stopped";

    private volatile String state = "starting";

    private volatile @Nullable String stopReason;

    /**
     * The worker serves requests.
     */
    public void running() {
        this.state = "running";
    }

    /**
     * The worker began to stop.
     * @param reason why, such as {@code term} or {@code hup}, or {@code null} to keep an
     * earlier reason
     */
    public void stopping(@Nullable String reason) {
        this.state = "stopping";
        if (reason != null) {
            this.stopReason = reason;
        }
    }

    /**
     * The worker stopped; the reason is {@code term} unless one was given before.
     */
    public void stopped() {
        if (this.stopReason == null) {
            this.stopReason = "term";
        }
        this.state = STOPPED;
    }

    /**
     * The current state.
     * @return the state
     */
    public String state() {
        return this.state;
    }

    /**
     * Why the worker stopped.
     * @return the reason, or {@code null} while it runs
     */
    public @Nullable String stopReason() {
        return this.stopReason;
    }

}
