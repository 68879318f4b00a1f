package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.merge.MergedViewRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import io.micrometer.prometheusmetrics.PrometheusConfig;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.ConditionalOnEnabledMetricsExport;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The application's {@link PrometheusRegistry} in shared mode: a
 * {@link MergedViewRegistry}, defined before Spring Boot's Prometheus export
 * auto-configuration, whose own {@code prometheusRegistry} bean backs off from it
 * ({@code @ConditionalOnMissingBean}), under the same conditions as Boot's (Micrometer's
 * Prometheus registry on the class path, Prometheus export enabled). Every collector
 * (Micrometer's meters, the exporter's families) registers on it; scrapes (the actuator
 * endpoint, the metrics server) serve the merged view of all workers, each family once
 * (see {@link StorageMergedViewConfiguration}). A sidecar's registry serves the views
 * only: the merged view and the sidecar's own families. An application that defines its
 * own {@code PrometheusRegistry} keeps it, and its scrapes serve no merged view (a WARN
 * says so).
 *
 * @author Worker Exporter
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        beforeName = "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration")
@ConditionalOnBooleanProperty(name = "exporter.enabled", matchIfMissing = true)
@ConditionalOnClass(name = { "io.micrometer.prometheusmetrics.PrometheusMeterRegistry",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.ConditionalOnEnabledMetricsExport" })
@ConditionalOnStorage({ StorageMode.FILE, StorageMode.REDIS })
public final class MergedViewAutoConfiguration {

    /**
     * Boot's own conditions of its registry, read only when its classes are there.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(io.micrometer.core.instrument.Clock.class)
    @ConditionalOnEnabledMetricsExport("prometheus")
    static class RegistryConfiguration {

        @Bean
        @ConditionalOnMissingBean
        PrometheusRegistry prometheusRegistry(Environment environment) {
            boolean sidecar = Binder.get(environment).bind("exporter.sidecar.enabled", Boolean.class).orElse(false);
            return new MergedViewRegistry(!sidecar);
        }

    }

    /**
     * The actuator's {@code prometheus} endpoint with the metrics server's writers (see
     * {@link ExpositionScrapeEndpoint}), in place of Boot's, which backs off from it; an
     * application's own endpoint bean keeps it.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint",
            "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint" })
    @ConditionalOnBean(io.micrometer.core.instrument.Clock.class)
    @ConditionalOnEnabledMetricsExport("prometheus")
    static class ScrapeEndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean(PrometheusScrapeEndpoint.class)
        @ConditionalOnAvailableEndpoint(PrometheusScrapeEndpoint.class)
        ExpositionScrapeEndpoint prometheusEndpoint(PrometheusRegistry registry,
                ObjectProvider<PrometheusConfig> config) {
            PrometheusConfig prometheusConfig = config.getIfAvailable();
            return new ExpositionScrapeEndpoint(registry,
                    (prometheusConfig != null) ? prometheusConfig.prometheusProperties() : null);
        }

    }

}
