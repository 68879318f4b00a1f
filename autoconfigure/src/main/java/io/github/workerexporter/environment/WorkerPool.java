package io.github.workerexporter.environment;

/**
 * The embedded web server's pool of request threads, which gunicorn's TTIN and TTOU
 * signals grow and shrink by one, as gunicorn adds and removes a worker.
 *
 * @author Worker Exporter
 */
public interface WorkerPool {

    /**
     * Change the maximum number of request threads.
     * @param delta how many to add (negative to remove); the result never goes below 1
     * @return the new maximum
     */
    int adjust(int delta);

    /**
     * The current maximum number of request threads.
     * @return the maximum
     */
    int maximum();

}
