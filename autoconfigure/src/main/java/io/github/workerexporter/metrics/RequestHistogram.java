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
     * Count one value on a stripe the caller has claimed, without its exemplar: the
     * caller {@link #sample samples} it after {@link Stripes#release releasing} the
     * stripe. NaN is ignored.
     * @param stripe what {@link Stripes#claim()} answered
     * @param value the value
     */
    void count(int stripe, double value);

    /**
     * Offer a value {@link #count counted} to the exemplar sampler, if any.
     * @param value the value
     */
    void sample(double value);

    /**
     * The exemplars of the data point.
     * @return its exemplars, empty without a tracer
     */
    Exemplars exemplars();

}
