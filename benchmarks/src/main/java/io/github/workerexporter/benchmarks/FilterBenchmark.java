package io.github.workerexporter.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.instrument.RequestMetricsFilter;
import io.github.workerexporter.instrument.RequestMetricsWebFilter;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.RequestMetrics.RouteLabels;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The whole per-request path of the filters, side by side in one run, on spring-test's
 * mock request and response (reused: the server creates them anyway) with a chain that
 * writes 27 bytes:
 * <ul>
 * <li>{@code servletChainAlone}: the chain without any filter, the baseline;</li>
 * <li>{@code servletWorkerExporter}, {@code …RouteLabels}: {@link RequestMetricsFilter}
 * around the chain (its request and response wrappers, in-flight gauge, endpoint lookup,
 * recording), without and with route labels;</li>
 * <li>{@code servletSpringObservation}: Spring's {@link ServerHttpObservationFilter}
 * around the same chain, over a {@link DefaultMeterObservationHandler} on a
 * {@link PrometheusMeterRegistry} (the Actuator's set-up);</li>
 * <li>{@code reactiveChainAlone}, {@code reactiveWorkerExporter…}: the same for
 * {@link RequestMetricsWebFilter} on a new {@link MockServerWebExchange} per request (in
 * the baseline too: what the filter adds is the difference, within the noise of building
 * the exchange; {@link ReactiveFilterBenchmark} resolves it on a reused exchange);</li>
 * <li>{@code recordRouteLabels}: {@link RequestMetrics#record} alone with route labels.
 * </li>
 * </ul>
 * What a filter adds is its figure minus its chain alone, in ns/op and in
 * {@code gc.alloc.rate.norm} (B/op, {@code -prof gc}).
 *
 * @author Worker Exporter
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FilterBenchmark {

    static final byte[] BODY = "{\"id\":42,\"name\":\"user 42\"}".getBytes(StandardCharsets.UTF_8);

    static final String PATTERN_ATTRIBUTE = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

    /**
     * A servlet request and response, reused, and the filters.
     */
    @State(Scope.Thread)
    public static class Servlet {

        final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/users/42");

        final MockHttpServletResponse response = new MockHttpServletResponse();

        final FilterChain chain = (request, response) -> {
            response.setContentType("application/json");
            response.getOutputStream().write(BODY);
        };

        final RequestMetricsFilter workerExporter = new RequestMetricsFilter(
                new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000), new WorkerLifecycle());

        final RequestMetricsFilter workerExporterRouteLabels = new RequestMetricsFilter(
                new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000, RouteLabels.STATUS_CODE,
                        List.of()),
                new WorkerLifecycle());

        final ServerHttpObservationFilter springObservation;

        public Servlet() {
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig()
                .observationHandler(
                        new DefaultMeterObservationHandler(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
            this.springObservation = new ServerHttpObservationFilter(registry);
            // Set by Spring MVC's handler mapping inside the chain; the same string each
            // time.
            this.request.setAttribute(PATTERN_ATTRIBUTE, "/users/{id}");
        }

        MockHttpServletResponse done() {
            // Drop the body written, in every variant alike, so that the buffer stays
            // small.
            this.response.resetBuffer();
            return this.response;
        }

    }

    /**
     * The WebFlux filters and a chain that writes the body.
     */
    @State(Scope.Thread)
    public static class Reactive {

        final DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;

        final Object pattern = PathPatternParser.defaultInstance.parse("/users/{id}");

        final WebFilterChain chain = (exchange) -> {
            exchange.getAttributes()
                .put(org.springframework.web.reactive.HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, this.pattern);
            return exchange.getResponse().writeWith(Mono.just(this.buffers.wrap(BODY)));
        };

        final RequestMetricsWebFilter workerExporter = new RequestMetricsWebFilter(
                new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000), new WorkerLifecycle());

        final RequestMetricsWebFilter workerExporterRouteLabels = new RequestMetricsWebFilter(
                new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000, RouteLabels.STATUS_CODE,
                        List.of()),
                new WorkerLifecycle());

        ServerWebExchange exchange() {
            return MockServerWebExchange.from(MockServerHttpRequest.get("/users/42"));
        }

    }

    /**
     * Route-labelled request families, and a request's values in fields.
     */
    @State(Scope.Thread)
    public static class Recording {

        final RequestMetrics metrics = new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000,
                RouteLabels.STATUS_CODE, List.of());

        String method = "GET";

        String endpoint = "/users/{id}";

        int status = 200;

        long durationNanos = 1_250_000L;

        long responseBytes = 27L;

    }

    @Benchmark
    public MockHttpServletResponse servletChainAlone(Servlet state) throws IOException, ServletException {
        state.chain.doFilter(state.request, state.response);
        return state.done();
    }

    @Benchmark
    public MockHttpServletResponse servletWorkerExporter(Servlet state) throws IOException, ServletException {
        state.workerExporter.doFilter(state.request, state.response, state.chain);
        return state.done();
    }

    @Benchmark
    public MockHttpServletResponse servletWorkerExporterRouteLabels(Servlet state)
            throws IOException, ServletException {
        state.workerExporterRouteLabels.doFilter(state.request, state.response, state.chain);
        return state.done();
    }

    @Benchmark
    public MockHttpServletResponse servletSpringObservation(Servlet state) throws IOException, ServletException {
        state.springObservation.doFilter(state.request, state.response, state.chain);
        return state.done();
    }

    @Benchmark
    public Object reactiveChainAlone(Reactive state) {
        return state.chain.filter(state.exchange()).block();
    }

    @Benchmark
    public Object reactiveWorkerExporter(Reactive state) {
        return state.workerExporter.filter(state.exchange(), state.chain).block();
    }

    @Benchmark
    public Object reactiveWorkerExporterRouteLabels(Reactive state) {
        return state.workerExporterRouteLabels.filter(state.exchange(), state.chain).block();
    }

    @Benchmark
    public void recordRouteLabels(Recording state) {
        state.metrics.record(state.method, state.endpoint, state.status, state.durationNanos, 0, state.responseBytes,
                null);
    }

}
