package io.github.workerexporter.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.testing.RawHttp;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusOutputFormat;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ExpositionScrapeEndpoint}: the bytes of Boot's endpoint for every
 * format, and the bean that replaces Boot's in shared mode.
 *
 * @author Worker Exporter
 */
class ExpositionScrapeEndpointTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, MergedViewAutoConfiguration.class,
                PrometheusMetricsExportAutoConfiguration.class, WorkerExporterAutoConfiguration.class,
                EndpointAutoConfiguration.class))
        .withPropertyValues("management.endpoints.web.exposure.include=prometheus");

    @TempDir
    Path dir;

    @Test
    void answersWhatBootsEndpointAnswersInEveryFormat() {
        PrometheusRegistry registry = registry();
        Properties properties = new Properties();
        ExpositionScrapeEndpoint ours = new ExpositionScrapeEndpoint(registry, properties);
        PrometheusScrapeEndpoint boots = new PrometheusScrapeEndpoint(registry, properties);
        for (PrometheusOutputFormat format : PrometheusOutputFormat.values()) {
            for (Set<String> names : new Set[] { null, Set.of("orders_total"), Set.of("nothing") }) {
                WebEndpointResponse<byte[]> expected = boots.scrape(format, names);
                WebEndpointResponse<byte[]> actual = ours.scrape(format, names);
                assertThat(actual.getBody()).as(format + " " + names).isEqualTo(expected.getBody());
                assertThat(actual.getStatus()).isEqualTo(expected.getStatus());
                assertThat(actual.getContentType()).isEqualTo(expected.getContentType());
            }
        }
    }

    @Test
    void replacesBootsEndpointInSharedMode() {
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.worker.id=w-1")
            .run((context) -> assertThat(context).hasSingleBean(PrometheusScrapeEndpoint.class)
                .getBean(PrometheusScrapeEndpoint.class)
                .isInstanceOf(ExpositionScrapeEndpoint.class));
    }

    @Test
    void leavesBootsEndpointAloneWithoutSharedStorage() {
        this.contextRunner.run((context) -> assertThat(context).hasSingleBean(PrometheusScrapeEndpoint.class)
            .getBean(PrometheusScrapeEndpoint.class)
            .isNotInstanceOf(ExpositionScrapeEndpoint.class));
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsEndpoint() {
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.worker.id=w-1")
            .withUserConfiguration(OwnEndpoint.class)
            .run((context) -> assertThat(context).hasSingleBean(PrometheusScrapeEndpoint.class)
                .getBean(PrometheusScrapeEndpoint.class)
                .isSameAs(context.getBean(OwnEndpoint.class).endpoint));
    }

    @Test
    void servesTheMergedViewAtTheActuatorEndpointOverHttp() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.SERVLET)
            .properties("server.port=0", "spring.main.banner-mode=off", "exporter.prometheus.metrics-port=0",
                    "exporter.prometheus.bind-address=127.0.0.1", "exporter.worker.id=actuator-w1",
                    "exporter.prometheus.multiproc-dir=" + this.dir,
                    "management.endpoints.web.exposure.include=prometheus")
            .run()) {
            assertThat(context.getBean(PrometheusScrapeEndpoint.class)).isInstanceOf(ExpositionScrapeEndpoint.class);
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            // The merged view shows this worker once it has flushed.
            await().atMost(Duration.ofSeconds(30))
                .until(() -> RawHttp.get(port, "/actuator/prometheus").text().contains("gunicorn_master_workers"));
            RawHttp.Response text = RawHttp.get(port, "/actuator/prometheus");
            assertThat(text.status()).isEqualTo(200);
            assertThat(text.headers().get("content-type")).startsWith("text/plain;version=0.0.4");
            assertThat(text.text()).contains("gunicorn_master_workers{state=\"alive\"} 1.0");
            RawHttp.Response openMetrics = RawHttp.get(port, "/actuator/prometheus",
                    "Accept: application/openmetrics-text");
            assertThat(openMetrics.headers().get("content-type")).startsWith("application/openmetrics-text");
            assertThat(openMetrics.text()).contains("# TYPE gunicorn_master_workers gauge").endsWith("# EOF\n");
        }
    }

    private static PrometheusRegistry registry() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter orders = Counter.builder()
            .name("orders")
            .help("Orders, \"all\"")
            .labelNames("worker_id")
            .register(registry);
        Histogram duration = Histogram.builder()
            .name("duration")
            .unit(Unit.SECONDS)
            .labelNames("worker_id", "uri")
            .register(registry);
        for (int i = 0; i < 30; i++) {
            orders.labelValues("w-" + i).inc(i);
            duration.labelValues("w-" + i, "/ü/" + (i % 3)).observe(i / 7.0);
        }
        return registry;
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEndpoint {

        final PrometheusScrapeEndpoint endpoint = new PrometheusScrapeEndpoint(new PrometheusRegistry(), null);

        @Bean
        PrometheusScrapeEndpoint ownPrometheusEndpoint() {
            return this.endpoint;
        }

    }

}
