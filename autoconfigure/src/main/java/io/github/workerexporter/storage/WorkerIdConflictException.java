package io.github.workerexporter.storage;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link MetricStore#publish(WorkerRecord, WorkerLife)} when another live
 * process holds the worker id: nothing was written.
 *
 * @author Worker Exporter
 */
public class WorkerIdConflictException extends StoreException {

    private final String workerId;

    private final @Nullable WorkerLife holder;

    /**
     * Create an exception.
     * @param workerId the worker id
     * @param holder the live process that holds it, or {@code null} when the store cannot
     * tell which
     * @param where the store, for the message (a directory, a Redis location)
     */
    public WorkerIdConflictException(String workerId, @Nullable WorkerLife holder, String where) {
        super("Worker id '" + workerId + "' is held by another live process in " + where + ": "
                + ((holder != null) ? holder : "a process that has not named itself yet"));
        this.workerId = workerId;
        this.holder = holder;
    }

    /**
     * The worker id.
     * @return the id
     */
    public String getWorkerId() {
        return this.workerId;
    }

    /**
     * The live process that holds it.
     * @return the holder, or {@code null} when the store cannot tell which
     */
    public @Nullable WorkerLife getHolder() {
        return this.holder;
    }

}
