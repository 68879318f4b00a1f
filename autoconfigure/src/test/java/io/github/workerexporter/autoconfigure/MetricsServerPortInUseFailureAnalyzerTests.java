package io.github.workerexporter.autoconfigure;

import java.net.BindException;

import org.junit.jupiter.api.Test;

import io.github.workerexporter.server.MetricsServerBindException;

import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MetricsServerPortInUseFailureAnalyzer}.
 */
class MetricsServerPortInUseFailureAnalyzerTests {

    @Test
    void describesThePortTheBindAddressAndThePropertyToChange() {
        MetricsServerBindException failure = new MetricsServerBindException("0.0.0.0", 9091, 5,
                new BindException("Address already in use"));
        FailureAnalysis analysis = new MetricsServerPortInUseFailureAnalyzer()
            .analyze(new IllegalStateException("wrapped", failure));
        assertThat(analysis.getDescription()).contains("port 9091", "on 0.0.0.0", "5 attempts",
                "Address already in use");
        assertThat(analysis.getAction()).contains("exporter.prometheus.metrics-port",
                "exporter.prometheus.on-bind-failure=warn");
    }

}
