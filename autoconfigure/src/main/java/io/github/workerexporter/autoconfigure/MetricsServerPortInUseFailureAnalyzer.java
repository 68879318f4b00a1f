package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.server.MetricsServerBindException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Describes a {@link MetricsServerBindException}: the port, the bind address, and the
 * properties that change them.
 *
 * @author Worker Exporter
 */
class MetricsServerPortInUseFailureAnalyzer extends AbstractFailureAnalyzer<MetricsServerBindException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MetricsServerBindException cause) {
        String reason = (cause.getCause() != null) ? cause.getCause().getMessage() : "unknown";
        String description = "The metrics server could not bind port %d on %s after %d attempts (%s)."
            .formatted(cause.getPort(), cause.getBindAddress(), cause.getAttempts(), reason);
        String action = ("Stop the process that listens on port %d, or set 'exporter.prometheus.metrics-port' to "
                + "another port (0 picks a free one) or check 'exporter.prometheus.bind-address'. To run without "
                + "the metrics server when its port is taken, set 'exporter.prometheus.on-bind-failure=warn'.")
            .formatted(cause.getPort());
        return new FailureAnalysis(description, action, cause);
    }

}
