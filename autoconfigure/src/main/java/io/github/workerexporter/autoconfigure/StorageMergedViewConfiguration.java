package io.github.workerexporter.autoconfigure;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.metrics.WorkerRestartMetrics;
import io.github.workerexporter.metrics.WorkerStopReason;
import io.github.workerexporter.merge.MergedViewRegistry;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.publish.NamePatterns;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.storage.WorkerLife;
import io.github.workerexporter.storage.WorkerStatus;
import io.github.workerexporter.sidecar.SidecarRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The merged view, the flusher and its hook, when workers share a store and the
 * application has a {@code PrometheusRegistry} (see {@link StorageConfiguration}). A
 * sidecar's registry is a {@link SidecarRegistry} and it has no flusher.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@Conditional(StorageSharedCondition.class)
@ConditionalOnBean({ MetricStore.class, PrometheusRegistry.class })
class StorageMergedViewConfiguration {

    private static final Logger logger = LoggerFactory.getLogger(StorageMergedViewConfiguration.class);

    @Bean
    static BeanPostProcessor exporterMergedViewRegistryPostProcessor(Environment environment) {
        boolean sidecar = environment.getProperty("exporter.sidecar.enabled", Boolean.class, false);
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean.getClass() != PrometheusRegistry.class) {
                    return bean;
                }
                return sidecar ? new SidecarRegistry() : new MergedViewRegistry();
            }
        };
    }

    @Bean
    @ConditionalOnMissingBean
    MergingCollector mergingCollector(MetricStore store, SnapshotCodec codec, ExporterProperties properties,
            PrometheusRegistry registry) {
        ExporterProperties.Storage storage = properties.getStorage();
        MergingCollector collector = new MergingCollector(store, codec, properties.getMetrics().getPrefix(),
                storage.getGaugeModes(), storage.getHeartbeatTimeout(), Clock.systemUTC(), () -> local(registry));
        if (registry instanceof MergedViewRegistry merged) {
            merged.setMergedView(collector);
        }
        else {
            logger.warn("The PrometheusRegistry bean is not replaceable ({}): the merged view of the workers is"
                    + " not served by this process", registry.getClass().getName());
        }
        return collector;
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "exporter.sidecar.enabled", havingValue = false, matchIfMissing = true)
    WorkerIdConflict workerIdConflict(WorkerIdentity worker) {
        return new WorkerIdConflict(worker.id(),
                new WorkerLife(worker.pid(), WorkerIdentity.hostName(), worker.startTime().toEpochMilli()));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "exporter.sidecar.enabled", havingValue = false, matchIfMissing = true)
    WorkerPublisher workerPublisher(MetricStore store, SnapshotCodec codec, WorkerIdentity worker,
            PrometheusRegistry registry, WorkerStatus status, ExporterProperties properties,
            WorkerIdConflict conflict) {
        ExporterProperties.Storage storage = properties.getStorage();
        return new WorkerPublisher(store, codec, worker, () -> local(registry),
                new NamePatterns(storage.getInclude(), storage.getExclude()), status,
                properties.getMetrics().getPrefix(), Clock.systemUTC(), conflict);
    }

    @Bean
    @ConditionalOnMissingBean(name = "storageFlushHook")
    @ConditionalOnBooleanProperty(name = "exporter.sidecar.enabled", havingValue = false, matchIfMissing = true)
    ExporterHook storageFlushHook(WorkerPublisher publisher, WorkerStatus status, ExporterProperties properties,
            ObjectProvider<WorkerRestartMetrics> restarts) {
        return (context) -> {
            switch (context.phase()) {
                case WHEN_READY -> publisher.start(properties.getStorage().getFlushInterval());
                case WORKER_INT -> {
                    // The reason the signal handlers recorded (term, int, hup, error), if
                    // any.
                    WorkerRestartMetrics restartMetrics = restarts.getIfAvailable();
                    status.stopping((restartMetrics != null)
                            ? restartMetrics.stopReason().map(WorkerStopReason::label).orElse(null) : null);
                    publisher.flushNow();
                }
                case ON_EXIT -> {
                    // Left in place: a later sweep removes it once the retention
                    // passed.
                    status.stopped();
                    publisher.flushNow();
                    publisher.close();
                }
                default -> {
                }
            }
        };
    }

    private static io.prometheus.metrics.model.snapshots.MetricSnapshots local(PrometheusRegistry registry) {
        return (registry instanceof MergedViewRegistry merged) ? merged.scrapeLocal((name) -> true) : registry.scrape();
    }

}
