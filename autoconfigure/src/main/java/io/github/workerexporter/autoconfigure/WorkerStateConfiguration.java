package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.environment.WorkerPool;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.metrics.ProcessStats;
import io.github.workerexporter.metrics.SignalHandlers;
import io.github.workerexporter.metrics.WorkerMetrics;
import io.github.workerexporter.metrics.WorkerRestartMetrics;
import io.github.workerexporter.metrics.WorkerStateHook;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Worker state, resource gauges, restarts and signals, registered on the application's
 * {@link PrometheusRegistry}.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBean(PrometheusRegistry.class)
// A sidecar is not a worker: it creates no worker family.
@ConditionalOnBooleanProperty(name = "exporter.sidecar.enabled", havingValue = false, matchIfMissing = true)
class WorkerStateConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ProcessStats processStats(WorkerIdentity worker) {
        return new ProcessStats(worker.startTime());
    }

    @Bean
    @ConditionalOnMissingBean
    MasterRestarts masterRestarts(PrometheusRegistry registry, ExporterProperties properties, WorkerIdentity worker) {
        MasterRestarts restarts = new MasterRestarts(properties.getMetrics().getPrefix(), worker.id());
        registry.register(restarts);
        return restarts;
    }

    @Bean
    @ConditionalOnMissingBean
    WorkerMetrics workerMetrics(PrometheusRegistry registry, ExporterProperties properties, WorkerIdentity worker,
            ProcessStats processStats, WorkerLifecycle workerLifecycle) {
        return new WorkerMetrics(registry, properties.getMetrics().getPrefix(), worker.id(), processStats,
                workerLifecycle);
    }

    @Bean
    @ConditionalOnMissingBean
    WorkerRestartMetrics workerRestartMetrics(PrometheusRegistry registry, ExporterProperties properties,
            WorkerIdentity worker, WorkerLifecycle workerLifecycle) {
        return new WorkerRestartMetrics(registry, properties.getMetrics().getPrefix(), worker.id(), workerLifecycle);
    }

    @Bean
    @ConditionalOnMissingBean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    WorkerStateHook workerStateHook(WorkerLifecycle workerLifecycle, WorkerRestartMetrics workerRestartMetrics) {
        return new WorkerStateHook(workerLifecycle, workerRestartMetrics);
    }

    @Bean
    @ConditionalOnMissingBean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SignalHandlers signalHandlers(MasterRestarts masterRestarts, WorkerLifecycle workerLifecycle,
            ObjectProvider<WorkerPool> workerPool) {
        return new SignalHandlers(masterRestarts, workerLifecycle, workerPool::getIfAvailable);
    }

}
