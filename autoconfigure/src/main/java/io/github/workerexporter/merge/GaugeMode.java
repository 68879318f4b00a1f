package io.github.workerexporter.merge;

/**
 * How the gauges of several workers merge into one family, as prometheus_client's
 * multiprocess modes.
 *
 * @author Worker Exporter
 */
public enum GaugeMode {

    /**
     * One series per worker, labelled by worker_id, live workers and stopped ones until
     * their data expires.
     */
    ALL,

    /**
     * One series per live worker (the default for gauges).
     */
    LIVEALL,

    /**
     * The sum over all workers.
     */
    SUM,

    /**
     * The sum over live workers.
     */
    LIVESUM,

    /**
     * The maximum over all workers.
     */
    MAX,

    /**
     * The minimum over all workers.
     */
    MIN,

    /**
     * The value of the worker that flushed last.
     */
    MOSTRECENT

}
