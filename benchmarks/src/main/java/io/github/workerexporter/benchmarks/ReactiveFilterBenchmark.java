package io.github.workerexporter.benchmarks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.workerexporter.instrument.RequestMetricsWebFilter;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.RequestMetrics.RouteLabels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * {@link RequestMetricsWebFilter}'s whole per-exchange path with as little around it as
 * WebFlux allows, so that what the filter adds is resolvable: {@link FilterBenchmark}'s
 * reactive figures build a {@code MockServerWebExchange} per request, whose cost and
 * noise (some µs) hide the filter's. Here one exchange is built once and reused (its
 * attributes cleared and its response reset per request: what a server does anyway is not
 * measured), the chain puts the route pattern and writes one prepared 27-byte buffer, the
 * response subscribes to the body as a server does, and the chain is subscribed to by one
 * reused subscriber instead of {@code block()}:
 * <ul>
 * <li>{@code chainAlone}: the chain, the baseline;</li>
 * <li>{@code workerExporter}, {@code workerExporterRouteLabels}: the filter around it,
 * without and with route labels.</li>
 * </ul>
 * What the filter adds is its figure minus {@code chainAlone}, in ns/op and (with
 * {@code -prof gc}, or exactly with {@link FilterAllocations}) in B/op.
 *
 * @author Worker Exporter
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ReactiveFilterBenchmark {

    /**
     * One reused exchange, the filters and the chain.
     */
    @State(Scope.Thread)
    public static class Exchange {

        final ReusedExchange exchange = new ReusedExchange();

        final PathPattern pattern = PathPatternParser.defaultInstance.parse("/users/{id}");

        final Mono<DataBuffer> body = Mono.just(DefaultDataBufferFactory.sharedInstance.wrap(FilterBenchmark.BODY));

        final WebFilterChain chain = (exchange) -> {
            exchange.getAttributes().put(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, this.pattern);
            return exchange.getResponse().writeWith(this.body);
        };

        final RequestMetricsWebFilter workerExporter = new RequestMetricsWebFilter(
                new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000), new WorkerLifecycle());

        final RequestMetricsWebFilter workerExporterRouteLabels = new RequestMetricsWebFilter(
                new RequestMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", 1000, RouteLabels.STATUS_CODE,
                        List.of()),
                new WorkerLifecycle());

        final Completion completion = new Completion();

        ServerWebExchange next() {
            this.exchange.reset();
            return this.exchange;
        }

        long done(Mono<Void> filtered) {
            filtered.subscribe(this.completion);
            return this.completion.completed;
        }

    }

    @Benchmark
    public long chainAlone(Exchange state) {
        return state.done(state.chain.filter(state.next()));
    }

    @Benchmark
    public long workerExporter(Exchange state) {
        return state.done(state.workerExporter.filter(state.next(), state.chain));
    }

    @Benchmark
    public long workerExporterRouteLabels(Exchange state) {
        return state.done(state.workerExporterRouteLabels.filter(state.next(), state.chain));
    }

    /**
     * A subscriber that takes every signal of a chain that completes as it is subscribed
     * to, one chain after the other, and counts the completions.
     */
    static final class Completion implements CoreSubscriber<Void> {

        long completed;

        @Override
        public void onSubscribe(Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Void value) {
        }

        @Override
        public void onError(Throwable error) {
            throw new IllegalStateException("The chain failed", error);
        }

        @Override
        public void onComplete() {
            this.completed++;
        }

    }

    /**
     * An exchange built once: its request is spring-test's (immutable), its attributes
     * and its response are its own and reset per request.
     */
    static final class ReusedExchange extends ServerWebExchangeDecorator {

        private final Map<String, Object> attributes = new HashMap<>();

        private final ReusedResponse response = new ReusedResponse();

        ReusedExchange() {
            super(MockServerWebExchange.from(MockServerHttpRequest.get("/users/42")));
        }

        void reset() {
            this.attributes.clear();
            this.response.reset();
        }

        @Override
        public Map<String, Object> getAttributes() {
            return this.attributes;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> @Nullable T getAttribute(String name) {
            return (T) this.attributes.get(name);
        }

        @Override
        public ServerHttpResponse getResponse() {
            return this.response;
        }

    }

    /**
     * A response that takes a body as a server does, subscribing to it and releasing
     * nothing (the benchmark's buffer is reused), and can be reset.
     */
    static final class ReusedResponse implements ServerHttpResponse {

        private final HttpHeaders headers = new HttpHeaders();

        private final MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();

        private @Nullable HttpStatusCode status;

        private boolean committed;

        private long written;

        void reset() {
            this.status = null;
            this.committed = false;
        }

        @Override
        public boolean setStatusCode(@Nullable HttpStatusCode status) {
            this.status = status;
            return !this.committed;
        }

        @Override
        public @Nullable HttpStatusCode getStatusCode() {
            return this.status;
        }

        @Override
        public MultiValueMap<String, ResponseCookie> getCookies() {
            return this.cookies;
        }

        @Override
        public void addCookie(ResponseCookie cookie) {
            this.cookies.add(cookie.getName(), cookie);
        }

        @Override
        public DataBufferFactory bufferFactory() {
            return DefaultDataBufferFactory.sharedInstance;
        }

        @Override
        public void beforeCommit(Supplier<? extends Mono<Void>> action) {
        }

        @Override
        public boolean isCommitted() {
            return this.committed;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            this.committed = true;
            return Flux.from(body).doOnNext(this::write).then();
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return writeWith(Flux.from(body).concatMap((buffers) -> buffers));
        }

        @Override
        public Mono<Void> setComplete() {
            this.committed = true;
            return Mono.empty();
        }

        @Override
        public HttpHeaders getHeaders() {
            return this.headers;
        }

        private void write(DataBuffer buffer) {
            this.written += buffer.readableByteCount();
        }

    }

}
