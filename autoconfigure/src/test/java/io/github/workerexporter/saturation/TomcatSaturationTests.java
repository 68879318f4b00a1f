package io.github.workerexporter.saturation;

import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The saturation gauges of a real Tomcat: its executor, its connection count and
 * {@code server.tomcat.max-connections}, and its accept queue ({@code accept-count}, 100
 * by default).
 *
 * @author Worker Exporter
 */
class TomcatSaturationTests extends AbstractServerSaturationTests {

    @Override
    String server() {
        return "tomcat";
    }

    @Override
    Class<?> application() {
        return TomcatApplication.class;
    }

    /**
     * Tomcat's acceptor counts a connection before it waits for one, so an idle Tomcat
     * counts 1 (as its {@code connectionCount} in JMX).
     */
    @Override
    int idleConnections() {
        return 1;
    }

    @Override
    int defaultBacklog() {
        return 100;
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, MetricsAutoConfiguration.class,
            PrometheusMetricsExportAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    @Import(SlowApplication.class)
    static class TomcatApplication {

    }

}
