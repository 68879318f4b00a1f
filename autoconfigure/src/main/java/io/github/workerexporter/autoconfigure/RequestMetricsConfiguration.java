package io.github.workerexporter.autoconfigure;

import java.util.List;
import java.util.regex.Pattern;

import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.instrument.HandledExceptionRecorder;
import io.github.workerexporter.instrument.HandledExceptionResultHandler;
import io.github.workerexporter.instrument.RequestMetricsFilter;
import io.github.workerexporter.instrument.RequestMetricsWebFilter;
import io.github.workerexporter.autoconfigure.ExporterProperties.Metrics.StatusLabel;
import io.github.workerexporter.instrument.JerseyRouteTemplates;
import io.github.workerexporter.metrics.HistogramSettings;
import io.github.workerexporter.metrics.RequestExemplars;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.RequestMetrics.RouteLabels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.tracer.common.SpanContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.glassfish.jersey.server.ExtendedUriInfo;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.jersey.autoconfigure.ResourceConfigCustomizer;
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

    /** The order of the servlet filter. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 2;

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Bean
    @ConditionalOnBean(PrometheusRegistry.class)
    @ConditionalOnMissingBean
    RequestMetrics requestMetrics(PrometheusRegistry registry, WorkerIdentity worker, ExporterProperties properties,
            ObjectProvider<SpanContext> spanContext) {
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
        RouteLabels routeLabels = !metrics.isRouteLabels() ? RouteLabels.OFF
                : (metrics.getStatusLabel() == StatusLabel.CLASS) ? RouteLabels.STATUS_CLASS : RouteLabels.STATUS_CODE;
        List<String> queueTimeHeaders = metrics.getQueueTime().isEnabled() ? queueTimeHeaders(metrics.getQueueTime())
                : List.of();
        return new RequestMetrics(registry, metrics.getPrefix(), worker.id(), metrics.getMaxLabelSets(), routeLabels,
                queueTimeHeaders, RequestExemplars.of(spanContext.getIfAvailable()), histogramSettings(metrics));
    }

    static HistogramSettings histogramSettings(ExporterProperties.Metrics metrics) {
        ExporterProperties.Metrics.NativeHistogram settings = metrics.getNativeHistogram();
        if (settings.getInitialSchema() < HistogramSettings.MIN_SCHEMA
                || settings.getInitialSchema() > HistogramSettings.MAX_SCHEMA) {
            throw new InvalidExporterPropertyException("exporter.metrics.native-histogram.initial-schema",
                    settings.getInitialSchema(), "must be from -4 to 8",
                    "Use a schema from -4 to 8, such as client_java's default 5 (buckets about 2% wide).");
        }
        double zeroThreshold = settings.getZeroThreshold();
        if (!(zeroThreshold >= 0) || Double.isInfinite(zeroThreshold)) {
            throw new InvalidExporterPropertyException("exporter.metrics.native-histogram.zero-threshold",
                    zeroThreshold, "must be a finite number of at least 0",
                    "Use a small non-negative number, such as client_java's default 2.938735877055719E-39 (2^-128).");
        }
        if (settings.getMaxBuckets() < 1) {
            throw new InvalidExporterPropertyException("exporter.metrics.native-histogram.max-buckets",
                    settings.getMaxBuckets(), "must be at least 1",
                    "Use a positive number, such as client_java's default 160.");
        }
        HistogramSettings.Kind kind = switch (metrics.getHistograms()) {
            case CLASSIC -> HistogramSettings.Kind.CLASSIC;
            case NATIVE -> HistogramSettings.Kind.NATIVE;
            case BOTH -> HistogramSettings.Kind.BOTH;
        };
        return new HistogramSettings(kind, settings.getInitialSchema(), zeroThreshold, settings.getMaxBuckets());
    }

    private static List<String> queueTimeHeaders(ExporterProperties.Metrics.QueueTime queueTime) {
        List<String> headers = queueTime.getHeaders();
        if (headers.isEmpty() || headers.stream().anyMatch((header) -> !HEADER_NAME.matcher(header).matches())) {
            throw new InvalidExporterPropertyException("exporter.metrics.queue-time.headers", headers,
                    "must name at least one HTTP header, each a valid header name",
                    "Use header names such as 'X-Request-Start,X-Queue-Start', or set "
                            + "exporter.metrics.queue-time.enabled=false.");
        }
        return List.copyOf(headers);
    }

    /**
     * Every servlet web application: the filter reads the route template that Spring MVC
     * or Jersey noted, or the servlet mapping.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = Type.SERVLET)
    @ConditionalOnClass(Filter.class)
    @ConditionalOnBean(PrometheusRegistry.class)
    static class ServletRequestMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "requestMetricsFilter")
        FilterRegistrationBean<RequestMetricsFilter> requestMetricsFilter(RequestMetrics metrics,
                WorkerLifecycle workerLifecycle) {
            FilterRegistrationBean<RequestMetricsFilter> registration = new FilterRegistrationBean<>(
                    new RequestMetricsFilter(metrics, workerLifecycle));
            // Just inside Spring's ServerHttpObservationFilter (HIGHEST_PRECEDENCE + 1),
            // before
            // every other filter: a traced request's span is current when it is recorded.
            registration.setOrder(ORDER);
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
            registration.setAsyncSupported(true);
            return registration;
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = Type.SERVLET)
    @ConditionalOnClass(DispatcherServlet.class)
    @ConditionalOnBean(PrometheusRegistry.class)
    static class SpringMvcRequestMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        HandledExceptionRecorder handledExceptionRecorder() {
            return new HandledExceptionRecorder();
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = Type.SERVLET)
    @ConditionalOnClass({ ResourceConfigCustomizer.class, ExtendedUriInfo.class })
    @ConditionalOnBean(PrometheusRegistry.class)
    static class JerseyRequestMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "jerseyRouteTemplatesCustomizer")
        ResourceConfigCustomizer jerseyRouteTemplatesCustomizer() {
            return (config) -> config.register(new JerseyRouteTemplates());
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
