package io.github.workerexporter.metrics;

import java.util.List;

import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;

/**
 * A Prometheus gauge of one data point that threads move up and down without contending,
 * on {@link Stripes}, as {@link StripedCounter} counts. A thread may add to it and
 * another subtract (an async request ends on another thread than it started on): the
 * stripes still sum to the right value.
 *
 * @author Worker Exporter
 */
final class StripedGauge extends OneDataPointCollector {

    private final Stripes stripes = new Stripes(1);

    /**
     * A gauge of one data point.
     * @param name the family name
     * @param help the HELP text
     * @param labelName the name of the data point's one label
     * @param labelValue its value
     */
    StripedGauge(String name, String help, String labelName, String labelValue) {
        super(new MetricMetadata(name, help), MetricType.GAUGE, labelName, labelValue);
    }

    /**
     * Add to the gauge (a negative delta subtracts).
     * @param delta what to add
     */
    void add(long delta) {
        int stripe = Stripes.claim();
        try {
            this.stripes.add(stripe, 0, delta);
        }
        finally {
            Stripes.release(stripe);
        }
    }

    @Override
    public GaugeSnapshot collect() {
        return new GaugeSnapshot(this.metadata,
                List.of(new GaugeDataPointSnapshot(this.stripes.sum(0), this.labels, null)));
    }

}
