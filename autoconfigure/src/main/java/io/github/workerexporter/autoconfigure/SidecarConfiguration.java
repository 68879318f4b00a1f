package io.github.workerexporter.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.sidecar.SidecarMetrics;
import io.github.workerexporter.sidecar.SidecarRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A metrics-only sidecar ({@code exporter.sidecar.enabled}): its registry is a
 * {@link SidecarRegistry} (see {@link StorageMergedViewConfiguration}), which serves the
 * merged view of the shared store and the {@link SidecarMetrics}. It publishes nothing. A
 * sidecar without shared storage fails start-up.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("exporter.sidecar.enabled")
class SidecarConfiguration {

    SidecarConfiguration(ExporterProperties properties) {
        boolean redis = properties.getRedis().isEnabled();
        if (!redis && properties.getPrometheus().getMultiprocDir() == null) {
            throw new InvalidExporterPropertyException("exporter.sidecar.enabled", true,
                    "a sidecar needs shared storage",
                    "set exporter.prometheus.multiproc-dir or exporter.redis.enabled=true");
        }
        Duration interval = properties.getSidecar().getUpdateInterval();
        if (interval.isNegative() || interval.isZero()) {
            throw new InvalidExporterPropertyException("exporter.sidecar.update-interval", interval, "must be positive",
                    "a duration such as 30s (a plain number is seconds)");
        }
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({ MetricStore.class, PrometheusRegistry.class })
    SidecarMetrics sidecarMetrics(ExporterProperties properties, WorkerIdentity worker, MetricStore store,
            PrometheusRegistry registry) {
        boolean redis = properties.getRedis().isEnabled();
        String dir = properties.getPrometheus().getMultiprocDir();
        SidecarMetrics metrics = new SidecarMetrics(properties.getMetrics().getPrefix(), worker.startTime(),
                (redis || dir == null) ? null : Path.of(dir), redis ? () -> readable(store) : null,
                properties.getSidecar().getUpdateInterval(), Clock.systemUTC());
        if (registry instanceof SidecarRegistry sidecar) {
            sidecar.setSidecarMetrics(metrics);
        }
        else {
            registry.register(metrics);
        }
        return metrics;
    }

    @Bean
    @ConditionalOnMissingBean
    SidecarKeepAlive sidecarKeepAlive() {
        return new SidecarKeepAlive();
    }

    private static boolean readable(MetricStore store) {
        try {
            store.readAll();
            return true;
        }
        catch (StoreException ex) {
            return false;
        }
    }

}
