package io.github.workerexporter.storage;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * OpenMetrics text (with created timestamps) of snapshots, to compare them in tests, and
 * the protobuf exposition as text, which shows native histogram buckets too.
 */
public final class Exposition {

    private static final OpenMetricsTextFormatWriter WRITER = new OpenMetricsTextFormatWriter(true, false);

    private static final PrometheusProtobufWriter PROTOBUF = new PrometheusProtobufWriter();

    private Exposition() {
    }

    public static String text(MetricSnapshots snapshots) {
        return WRITER.toDebugString(snapshots);
    }

    public static String text(MetricSnapshot... snapshots) {
        return text(MetricSnapshots.of(snapshots));
    }

    /**
     * The protobuf exposition as text: every field, native histograms included.
     */
    public static String protobuf(MetricSnapshots snapshots) {
        return PROTOBUF.toDebugString(snapshots, EscapingScheme.ALLOW_UTF8);
    }

    public static String protobuf(MetricSnapshot... snapshots) {
        return protobuf(MetricSnapshots.of(snapshots));
    }

}
