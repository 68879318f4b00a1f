package io.github.workerexporter.saturation;

import java.util.OptionalDouble;
import java.util.function.DoublePredicate;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saturation gauges as a scrape of a registry serves them: the value of the one
 * {@code worker_id} series of a family, or none.
 *
 * @author Worker Exporter
 */
final class SaturationGauges {

    private final PrometheusRegistry registry;

    private final String workerId;

    SaturationGauges(PrometheusRegistry registry, String workerId) {
        this.registry = registry;
        this.workerId = workerId;
    }

    /**
     * The value of {@code gunicorn_worker_<family>} in a new scrape.
     * @param family the family, such as {@code threads_busy}
     * @return the value, or empty when the scrape has no such series
     */
    OptionalDouble value(String family) {
        for (MetricSnapshot snapshot : this.registry.scrape()) {
            if (snapshot.getMetadata().getName().equals("gunicorn_worker_" + family)) {
                assertThat(snapshot).isInstanceOf(GaugeSnapshot.class);
                for (GaugeDataPointSnapshot point : ((GaugeSnapshot) snapshot).getDataPoints()) {
                    if (this.workerId.equals(point.getLabels().get("worker_id"))) {
                        return OptionalDouble.of(point.getValue());
                    }
                }
            }
        }
        return OptionalDouble.empty();
    }

    /**
     * Scrape until the family's value matches, for what the server does on its own
     * threads (accepting, queueing); fails after 10 seconds with the last value.
     * @param family the family
     * @param condition the condition
     * @return the value that matched
     * @throws InterruptedException if interrupted
     */
    double await(String family, DoublePredicate condition) throws InterruptedException {
        OptionalDouble value = value(family);
        for (int i = 0; i < 1000 && (value.isEmpty() || !condition.test(value.getAsDouble())); i++) {
            Thread.sleep(10);
            value = value(family);
        }
        assertThat(value).as("gunicorn_worker_" + family).isPresent();
        assertThat(condition.test(value.getAsDouble())).as("gunicorn_worker_%s = %s", family, value.getAsDouble())
            .isTrue();
        return value.getAsDouble();
    }

}
