package io.github.workerexporter.merge;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;

/**
 * Logs a repeating failure of a background task once at WARN, then at DEBUG until the
 * task succeeds again, which is logged at INFO (as micrometer's WarnThenDebugLogger).
 *
 * @author Worker Exporter
 */
public final class FailureLog {

    private final Logger logger;

    private final String task;

    private final AtomicBoolean failing = new AtomicBoolean();

    /**
     * Create a log for one task.
     * @param logger the logger
     * @param task what fails, for the messages, such as "Flush to file storage"
     */
    public FailureLog(Logger logger, String task) {
        this.logger = logger;
        this.task = task;
    }

    /**
     * The task failed.
     * @param ex the failure
     */
    public void failed(Exception ex) {
        if (this.failing.compareAndSet(false, true)) {
            this.logger.warn("{} failed, will retry (further failures are logged at DEBUG): {}", this.task,
                    ex.getMessage());
        }
        else {
            this.logger.debug("{} failed", this.task, ex);
        }
    }

    /**
     * The task succeeded.
     */
    public void succeeded() {
        if (this.failing.compareAndSet(true, false)) {
            this.logger.info("{} recovered", this.task);
        }
    }

}
