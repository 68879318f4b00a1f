package io.github.workerexporter.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.merge.MergedViewRegistry;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Shared storage: the store (a shared directory here; Redis in
 * {@link RedisStorageConfiguration}, which wins when both are set), the flusher and the
 * merged scrape.
 * <p>
 * In shared mode the application's {@code PrometheusRegistry} bean (Boot's, of exactly
 * that class) is replaced by a {@link MergedViewRegistry} as it is created: every
 * collector (Micrometer's meters, the exporter's families) keeps registering on that one
 * bean; its scrapes (actuator endpoint, metrics server) serve the merged view of all
 * workers, each family once; the flusher publishes its local content, which never
 * includes the merged view. A sidecar ({@code exporter.sidecar.enabled}, see
 * {@link SidecarConfiguration}) serves the merged view and publishes nothing.
 * <p>
 * The store is defined before the merged view and the health indicator
 * ({@link StorageHealthConfiguration}) are evaluated: the file store as a member class,
 * Redis by importing its configuration first.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@Import({ RedisStorageConfiguration.class, StorageMergedViewConfiguration.class, SidecarConfiguration.class,
        StorageHealthConfiguration.class })
class StorageConfiguration {

    private static final Logger logger = LoggerFactory.getLogger(StorageConfiguration.class);

    StorageConfiguration(ExporterProperties properties) {
        if (properties.getRedis().isEnabled() && properties.getPrometheus().getMultiprocDir() != null) {
            logger.info("Both exporter.redis.enabled and exporter.prometheus.multiproc-dir are set: Redis storage is"
                    + " used, the directory is not");
        }
    }

    @Bean
    @ConditionalOnMissingBean
    SnapshotCodec snapshotCodec() {
        return new BinarySnapshotCodec();
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty("exporter.prometheus.multiproc-dir")
    @ConditionalOnBooleanProperty(name = "exporter.redis.enabled", havingValue = false, matchIfMissing = true)
    static class FileStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean
        MetricStore fileMetricStore(ExporterProperties properties) {
            ExporterProperties.Storage storage = properties.getStorage();
            return new FileMetricStore(Path.of(properties.getPrometheus().getMultiprocDir()), storage.getRetention(),
                    storage.getHeartbeatTimeout(), Clock.systemUTC(), System::nanoTime,
                    properties.getCleanup().isDbFiles());
        }

    }

}
