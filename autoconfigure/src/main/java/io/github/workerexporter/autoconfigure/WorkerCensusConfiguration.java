package io.github.workerexporter.autoconfigure;

import java.time.Clock;

import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.SnapshotCodec;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link WorkerCensus} of any {@link MetricStore} bean (the exporter's or the
 * application's): the one reader of the store that the merged view, health, the endpoint
 * and a sidecar ask. Imported by {@link StorageConfiguration} after the stores.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBean(MetricStore.class)
class WorkerCensusConfiguration {

    @Bean
    @ConditionalOnMissingBean
    WorkerCensus workerCensus(MetricStore store, SnapshotCodec codec, ExporterProperties properties) {
        return new WorkerCensus(store, codec, properties.getMetrics().getPrefix(),
                properties.getStorage().getHeartbeatTimeout(), Clock.systemUTC());
    }

}
