package io.github.workerexporter.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import io.github.workerexporter.metrics.HistogramSettings;
import io.github.workerexporter.metrics.RequestExemplars;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.RequestMetrics.RouteLabels;

import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerHttpObservationDocumentation;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The cost of recording one finished request on the request thread, on one thread and on
 * two threads sharing the same data points (contention), next to what Spring's own HTTP
 * server observation costs for the same request.
 * <ul>
 * <li>{@code record*}: {@link RequestMetrics#record} of {@code GET /users/{id}} with
 * status 200: the request counter and the duration, request size and response size
 * histograms of this worker. Target: 0 B/op ({@code -prof gc},
 * {@code gc.alloc.rate.norm}) and at most 200 ns/op.</li>
 * <li>{@code recordRouteLabels}: the same with route labels
 * ({@code exporter.metrics.route-labels=status-code}): the label set is looked up, then
 * the counter and the three histograms of that label set are recorded. Target: at most 40
 * ns and 0 B/op on one thread.</li>
 * <li>{@code recordTwoThreadsUnshared}: two threads, each with data points of its own, so
 * nothing is shared: the same figure as {@code recordTwoThreads} means no contention.
 * </li>
 * <li>{@code recordServerError}: the same request answered 503, which also increments
 * {@code _worker_failed_requests_total{error_type="HTTP_503"}}.</li>
 * <li>{@code springObservation*}: what Spring MVC's {@code ServerHttpObservationFilter}
 * does for {@code http.server.requests}: a new {@link ServerRequestObservationContext},
 * an {@link Observation} with the {@link DefaultServerRequestObservationConvention},
 * start, scope, path pattern, stop, over a {@link DefaultMeterObservationHandler} on a
 * {@link PrometheusMeterRegistry} (the Actuator's set-up). The servlet request and
 * response are reused, as the server creates them anyway.</li>
 * </ul>
 *
 * @author Worker Exporter
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RequestBenchmark {

    /**
     * Worker Exporter's request families on their own registry, and a request's values in
     * fields so that the JIT cannot fold them.
     */
    @State(Scope.Benchmark)
    public static class WorkerExporter {

        final RequestMetrics metrics = metrics();

        String method = "GET";

        String endpoint = "/users/{id}";

        int ok = 200;

        int unavailable = 503;

        long durationNanos = 1_250_000L;

        long requestBytes = 0L;

        long responseBytes = 27L;

        RequestMetrics metrics() {
            return new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000);
        }

    }

    /**
     * The same with native histograms ({@code exporter.metrics.histograms=native},
     * client_java's defaults).
     */
    @State(Scope.Benchmark)
    public static class WorkerExporterNative extends WorkerExporter {

        @Override
        RequestMetrics metrics() {
            return new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000, RouteLabels.OFF,
                    List.of(), RequestExemplars.NONE,
                    new HistogramSettings(HistogramSettings.Kind.NATIVE, 5, 0x1p-128, 160));
        }

    }

    /**
     * The same with route labels ({@code method}, {@code endpoint}, {@code status}).
     */
    @State(Scope.Benchmark)
    public static class WorkerExporterRouteLabels extends WorkerExporter {

        @Override
        RequestMetrics metrics() {
            return new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000,
                    RouteLabels.STATUS_CODE, List.of());
        }

    }

    /**
     * The same, one per benchmark thread: nothing shared, the baseline that
     * {@code recordTwoThreads} is compared with to tell contention from the machine's
     * noise.
     */
    @State(Scope.Thread)
    public static class WorkerExporterPerThread extends WorkerExporter {

    }

    /**
     * Spring's server observation over the Actuator's meter handler.
     */
    @State(Scope.Benchmark)
    public static class SpringObservation {

        final DefaultServerRequestObservationConvention convention = new DefaultServerRequestObservationConvention();

        final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        final ObservationRegistry registry = ObservationRegistry.create();

        final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/users/42");

        final MockHttpServletResponse response = new MockHttpServletResponse();

        String pathPattern = "/users/{id}";

        public SpringObservation() {
            this.registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(this.meters));
            this.response.setStatus(200);
            this.response.setContentLength(27);
        }

    }

    @Benchmark
    @Threads(1)
    public void record(WorkerExporter state) {
        record(state, state.ok);
    }

    @Benchmark
    @Threads(2)
    public void recordTwoThreads(WorkerExporter state) {
        record(state, state.ok);
    }

    @Benchmark
    @Threads(1)
    public void recordRouteLabels(WorkerExporterRouteLabels state) {
        record(state, state.ok);
    }

    @Benchmark
    @Threads(2)
    public void recordRouteLabelsTwoThreads(WorkerExporterRouteLabels state) {
        record(state, state.ok);
    }

    @Benchmark
    @Threads(2)
    public void recordNativeTwoThreads(WorkerExporterNative state) {
        record(state, state.ok);
    }

    @Benchmark
    @Threads(2)
    public void recordTwoThreadsUnshared(WorkerExporterPerThread state) {
        record(state, state.ok);
    }

    @Benchmark
    @Threads(1)
    public void recordServerError(WorkerExporter state) {
        record(state, state.unavailable);
    }

    @Benchmark
    @Threads(1)
    public Observation springObservation(SpringObservation state) {
        return observe(state);
    }

    @Benchmark
    @Threads(2)
    public Observation springObservationTwoThreads(SpringObservation state) {
        return observe(state);
    }

    private static void record(WorkerExporter state, int status) {
        state.metrics.record(state.method, state.endpoint, status, state.durationNanos, state.requestBytes,
                state.responseBytes, null);
    }

    private static Observation observe(SpringObservation state) {
        ServerRequestObservationContext context = new ServerRequestObservationContext(state.request, state.response);
        Observation observation = ServerHttpObservationDocumentation.HTTP_SERVLET_SERVER_REQUESTS
            .observation(null, state.convention, () -> context, state.registry)
            .start();
        Observation.Scope scope = observation.openScope();
        try {
            // The handler mapping sets the pattern while the filter's scope is open.
            context.setPathPattern(state.pathPattern);
        }
        finally {
            scope.close();
        }
        observation.stop();
        return observation;
    }

}
