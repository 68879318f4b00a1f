package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.storage.MetricStore;

import org.springframework.beans.factory.ObjectProvider;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code exporter} component of {@code /actuator/health}
 * ({@link StorageHealthIndicator}), for any {@link MetricStore} bean (file, Redis, or the
 * application's own) through its {@link WorkerCensus}, when the application has
 * spring-boot-health. {@code management.health.exporter.enabled=false} turns it off.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(AbstractHealthIndicator.class)
class StorageHealthConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnEnabledHealthIndicator("exporter")
    static class StorageHealthIndicatorConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "exporterHealthIndicator")
        @ConditionalOnBean(WorkerCensus.class)
        StorageHealthIndicator exporterHealthIndicator(WorkerCensus census, ObjectProvider<WorkerIdConflict> conflict) {
            return new StorageHealthIndicator(census, conflict.getIfAvailable());
        }

    }

}
