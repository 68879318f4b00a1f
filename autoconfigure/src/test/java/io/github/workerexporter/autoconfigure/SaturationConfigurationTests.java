package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.saturation.SaturationMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SaturationConfiguration}; the gauges of running servers are tested in
 * the {@code saturation} package.
 *
 * @author Worker Exporter
 */
class SaturationConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class));

    @Test
    void registersTheSaturationGaugesWithNoSeriesBeforeAWebServerStarts() {
        this.contextRunner.withBean(PrometheusRegistry.class, PrometheusRegistry::new).run((context) -> {
            assertThat(context).hasSingleBean(SaturationMetrics.class);
            assertThat(context.getBean(PrometheusRegistry.class).scrape().stream())
                .noneSatisfy((family) -> assertThat(family.getMetadata().getName())
                    .matches("gunicorn_worker_(threads_.*|requests_waiting|connections.*|accept_queue.*)"));
        });
    }

    @Test
    void backsOffWithoutAPrometheusRegistry() {
        this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(SaturationMetrics.class));
    }

    @Test
    void backsOffWhenTheUserDefinesSaturationMetrics() {
        this.contextRunner.withBean(PrometheusRegistry.class, PrometheusRegistry::new)
            .withUserConfiguration(UserSaturationMetrics.class)
            .run((context) -> assertThat(context).getBean(SaturationMetrics.class)
                .isSameAs(context.getBean("userSaturationMetrics")));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserSaturationMetrics {

        @Bean
        SaturationMetrics userSaturationMetrics(PrometheusRegistry registry) {
            return new SaturationMetrics(registry, "custom", "w1", null);
        }

    }

}
