package io.github.workerexporter.autoconfigure;

import java.time.Clock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.merge.RestartCarry;
import io.github.workerexporter.merge.CrashDiagnostics;
import io.github.workerexporter.merge.FleetView;
import io.github.workerexporter.merge.MergedViewRegistry;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.publish.NamePatterns;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.SharedValue;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.file.FileSharedValue;
import io.github.workerexporter.storage.redis.RedisMetricStore;
import io.github.workerexporter.storage.redis.RedisSharedValue;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * The merged view, the flusher and its hook, when workers share a store and the
 * application has a {@code PrometheusRegistry} (see {@link StorageConfiguration}). The
 * merged view is served by the {@link MergedViewRegistry} of
 * {@link MergedViewAutoConfiguration}; a sidecar has no flusher.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnStorage({ StorageMode.FILE, StorageMode.REDIS })
@ConditionalOnBean({ WorkerCensus.class, PrometheusRegistry.class })
class StorageMergedViewConfiguration {

    private static final Logger logger = LoggerFactory.getLogger(StorageMergedViewConfiguration.class);

    private static final String FLEET_REMAINDER = "fleet-remainder";

    @Bean
    @ConditionalOnMissingBean
    MergingCollector mergingCollector(WorkerCensus census, ExporterProperties properties, PrometheusRegistry registry) {
        MergingCollector collector = new MergingCollector(census, properties.getMetrics().getPrefix(),
                properties.getStorage().getGaugeModes(), () -> local(registry));
        if (registry instanceof MergedViewRegistry merged) {
            if (properties.getStorage().getView() == ExporterProperties.View.PER_WORKER) {
                merged.addView(collector);
            }
        }
        else {
            logger.warn("The PrometheusRegistry bean is the application's own ({}): the merged view of the workers is"
                    + " not served by this process", registry.getClass().getName());
        }
        return collector;
    }

    /**
     * The fleet view, served instead of the merged view, with its remainder kept beside
     * the workers' records (in this process only for a store of the application's own).
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "exporter.storage.view", havingValue = "fleet")
    FleetView fleetView(MergingCollector collector, WorkerCensus census, MetricStore store, SnapshotCodec codec,
            ExporterProperties properties, PrometheusRegistry registry) {
        ExporterProperties.Storage storage = properties.getStorage();
        FleetView view = new FleetView(collector, census, codec, fleetRemainder(store),
                properties.getMetrics().getPrefix(), storage.getRetention(), Clock.systemUTC());
        if (registry instanceof MergedViewRegistry merged) {
            merged.addView(view);
        }
        return view;
    }

    private static SharedValue fleetRemainder(MetricStore store) {
        if (store instanceof FileMetricStore file) {
            return new FileSharedValue(file.directory(), FLEET_REMAINDER);
        }
        if (ClassUtils.isPresent("org.springframework.data.redis.connection.RedisConnectionFactory",
                StorageMergedViewConfiguration.class.getClassLoader())) {
            SharedValue redis = RedisRemainder.of(store);
            if (redis != null) {
                return redis;
            }
        }
        logger.warn(
                "The store {} ({}) keeps no fleet remainder: the fleet view keeps it in this process, and its"
                        + " counters go backwards when a worker leaves the store after this process restarted",
                store.name(), store.getClass().getName());
        return SharedValue.inMemory();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "exporter.sidecar.enabled", havingValue = false, matchIfMissing = true)
    WorkerIdConflict workerIdConflict(WorkerIdentity worker, ExporterProperties properties,
            PrometheusRegistry registry) {
        WorkerIdConflict conflict = WorkerIdConflict.of(properties.getMetrics().getPrefix(), worker);
        registry.register(conflict);
        return conflict;
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "exporter.sidecar.enabled", havingValue = false, matchIfMissing = true)
    CrashDiagnostics crashDiagnostics(WorkerIdentity worker, ExporterProperties properties,
            PrometheusRegistry registry) {
        CrashDiagnostics crashes = new CrashDiagnostics(properties.getMetrics().getPrefix(), worker.id());
        registry.register(crashes);
        return crashes;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "exporter.sidecar.enabled", havingValue = false, matchIfMissing = true)
    WorkerPublisher workerPublisher(MetricStore store, SnapshotCodec codec, WorkerIdentity worker,
            PrometheusRegistry registry, WorkerLifecycle lifecycle, ObjectProvider<MasterRestarts> restarts,
            ExporterProperties properties, WorkerIdConflict conflict, CrashDiagnostics crashes) {
        ExporterProperties.Storage storage = properties.getStorage();
        return new WorkerPublisher(store, codec, worker, () -> local(registry),
                new NamePatterns(storage.getInclude(), storage.getExclude()), lifecycle,
                (records) -> restarts.ifAvailable((master) -> RestartCarry.carry(records, worker.id(),
                        worker.startTime().toEpochMilli(), codec, master, crashes)),
                Clock.systemUTC(), conflict);
    }

    @Bean
    @ConditionalOnMissingBean(name = "storageFlushHook")
    @ConditionalOnBooleanProperty(name = "exporter.sidecar.enabled", havingValue = false, matchIfMissing = true)
    ExporterHook storageFlushHook(WorkerPublisher publisher, ExporterProperties properties) {
        // Runs after the WorkerStateHook of each phase: each flush publishes the state
        // and
        // the stop reason of the phase.
        return (context) -> {
            switch (context.phase()) {
                case WHEN_READY -> publisher.start(properties.getStorage().getFlushInterval());
                case WORKER_INT -> publisher.flushNow();
                case ON_EXIT -> {
                    // Left in place: a later sweep removes it once the retention
                    // passed.
                    publisher.flushNow();
                    publisher.close();
                }
                default -> {
                }
            }
        };
    }

    private static MetricSnapshots local(PrometheusRegistry registry) {
        return (registry instanceof MergedViewRegistry merged) ? merged.scrapeLocal((name) -> true) : registry.scrape();
    }

    /**
     * Loaded only when Spring Data Redis is on the class path.
     */
    private static final class RedisRemainder {

        static @Nullable SharedValue of(MetricStore store) {
            return (store instanceof RedisMetricStore redis) ? new RedisSharedValue(redis, FLEET_REMAINDER) : null;
        }

    }

}
