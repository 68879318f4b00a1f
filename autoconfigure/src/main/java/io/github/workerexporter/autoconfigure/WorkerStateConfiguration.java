package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.environment.WorkerPool;
import io.github.workerexporter.metrics.MasterMetrics;
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
    MasterMetrics masterMetrics(PrometheusRegistry registry, ExporterProperties properties, WorkerIdentity worker) {
        return new MasterMetrics(registry, properties.getMetrics().getPrefix(), worker.id());
    }

    @Bean
    @ConditionalOnMissingBean
    WorkerMetrics workerMetrics(PrometheusRegistry registry, ExporterProperties properties, WorkerIdentity worker,
            ProcessStats processStats) {
        return new WorkerMetrics(registry, properties.getMetrics().getPrefix(), worker.id(), processStats);
    }

    @Bean
    @ConditionalOnMissingBean
    WorkerRestartMetrics workerRestartMetrics(PrometheusRegistry registry, ExporterProperties properties,
            WorkerIdentity worker, MasterMetrics masterMetrics) {
        return new WorkerRestartMetrics(registry, properties.getMetrics().getPrefix(), worker.id(), masterMetrics);
    }

    @Bean
    @ConditionalOnMissingBean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    WorkerStateHook workerStateHook(WorkerMetrics workerMetrics, WorkerRestartMetrics workerRestartMetrics) {
        return new WorkerStateHook(workerMetrics, workerRestartMetrics);
    }

    @Bean
    @ConditionalOnMissingBean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SignalHandlers signalHandlers(MasterMetrics masterMetrics, WorkerRestartMetrics workerRestartMetrics,
            ObjectProvider<WorkerPool> workerPool) {
        return new SignalHandlers(masterMetrics, workerRestartMetrics, workerPool::getIfAvailable);
    }

}
