package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.merge.WorkerCensus;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Worker Exporter in Spring Boot's own features, next to
 * {@link WorkerExporterAutoConfiguration}: the {@code exporter} Actuator endpoint, when
 * the application has Actuator and exposes it, the exporter's secrets masked in the
 * {@code env} and {@code configprops} endpoints even when they show values
 * ({@link ExporterSanitizingFunction}), and the exporter's beans kept eager under lazy
 * initialization.
 *
 * @author Worker Exporter
 */
@AutoConfiguration(after = WorkerExporterAutoConfiguration.class)
@ConditionalOnBean(WorkerIdentity.class)
public final class ExporterEndpointAutoConfiguration {

    @Bean
    static LazyInitializationExcludeFilter exporterLazyInitializationExcludeFilter() {
        return new ExporterLazyInitializationExcludeFilter();
    }

    /**
     * The endpoint, when the application has Actuator; the availability condition is
     * nested so that it is only read when Actuator is there.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class ActuatorConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "exporterSanitizingFunction")
        static SanitizingFunction exporterSanitizingFunction() {
            return new ExporterSanitizingFunction();
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnAvailableEndpoint(ExporterEndpoint.class)
        static class EndpointConfiguration {

            @Bean
            @ConditionalOnMissingBean
            ExporterEndpoint exporterEndpoint(WorkerIdentity worker, ObjectProvider<WorkerCensus> census,
                    ExporterProperties properties) {
                return new ExporterEndpoint(worker, census.getIfUnique(), properties.getStorage().getHeartbeatTimeout(),
                        ExporterEndpointConfigurationView.of(properties));
            }

        }

    }

}
