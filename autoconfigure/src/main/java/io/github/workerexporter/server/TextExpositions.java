package io.github.workerexporter.server;

import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.config.PrometheusProperties;

/**
 * Worker Exporter's writers of the two text formats, configured from client_java's
 * exporter properties as client_java configures its own writers: the one place that reads
 * those options, for every endpoint that serves an exposition.
 *
 * @param openMetrics the OpenMetrics 1.0 writer
 * @param text the Prometheus text format 0.0.4 writer
 * @author Worker Exporter
 */
public record TextExpositions(OpenMetricsExposition openMetrics, PrometheusTextExposition text) {

    /**
     * The writers for client_java's properties.
     * @param config client_java's properties
     * @return the writers
     */
    @SuppressWarnings("deprecation")
    public static TextExpositions of(PrometheusProperties config) {
        ExporterProperties exporter = config.getExporterProperties();
        return new TextExpositions(
                new OpenMetricsExposition(exporter.getIncludeCreatedTimestamps(),
                        exporter.getExemplarsOnAllMetricTypes()),
                new PrometheusTextExposition(exporter.getIncludeCreatedTimestamps(),
                        exporter.getPrometheusTimestampsInMs()));
    }

}
