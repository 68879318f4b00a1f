package io.github.workerexporter.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.merge.MergedViewRegistry;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.sidecar.SidecarMetrics;
import io.github.workerexporter.storage.StoreException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * A metrics-only sidecar ({@code exporter.sidecar.enabled}): its registry, a
 * {@link MergedViewRegistry} that serves no local families (see
 * {@link MergedViewAutoConfiguration}), serves the merged view of the shared store and
 * the {@link SidecarMetrics}; no worker family is created. It publishes nothing. A
 * sidecar without shared storage fails start-up.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("exporter.sidecar.enabled")
class SidecarConfiguration {

    private final StorageMode.Decision storage;

    SidecarConfiguration(ExporterProperties properties, Environment environment) {
        this.storage = StorageMode.decide(environment);
        if (this.storage.mode() == StorageMode.NONE) {
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
    @ConditionalOnBean({ WorkerCensus.class, PrometheusRegistry.class })
    SidecarMetrics sidecarMetrics(ExporterProperties properties, WorkerIdentity worker, WorkerCensus census,
            PrometheusRegistry registry) {
        boolean redis = this.storage.mode() == StorageMode.REDIS;
        String dir = properties.getPrometheus().getMultiprocDir();
        SidecarMetrics metrics = new SidecarMetrics(properties.getMetrics().getPrefix(), worker.startTime(),
                (this.storage.mode() == StorageMode.FILE && dir != null) ? Path.of(dir) : null,
                redis ? () -> readable(census) : null, properties.getSidecar().getUpdateInterval(), Clock.systemUTC());
        if (registry instanceof MergedViewRegistry merged) {
            merged.addView(metrics);
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

    private static boolean readable(WorkerCensus census) {
        try {
            census.take();
            return true;
        }
        catch (StoreException ex) {
            return false;
        }
    }

}
