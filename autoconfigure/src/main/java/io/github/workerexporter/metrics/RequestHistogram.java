package io.github.workerexporter.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.Exemplars;

/**
 * A request histogram of one data point, classic ({@link ClassicHistogram}) or native
 * ({@link NativeHistogram}).
 *
 * @author Worker Exporter
 */
interface RequestHistogram extends Collector {

    /**
     * Record one value.
     * @param value the value
     */
    void observe(double value);

    /**
     * The exemplars of the data point.
     * @return its exemplars, empty without a tracer
     */
    Exemplars exemplars();

}
