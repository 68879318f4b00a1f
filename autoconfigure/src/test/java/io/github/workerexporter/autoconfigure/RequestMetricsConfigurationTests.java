package io.github.workerexporter.autoconfigure;

import java.util.EnumSet;

import io.github.workerexporter.instrument.HandledExceptionRecorder;
import io.github.workerexporter.instrument.HandledExceptionResultHandler;
import io.github.workerexporter.instrument.RequestMetricsFilter;
import io.github.workerexporter.instrument.RequestMetricsWebFilter;
import io.github.workerexporter.metrics.RequestMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import jakarta.servlet.DispatcherType;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.DispatcherServlet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RequestMetricsConfiguration}.
 *
 * @author Worker Exporter
 */
class RequestMetricsConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
        .withUserConfiguration(RegistryConfiguration.class);

    @Test
    void createsRequestMetricsOnThePrometheusRegistry() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(RequestMetrics.class);
            assertThat(context.getBean(PrometheusRegistry.class)
                .scrape()
                .stream()
                .anyMatch((s) -> s.getMetadata().getName().equals("gunicorn_worker_requests"))).isTrue();
            assertThat(context).doesNotHaveBean(FilterRegistrationBean.class)
                .doesNotHaveBean(RequestMetricsWebFilter.class);
        });
    }

    @Test
    void backsOffWithoutPrometheusRegistry() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RequestMetrics.class));
    }

    @Test
    void rejectsAnInvalidPrefix() {
        this.runner.withPropertyValues("exporter.metrics.prefix=9bad-prefix").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOfSatisfying(InvalidExporterPropertyException.class, (ex) -> {
                    assertThat(ex.getProperty()).isEqualTo("exporter.metrics.prefix");
                    assertThat(ex.getValue()).isEqualTo("9bad-prefix");
                });
        });
    }

    @Test
    void rejectsMaxLabelSetsBelowOne() {
        this.runner.withPropertyValues("exporter.metrics.max-label-sets=0")
            .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOfSatisfying(InvalidExporterPropertyException.class,
                        (ex) -> assertThat(ex.getProperty()).isEqualTo("exporter.metrics.max-label-sets")));
    }

    @Test
    void keepsClassicHistogramsByDefaultAndNativeOnesWhenAsked() {
        this.runner.run((context) -> assertThat(durationAfterOneRequest(context).hasNativeHistogramData()).isFalse());
        this.runner
            .withPropertyValues("exporter.metrics.histograms=native",
                    "exporter.metrics.native-histogram.initial-schema=3")
            .run((context) -> {
                HistogramDataPointSnapshot duration = durationAfterOneRequest(context);
                assertThat(duration.hasNativeHistogramData()).isTrue();
                assertThat(duration.hasClassicHistogramData()).isFalse();
                assertThat(duration.getNativeSchema()).isEqualTo(3);
            });
        this.runner.withPropertyValues("exporter.metrics.histograms=both").run((context) -> {
            HistogramDataPointSnapshot duration = durationAfterOneRequest(context);
            assertThat(duration.hasNativeHistogramData()).isTrue();
            assertThat(duration.hasClassicHistogramData()).isTrue();
        });
    }

    @Test
    void rejectsANativeSchemaOutsideMinusFourToEight() {
        assertRejected("exporter.metrics.native-histogram.initial-schema", "9", 9);
        assertRejected("exporter.metrics.native-histogram.initial-schema", "-5", -5);
    }

    @Test
    void rejectsANegativeZeroThreshold() {
        assertRejected("exporter.metrics.native-histogram.zero-threshold", "-0.001", -0.001);
    }

    @Test
    void rejectsABucketLimitBelowOne() {
        assertRejected("exporter.metrics.native-histogram.max-buckets", "0", 0);
    }

    private void assertRejected(String property, String value, Object bound) {
        this.runner.withPropertyValues("exporter.metrics.histograms=native", property + "=" + value)
            .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOfSatisfying(InvalidExporterPropertyException.class, (ex) -> {
                    assertThat(ex.getProperty()).isEqualTo(property);
                    assertThat(ex.getValue()).isEqualTo(bound);
                }));
    }

    private static HistogramDataPointSnapshot durationAfterOneRequest(AssertableApplicationContext context) {
        context.getBean(RequestMetrics.class).record("GET", "/", 200, 250_000_000, 0, 0, null);
        return context.getBean(PrometheusRegistry.class)
            .scrape()
            .stream()
            .filter((snapshot) -> snapshot.getMetadata().getName().equals("gunicorn_worker_request_duration_seconds"))
            .map((snapshot) -> (HistogramSnapshot) snapshot)
            .findFirst()
            .orElseThrow()
            .getDataPoints()
            .get(0);
    }

    @Test
    void registersTheServletFilterFirstForRequestAsyncAndErrorDispatches() {
        new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
            .withUserConfiguration(RegistryConfiguration.class)
            .run((context) -> {
                FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
                assertThat(registration.getFilter()).isInstanceOf(RequestMetricsFilter.class);
                assertThat(registration.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE + 2);
                assertThat(registration.determineDispatcherTypes())
                    .isEqualTo(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR));
                assertThat(context).hasSingleBean(HandledExceptionRecorder.class);
            });
    }

    @Test
    void registersTheServletFilterWithoutSpringMvcAndTheJerseyTemplatesWithJersey() {
        new WebApplicationContextRunner().withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
            .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
            .withUserConfiguration(RegistryConfiguration.class)
            .run((context) -> {
                assertThat(context.getBean(FilterRegistrationBean.class).getFilter())
                    .isInstanceOf(RequestMetricsFilter.class);
                assertThat(context).doesNotHaveBean(HandledExceptionRecorder.class)
                    .hasBean("jerseyRouteTemplatesCustomizer");
            });
    }

    @Test
    void configuresRouteLabelsAndQueueTimeFromProperties() {
        this.runner
            .withPropertyValues("exporter.metrics.route-labels=true", "exporter.metrics.status-label=class",
                    "exporter.metrics.queue-time.enabled=true", "exporter.metrics.queue-time.headers=X-Start")
            .run((context) -> {
                RequestMetrics metrics = context.getBean(RequestMetrics.class);
                metrics.record("GET", "/a", 204, 1, 0, 0, null);
                assertThat(metrics.queueTime()).isNotNull();
                assertThat(metrics.queueTime().headers()).containsExactly("X-Start");
                assertThat(context.getBean(PrometheusRegistry.class)
                    .scrape()
                    .stream()
                    .filter((s) -> s.getMetadata().getName().equals("gunicorn_worker_requests"))
                    .flatMap((s) -> s.getDataPoints().stream())
                    .map((point) -> point.getLabels().get("status"))).containsExactly("2xx");
            });
    }

    @Test
    void rejectsAQueueTimeHeaderThatIsNoHeaderName() {
        this.runner
            .withPropertyValues("exporter.metrics.queue-time.enabled=true",
                    "exporter.metrics.queue-time.headers=X Start")
            .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOfSatisfying(InvalidExporterPropertyException.class,
                        (ex) -> assertThat(ex.getProperty()).isEqualTo("exporter.metrics.queue-time.headers")));
    }

    @Test
    void registersTheWebFilterInAReactiveApplication() {
        new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
            .withUserConfiguration(RegistryConfiguration.class)
            .run((context) -> assertThat(context).hasSingleBean(RequestMetricsWebFilter.class)
                .hasSingleBean(HandledExceptionResultHandler.class)
                .doesNotHaveBean(FilterRegistrationBean.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class RegistryConfiguration {

        @Bean
        PrometheusRegistry prometheusRegistry() {
            return new PrometheusRegistry();
        }

    }

}
