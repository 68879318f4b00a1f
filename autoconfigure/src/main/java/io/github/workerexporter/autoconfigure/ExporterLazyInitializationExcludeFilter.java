package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.ExporterLifecycle;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.WorkerMetrics;
import io.github.workerexporter.metrics.WorkerRestartMetrics;
import io.github.workerexporter.process.ProcessManager;
import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.sidecar.SidecarMetrics;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.LazyInitializationExcludeFilter;

/**
 * Keeps the exporter's working beans eager under
 * {@code spring.main.lazy-initialization=true}. They do their work by existing, often
 * with no bean depending on them: the merging collector installs the merged view of the
 * workers into the registry, the metric families register themselves, and the lifecycle,
 * the hooks, the metrics server, the process manager and the store check their
 * configuration, so that a bad value still fails start-up rather than the first scrape.
 *
 * @author Worker Exporter
 */
final class ExporterLazyInitializationExcludeFilter implements LazyInitializationExcludeFilter {

    private static final LazyInitializationExcludeFilter EAGER_TYPES = LazyInitializationExcludeFilter.forBeanTypes(
            ExporterLifecycle.class, ExporterHook.class, MasterRestarts.class, WorkerMetrics.class,
            WorkerRestartMetrics.class, RequestMetrics.class, MetricsServerManager.class, ProcessManager.class,
            MetricStore.class, MergingCollector.class, WorkerPublisher.class, SidecarMetrics.class);

    @Override
    public boolean isExcluded(String beanName, BeanDefinition beanDefinition, Class<?> beanType) {
        return EAGER_TYPES.isExcluded(beanName, beanDefinition, beanType);
    }

}
