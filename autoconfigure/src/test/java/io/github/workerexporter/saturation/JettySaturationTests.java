package io.github.workerexporter.saturation;

import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The saturation gauges of a real Jetty: its queued thread pool less the threads leased
 * to acceptors and selectors, its connected end points and
 * {@code server.jetty.max-connections}, and its accept queue (the JDK's backlog of 50, as
 * Jetty asks for none).
 *
 * @author Worker Exporter
 */
class JettySaturationTests extends AbstractServerSaturationTests {

    @Override
    String server() {
        return "jetty";
    }

    @Override
    Class<?> application() {
        return JettyApplication.class;
    }

    @Override
    int defaultBacklog() {
        return 50;
    }

    @Override
    int smallPool() {
        return 8;
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ JettyServletWebServerAutoConfiguration.class, MetricsAutoConfiguration.class,
            PrometheusMetricsExportAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    @Import(SlowApplication.class)
    static class JettyApplication {

    }

}
