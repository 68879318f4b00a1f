package io.github.workerexporter.storage;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * OpenMetrics text (with created timestamps) of snapshots, to compare them in tests.
 */
public final class Exposition {

    private static final OpenMetricsTextFormatWriter WRITER = new OpenMetricsTextFormatWriter(true, false);

    private Exposition() {
    }

    public static String text(MetricSnapshots snapshots) {
        return WRITER.toDebugString(snapshots);
    }

    public static String text(MetricSnapshot... snapshots) {
        return text(MetricSnapshots.of(snapshots));
    }

}
