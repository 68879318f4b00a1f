package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.testing.LoopbackHttp;
import io.github.workerexporter.testing.LoopbackHttp.Answer;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exporter under {@code spring.main.lazy-initialization=true}: a Tomcat application
 * with a file store serves the worker families and the merged view, and the metrics
 * server starts at {@code when_ready}.
 *
 * @author Worker Exporter
 */
class LazyInitializationTests {

    @TempDir
    Path directory;

    @Test
    void servesTheWorkerFamiliesAndTheMergedViewOnTheActuatorEndpoint() throws Exception {
        try (ConfigurableApplicationContext context = run()) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            assertThat(get(port, "/actuator/prometheus").status()).isEqualTo(200);
            String exposition = get(port, "/actuator/prometheus").body();
            assertThat(exposition).contains("gunicorn_worker_requests_total{worker_id=\"lazy-w1\"}")
                .contains("gunicorn_worker_memory_bytes{worker_id=\"lazy-w1\"}")
                .contains("gunicorn_worker_state{state=\"running\",worker_id=\"lazy-w1\"} 1.0")
                .contains("gunicorn_master_workers{state=\"alive\"}");
        }
    }

    @Test
    void startsTheMetricsServerWhenReady() throws Exception {
        try (ConfigurableApplicationContext context = run()) {
            int metricsPort = context.getEnvironment()
                .getRequiredProperty(MetricsServerConfiguration.PORT_PROPERTY, Integer.class);
            Answer response = get(metricsPort, "/metrics");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("gunicorn_worker_uptime_seconds{worker_id=\"lazy-w1\"}");
        }
    }

    @Test
    void keepsTheExporterBeansEagerAndTheApplicationsLazy() {
        try (ConfigurableApplicationContext context = run()) {
            ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
            assertThat(beanFactory.getBeanDefinition("tomcat").isLazyInit()).isTrue();
            assertThat(new String[] { "exporterLifecycle", "workerMetrics", "masterRestarts", "requestMetrics",
                    "metricsServerManager", "processManager", "fileMetricStore", "mergingCollector", "workerPublisher",
                    "storageFlushHook" })
                .allSatisfy((name) -> assertThat(beanFactory.getBeanDefinition(name).isLazyInit()).as(name).isFalse());
        }
    }

    @Test
    void badValueStillFailsStartUpWhenNothingUsesTheBean() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class,
                    ExporterEndpointAutoConfiguration.class))
            .withInitializer(
                    (context) -> context.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
            .withUserConfiguration(RegistryConfiguration.class)
            .withPropertyValues("exporter.prometheus.metrics-port=0", "exporter.metrics.prefix=1bad")
            .run((context) -> assertThat(context).hasFailed()
                .getFailure()
                .rootCause()
                .isInstanceOf(InvalidExporterPropertyException.class)
                .hasMessageContaining("exporter.metrics.prefix"));
    }

    private static Answer get(int port, String path) {
        return LoopbackHttp.getOnce(port, path);
    }

    private ConfigurableApplicationContext run() {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
            .lazyInitialization(true)
            .properties("server.port=0", "spring.main.banner-mode=off", "exporter.prometheus.metrics-port=0",
                    "exporter.prometheus.bind-address=127.0.0.1", "exporter.worker.id=lazy-w1",
                    "exporter.prometheus.multiproc-dir=" + this.directory,
                    "management.endpoints.web.exposure.include=prometheus")
            .run();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @ImportAutoConfiguration(ExporterEndpointAutoConfiguration.class)
    static class App {

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class RegistryConfiguration {

        @Bean
        PrometheusRegistry prometheusRegistry() {
            return new PrometheusRegistry();
        }

    }

}
