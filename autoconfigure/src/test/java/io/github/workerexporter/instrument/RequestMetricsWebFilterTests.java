package io.github.workerexporter.instrument;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.metrics.RequestMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link RequestMetricsWebFilter} around chains that complete, fail, are cancelled and
 * write bodies of known sizes, on spring-test's exchange: each signal recorded once, and
 * the exchange out of flight after it.
 *
 * @author Worker Exporter
 */
class RequestMetricsWebFilterTests {

    private static final String REQUESTS = "gunicorn_worker_requests_total{worker_id=\"w1\"}";

    private static final String IN_FLIGHT = "gunicorn_worker_requests_in_flight{worker_id=\"w1\"}";

    private static final String RESPONSE_SUM = "gunicorn_worker_response_size_bytes_sum{worker_id=\"w1\"}";

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final WorkerLifecycle lifecycle = new WorkerLifecycle();

    private final RequestMetricsWebFilter filter = new RequestMetricsWebFilter(
            new RequestMetrics(this.registry, "gunicorn", "w1", 100), this.lifecycle);

    @Test
    void recordsACancelledExchangeOnceAndTakesItOutOfFlight() {
        Sinks.Empty<Void> handler = Sinks.empty();
        Disposable subscription = this.filter.filter(exchange(), (exchange) -> handler.asMono()).subscribe();
        assertThat(scrape().value(IN_FLIGHT)).isEqualTo(1);
        subscription.dispose();
        subscription.dispose();
        handler.tryEmitEmpty();
        RequestExposition after = scrape();
        assertThat(after.value(REQUESTS)).isEqualTo(1);
        assertThat(after.value(IN_FLIGHT)).isZero();
    }

    @Test
    void recordsAnErrorSignalAsFailedOnceAndPassesItOn() {
        Mono<Void> filtered = this.filter.filter(exchange(),
                (exchange) -> Mono.error(new IllegalStateException("escaped")));
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(filtered::block);
        RequestExposition after = scrape();
        assertThat(after.value(REQUESTS)).isEqualTo(1);
        assertThat(after.value(IN_FLIGHT)).isZero();
        assertThat(after.value("gunicorn_worker_failed_requests_total{endpoint=\"UNMATCHED\","
                + "error_type=\"IllegalStateException\",method=\"GET\",worker_id=\"w1\"}"))
            .isEqualTo(1);
    }

