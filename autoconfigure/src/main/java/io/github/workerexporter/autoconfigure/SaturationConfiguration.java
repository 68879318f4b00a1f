package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.saturation.AcceptQueue;
import io.github.workerexporter.saturation.SaturationMetrics;
import io.github.workerexporter.saturation.ServerSaturation;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The saturation gauges of the application's embedded web server, always on when the
 * application has a {@link PrometheusRegistry} and a web server; read when scraped.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBean(PrometheusRegistry.class)
@ConditionalOnClass(name = "org.springframework.boot.web.server.context.WebServerInitializedEvent")
class SaturationConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SaturationMetrics saturationMetrics(PrometheusRegistry registry, ExporterProperties properties,
            WorkerIdentity worker) {
        return new SaturationMetrics(registry, properties.getMetrics().getPrefix(), worker.id(), AcceptQueue.linux());
    }

    @Bean
    ApplicationListener<WebServerInitializedEvent> saturationServerListener(SaturationMetrics metrics,
            ApplicationContext applicationContext) {
        return (event) -> {
            // The application's own server, not a management server's.
            if (event.getApplicationContext() == applicationContext) {
                metrics.serverStarted(ServerSaturation.of(event.getWebServer()));
            }
        };
    }

}
