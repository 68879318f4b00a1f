package io.github.workerexporter.autoconfigure;

import java.util.regex.Pattern;

import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.instrument.HandledExceptionRecorder;
import io.github.workerexporter.instrument.HandledExceptionResultHandler;
import io.github.workerexporter.instrument.RequestMetricsFilter;
import io.github.workerexporter.instrument.RequestMetricsWebFilter;
import io.github.workerexporter.metrics.RequestMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.DispatcherType;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerResultHandler;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Request metrics recorded by a servlet filter or a WebFlux filter.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
// A sidecar is not a worker: it creates no worker family.
@ConditionalOnBooleanProperty(name = "exporter.sidecar.enabled", havingValue = false, matchIfMissing = true)
class RequestMetricsConfiguration {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Bean
    @ConditionalOnBean(PrometheusRegistry.class)
    @ConditionalOnMissingBean
    RequestMetrics requestMetrics(PrometheusRegistry registry, WorkerIdentity worker, ExporterProperties properties) {
        ExporterProperties.Metrics metrics = properties.getMetrics();
        if (!METRIC_NAME.matcher(metrics.getPrefix()).matches()) {
            throw new InvalidExporterPropertyException("exporter.metrics.prefix", metrics.getPrefix(),
                    "not a valid Prometheus metric name prefix",
                    "Use letters, digits, '_' and ':', not starting with a digit, such as 'gunicorn'.");
        }
        if (metrics.getMaxLabelSets() < 1) {
            throw new InvalidExporterPropertyException("exporter.metrics.max-label-sets", metrics.getMaxLabelSets(),
                    "must be at least 1", "Use a positive number, such as the default 1000.");
        }
        return new RequestMetrics(registry, metrics.getPrefix(), worker.id(), metrics.getMaxLabelSets());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = Type.SERVLET)
    @ConditionalOnClass(DispatcherServlet.class)
    @ConditionalOnBean(PrometheusRegistry.class)
    static class ServletRequestMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "requestMetricsFilter")
        FilterRegistrationBean<RequestMetricsFilter> requestMetricsFilter(RequestMetrics metrics,
                WorkerLifecycle workerLifecycle) {
            FilterRegistrationBean<RequestMetricsFilter> registration = new FilterRegistrationBean<>(
                    new RequestMetricsFilter(metrics, workerLifecycle));
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
            registration.setAsyncSupported(true);
            return registration;
        }

        @Bean
        @ConditionalOnMissingBean
        HandledExceptionRecorder handledExceptionRecorder() {
            return new HandledExceptionRecorder();
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = Type.REACTIVE)
    @ConditionalOnClass(HandlerResultHandler.class)
    @ConditionalOnBean(PrometheusRegistry.class)
    static class ReactiveRequestMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RequestMetricsWebFilter requestMetricsWebFilter(RequestMetrics metrics, WorkerLifecycle workerLifecycle) {
            return new RequestMetricsWebFilter(metrics, workerLifecycle);
        }

        @Bean
        @ConditionalOnMissingBean
        HandledExceptionResultHandler handledExceptionResultHandler(ObjectProvider<HandlerResultHandler> handlers) {
            return new HandledExceptionResultHandler(handlers);
        }

    }

}
