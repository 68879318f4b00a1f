package io.github.workerexporter.metrics;

import java.util.Set;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricMetadata;

/**
 * What {@link StripedCounter} and {@link ClassicHistogram} share: a family of one data
 * point with one label, described to the registry (its name, type and label, which the
 * registry checks against the other families) as client_java describes its own.
 *
 * @author Worker Exporter
 */
abstract class OneDataPointCollector implements Collector {

    private final MetricFamilyDescriptor descriptor;

    /** The family's name and HELP text. */
    final MetricMetadata metadata;

    /** The data point's one label. */
    final Labels labels;

    /** When the data point was created, as client_java stamps it. */
    final long createdTimestampMillis = System.currentTimeMillis();

    OneDataPointCollector(MetricMetadata metadata, MetricType type, String labelName, String labelValue) {
        this.metadata = metadata;
        this.labels = Labels.of(labelName, labelValue);
        this.descriptor = MetricFamilyDescriptor.of(type, metadata, Set.of(labelName));
    }

    @Override
    public MetricFamilyDescriptor getMetricFamilyDescriptor() {
        return this.descriptor;
    }

}