    @Test
    void recordsAnErrorResponseSignalAsHandled() {
        Mono<Void> filtered = this.filter.filter(exchange(),
                (exchange) -> Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND)));
        assertThatExceptionOfType(ResponseStatusException.class).isThrownBy(filtered::block);
        RequestExposition after = scrape();
        assertThat(after.value("gunicorn_worker_error_handling_total{endpoint=\"UNMATCHED\","
                + "error_type=\"ResponseStatusException\",method=\"GET\",worker_id=\"w1\"}"))
            .isEqualTo(1);
        assertThat(after.series("gunicorn_worker_failed_requests_total")).isEmpty();
    }

    @Test
    void notesAnOutOfMemoryErrorThrownWhileTheChainIsSubscribedTo() {
        Mono<Void> filtered = this.filter.filter(exchange(), (exchange) -> Mono.fromRunnable(() -> {
            throw new OutOfMemoryError("thrown by the test");
        }));
        assertThatExceptionOfType(OutOfMemoryError.class).isThrownBy(filtered::block);
        assertThat(this.lifecycle.stopReason()).isEqualTo(StopReason.OOM);
        assertRecordedOnceAsFailedBy("OutOfMemoryError");
    }

    @Test
    void recordsAChainThatThrowsAsItIsBuiltAsFailedOnce() {
        assertThatExceptionOfType(StackOverflowError.class)
            .isThrownBy(() -> this.filter.filter(exchange(), (exchange) -> {
                throw new StackOverflowError("thrown by the test");
            }));
        assertRecordedOnceAsFailedBy("StackOverflowError");
        assertThat(this.lifecycle.stopReason()).isNull();
    }

    @Test
    void recordsAnExchangeWhoseSubscriberThrowsOnCompletionOnce() {
        Mono<Void> filtered = this.filter.filter(exchange(), (exchange) -> Mono.empty());
        assertThatExceptionOfType(OutOfMemoryError.class)
            .isThrownBy(() -> filtered.subscribe(new ThrowingSubscriber()));
        RequestExposition after = scrape();
        assertThat(after.value(REQUESTS)).isEqualTo(1);
        assertThat(after.value(IN_FLIGHT)).isZero();
    }

    @Test
    void measuresABodyOfOneBufferWrittenAsItIs() {
        write((exchange) -> exchange.getResponse().writeWith(Mono.just(buffer(3000))));
        assertThat(scrape().value(RESPONSE_SUM)).isEqualTo(3000);
    }

    @Test
    void measuresABodyOfOneBufferWrittenLater() {
        write((exchange) -> exchange.getResponse().writeWith(Mono.fromSupplier(() -> buffer(3000))));
        RequestExposition after = scrape();
        assertThat(after.value(RESPONSE_SUM)).isEqualTo(3000);
        assertThat(after.value("gunicorn_worker_response_size_bytes_bucket{worker_id=\"w1\",le=\"1024.0\"}")).isZero();
        assertThat(after.value("gunicorn_worker_response_size_bytes_bucket{worker_id=\"w1\",le=\"4096.0\"}"))
            .isEqualTo(1);
    }

    @Test
    void measuresAStreamedBody() {
        write((exchange) -> exchange.getResponse().writeWith(Flux.range(0, 5).map((i) -> buffer(1000))));
        assertThat(scrape().value(RESPONSE_SUM)).isEqualTo(5000);
    }

    @Test
    void measuresABodyWrittenThroughAnExchangeMutatedDownstream() {
        write((exchange) -> exchange.mutate()
            .request((request) -> request.header("X-Mutated", "yes"))
            .build()
            .getResponse()
            .writeWith(Mono.just(buffer(700))));
        assertThat(scrape().value(RESPONSE_SUM)).isEqualTo(700);
    }

    @Test
    void measuresABodyThatCompletesEmptyAsNoBytes() {
        this.filter.filter(exchange(), (exchange) -> exchange.getResponse().writeWith(Mono.empty())).block();
        this.filter.filter(exchange(), (exchange) -> exchange.getResponse().writeWith(Flux.empty())).block();
        RequestExposition after = scrape();
        assertThat(after.value(REQUESTS)).isEqualTo(2);
        assertThat(after.value(RESPONSE_SUM)).isZero();
    }

    @Test
    void measuresABodyStreamedOnAnotherThread() {
        this.filter
            .filter(exchange(),
                    (exchange) -> exchange.getResponse()
                        .writeWith(Flux.range(0, 5).map((i) -> buffer(1000)).publishOn(Schedulers.parallel())))
            .block();
        // The exchange is recorded on the body's thread once the completion went on.
        await().atMost(Duration.ofSeconds(30)).until(() -> scrape().value(REQUESTS) == 1);
        assertThat(scrape().value(RESPONSE_SUM)).isEqualTo(5000);
    }

    @Test
    void recordsAnExchangeCancelledWhileItsBodyIsWrittenOnceWithTheBytesWrittenSoFar() {
        Sinks.Many<DataBuffer> body = Sinks.many().unicast().onBackpressureBuffer();
        Disposable subscription = this.filter
            .filter(exchange(), (exchange) -> exchange.getResponse().writeWith(body.asFlux()))
            .subscribe();
        body.tryEmitNext(buffer(500));
        assertThat(scrape().value(IN_FLIGHT)).isEqualTo(1);
        subscription.dispose();
        body.tryEmitNext(buffer(500));
        RequestExposition after = scrape();
        assertThat(after.value(REQUESTS)).isEqualTo(1);
        assertThat(after.value(IN_FLIGHT)).isZero();
        assertThat(after.value(RESPONSE_SUM)).isEqualTo(500);
    }

    @Test
    void recordsAnExchangeWhoseResponseIsCommittedTwiceOnce() {
        write((exchange) -> exchange.getResponse()
            .writeWith(Mono.just(buffer(700)))
            .then(exchange.getResponse().setComplete())
            .then(exchange.getResponse().setComplete()));
        RequestExposition after = scrape();
        assertThat(after.value(REQUESTS)).isEqualTo(1);
        assertThat(after.value(IN_FLIGHT)).isZero();
        assertThat(after.value(RESPONSE_SUM)).isEqualTo(700);
    }

    @Test
    void recordsAChainWhoseMonoThrowsAsItIsSubscribedToAsFailedOnce() {
        Mono<Void> filtered = this.filter.filter(exchange(), (exchange) -> new Mono<Void>() {

            @Override
            public void subscribe(CoreSubscriber<? super Void> actual) {
                throw new IllegalStateException("thrown by the test");
            }

        });
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(filtered::block);
        assertRecordedOnceAsFailedBy("IllegalStateException");
    }

    @Test
    void recordsAChainThatThrowsARuntimeExceptionAsItIsBuiltAsFailedOnce() {
        assertThatExceptionOfType(IllegalStateException.class)
            .isThrownBy(() -> this.filter.filter(exchange(), (exchange) -> {
                throw new IllegalStateException("thrown by the test");
            }));
        assertRecordedOnceAsFailedBy("IllegalStateException");
    }

    @Test
    void measuresTheRequestBodyTheApplicationReads() {
        MockServerWebExchange exchange = MockServerWebExchange
            .from(MockServerHttpRequest.post("/echo").body("b".repeat(1500)));
        this.filter
            .filter(exchange,
                    (counted) -> DataBufferUtils.join(counted.getRequest().getBody())
                        .doOnNext(DataBufferUtils::release)
                        .then())
            .block();
        assertThat(scrape().value("gunicorn_worker_request_size_bytes_sum{worker_id=\"w1\"}")).isEqualTo(1500);
    }

    @Test
    void passesTheSubscribersContextToTheChain() {
        AtomicReference<String> seen = new AtomicReference<>();
        this.filter.filter(exchange(), (exchange) -> Mono.deferContextual((context) -> {
            seen.set(context.get("tenant"));
            return Mono.<Void>empty();
        })).contextWrite(Context.of("tenant", "t1")).block();
        assertThat(seen).hasValue("t1");
    }

    private void assertRecordedOnceAsFailedBy(String errorType) {
        RequestExposition after = scrape();
        assertThat(after.value(REQUESTS)).isEqualTo(1);
        assertThat(after.value(IN_FLIGHT)).isZero();
        assertThat(after.value("gunicorn_worker_failed_requests_total{endpoint=\"UNMATCHED\",error_type=\"" + errorType
                + "\",method=\"GET\",worker_id=\"w1\"}"))
            .isEqualTo(1);
    }

    private void write(WebFilterChain chain) {
        this.filter.filter(exchange(), chain).block();
        assertThat(scrape().value(REQUESTS)).isEqualTo(1);
    }

    private static ServerWebExchange exchange() {
        return MockServerWebExchange.from(MockServerHttpRequest.get("/users/42"));
    }

    private static DataBuffer buffer(int size) {
        return DefaultDataBufferFactory.sharedInstance.wrap("x".repeat(size).getBytes(StandardCharsets.US_ASCII));
    }

    private RequestExposition scrape() {
        return RequestExposition.scrape(this.registry);
    }

    /**
     * A subscriber that throws as it takes the completion, as a server's may when an
     * error fatal to the JVM happens there.
     */
    private static final class ThrowingSubscriber implements CoreSubscriber<Void> {

        @Override
        public void onSubscribe(Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Void value) {
        }

        @Override
        public void onError(Throwable error) {
        }

        @Override
        public void onComplete() {
            throw new OutOfMemoryError("thrown by the test");
        }

    }

}
