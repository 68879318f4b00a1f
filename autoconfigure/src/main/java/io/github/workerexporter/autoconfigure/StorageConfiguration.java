package io.github.workerexporter.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.file.FileMetricStore;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Shared storage, in the {@link StorageMode} decided once from the properties: the store
 * (a shared directory here; Redis in {@link RedisStorageConfiguration}), the
 * {@link WorkerCensusConfiguration census} that every reader of the store asks (the
 * merged view, health, the endpoint, a sidecar), the flusher and the merged scrape
 * ({@link StorageMergedViewConfiguration}, {@link MergedViewAutoConfiguration}). A
 * sidecar ({@link SidecarConfiguration}) serves the merged view and publishes nothing.
 * <p>
 * The store is defined before the census, the merged view and the health indicator
 * ({@link StorageHealthConfiguration}) are evaluated: the file store as a member class,
 * Redis by importing its configuration first.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@Import({ RedisStorageConfiguration.class, WorkerCensusConfiguration.class, StorageMergedViewConfiguration.class,
        SidecarConfiguration.class, StorageHealthConfiguration.class })
class StorageConfiguration {

    private static final Logger logger = LoggerFactory.getLogger(StorageConfiguration.class);

    StorageConfiguration(Environment environment) {
        StorageMode.Decision decision = StorageMode.decide(environment);
        if (decision.directoryUnused()) {
            logger.info("Shared {}", decision);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    SnapshotCodec snapshotCodec() {
        return new BinarySnapshotCodec();
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnStorage(StorageMode.FILE)
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
