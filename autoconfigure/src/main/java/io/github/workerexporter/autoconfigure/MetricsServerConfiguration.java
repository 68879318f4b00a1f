package io.github.workerexporter.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookPhase;
import io.github.workerexporter.server.MetricsServerManager;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * The dedicated metrics HTTP server (MetricsServerManager), serving the
 * {@link PrometheusRegistry} bean within the limits of
 * {@code exporter.prometheus.server.*}: started at {@code when_ready}, stopped at
 * {@code on_exit} (or when the context closes). Once started, its port is published as
 * {@value #PORT_PROPERTY}.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBean(PrometheusRegistry.class)
class MetricsServerConfiguration {

    /**
     * The property the port of the running metrics server is published as.
     */
    static final String PORT_PROPERTY = "local.exporter.metrics-port";

    private static final String PROPERTY_SOURCE = "exporter.local";

    @Bean
    @ConditionalOnMissingBean
    MetricsServerManager metricsServerManager(ExporterProperties properties, PrometheusRegistry registry) {
        return new MetricsServerManager(registry, MetricsServerPropertiesValidator.validate(properties),
                MetricsServerPropertiesValidator.limits(properties.getPrometheus().getServer()));
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 10)
    @ConditionalOnMissingBean(name = "metricsServerStartHook")
    ExporterHook metricsServerStartHook(MetricsServerManager manager, ConfigurableEnvironment environment) {
        return ExporterHook.on(HookPhase.WHEN_READY, (context) -> {
            if (manager.start()) {
                publishPort(environment, manager.getPort());
            }
        });
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 10)
    @ConditionalOnMissingBean(name = "metricsServerStopHook")
    ExporterHook metricsServerStopHook(MetricsServerManager manager) {
        return ExporterHook.on(HookPhase.ON_EXIT, (context) -> manager.stop());
    }

    @SuppressWarnings("unchecked")
    private static void publishPort(ConfigurableEnvironment environment, int port) {
        MutablePropertySources sources = environment.getPropertySources();
        PropertySource<?> source = sources.get(PROPERTY_SOURCE);
        if (source == null) {
            source = new MapPropertySource(PROPERTY_SOURCE, new HashMap<>());
            sources.addFirst(source);
        }
        ((Map<String, Object>) source.getSource()).put(PORT_PROPERTY, port);
    }

}
