package io.github.workerexporter.instrument;

import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.RequestQueueTime;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.ErrorResponse;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;

/**
 * WebFlux filter that records every exchange once in {@link RequestMetrics}, when the
 * filter chain completes, fails or is cancelled.
 * <p>
 * An error that reaches this filter escaped the application. An {@link ErrorResponse}
 * (such as {@code ResponseStatusException}) is an error the framework turns into its own
 * status: it counts as handled, and as failed when that status is 5xx. Any other error
 * counts as failed. Errors resolved by {@code @ExceptionHandler} methods are noted by
 * {@link HandledExceptionResultHandler}. Response bytes written by a
 * {@code WebExceptionHandler} after the chain failed are not counted. An
 * {@link OutOfMemoryError} that escapes the application notes the stop reason {@code oom}
 * in the {@link WorkerLifecycle}. When exemplars are taken, the exchange is recorded with
 * the thread locals of its Reactor context set (see {@link ContextThreadLocals}), so that
 * the span current in the exchange is the exemplar's, whether or not Reactor propagates
 * thread locals itself.
 * <p>
 * The exchange is in flight from this filter until it is recorded, also when an error is
 * thrown instead of signalled (a chain that throws as it is built, an error fatal to the
 * JVM thrown while it is subscribed to): such an exchange is recorded as failed at once.
 * With request queue time on, the first request start header present is read as the
 * exchange reaches this filter.
 *
 * @author Worker Exporter
 */
public final class RequestMetricsWebFilter implements WebFilter, Ordered {

    private final RequestMetrics metrics;

    private final WorkerLifecycle lifecycle;

    /**
     * Whether the thread locals of the exchange's Reactor context are set while it is
     * recorded: when exemplars are taken and context-propagation is present.
     */
    private final boolean contextThreadLocals;

    /**
     * Create a filter.
     * @param metrics where exchanges are recorded
     * @param lifecycle where an {@link OutOfMemoryError} is noted
     */
    public RequestMetricsWebFilter(RequestMetrics metrics, WorkerLifecycle lifecycle) {
        this.metrics = metrics;
        this.lifecycle = lifecycle;
        this.contextThreadLocals = metrics.exemplars()
                && ContextThreadLocals.present(RequestMetricsWebFilter.class.getClassLoader());
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long start = System.nanoTime();
        RequestQueueTime queueTime = this.metrics.queueTime();
        if (queueTime != null) {
            queueTime.record(firstHeader(exchange.getRequest().getHeaders(), queueTime.headers()));
        }
        this.metrics.started();
        CountingServerWebExchange counted = new CountingServerWebExchange(exchange, this, start);
        Mono<Void> filtered;
        try {
            filtered = chain.filter(counted);
        }
        catch (RuntimeException | Error ex) {
            counted.failed(ex);
            record(counted);
            throw ex;
        }
        return RecordingMono.of(filtered, counted);
    }

    void thrown(Throwable error) {
        this.lifecycle.thrown(error);
    }

    /**
     * Record an exchange as its chain ended, with the thread locals of its subscriber's
     * context set when exemplars are taken: the tracer's current span lives there. The
     * context is not looked up otherwise.
     * @param exchange the exchange
     * @param subscriber the exchange's subscriber
     */
    void record(CountingServerWebExchange exchange, CoreSubscriber<?> subscriber) {
        if (this.contextThreadLocals) {
            ContextView context = subscriber.currentContext();
            if (!context.isEmpty()) {
                ContextThreadLocals.record(this, exchange, context);
                return;
            }
        }
        record(exchange);
    }

    void record(CountingServerWebExchange exchange) {
        this.metrics.finished();
        ServerWebExchange original = exchange.getDelegate();
        String method = original.getRequest().getMethod().name();
        String endpoint = endpoint(exchange);
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        Throwable error = exchange.error();
        Throwable unhandled = error;
        String handled = HandledExceptionResultHandler.handled(exchange);
        if (error instanceof ErrorResponse errorResponse) {
            handled = error.getClass().getSimpleName();
            status = errorResponse.getStatusCode();
            unhandled = null;
        }
        if (handled != null) {
            this.metrics.recordHandled(method, endpoint, handled);
        }
        this.metrics.record(method, endpoint, (status != null) ? status.value() : 200,
                System.nanoTime() - exchange.start(), exchange.requestBytes(), exchange.getResponse().bytesWritten(),
                unhandled);
    }

    private static @Nullable String firstHeader(HttpHeaders headers, String[] names) {
        for (String name : names) {
            String value = headers.getFirst(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String endpoint(ServerWebExchange exchange) {
        PathPattern pattern = exchange.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        return (pattern != null) ? pattern.getPatternString() : RequestMetrics.UNMATCHED;
    }

}
