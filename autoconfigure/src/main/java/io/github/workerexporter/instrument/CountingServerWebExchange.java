package io.github.workerexporter.instrument;

import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;

/**
 * One exchange as {@link RequestMetricsWebFilter} records it: when it started, the body
 * bytes the application read and wrote, and the error that escaped the chain. The request
 * is decorated on first use, the response at once; an exchange mutated downstream keeps
 * both, since it delegates to this one.
 *
 * @author Worker Exporter
 */
final class CountingServerWebExchange extends ServerWebExchangeDecorator {

    private final RequestMetricsWebFilter filter;

    private final CountingServerResponse response;

    private final long start;

    /**
     * Set by the first {@link #getRequest()}; the calls of one exchange are serial, like
     * its signals.
     */
    private @Nullable CountingServerRequest request;

    private @Nullable Throwable error;

    CountingServerWebExchange(ServerWebExchange delegate, RequestMetricsWebFilter filter, long start) {
        super(delegate);
        this.filter = filter;
        this.response = new CountingServerResponse(delegate.getResponse());
        this.start = start;
    }

    @Override
    public ServerHttpRequest getRequest() {
        CountingServerRequest request = this.request;
        if (request == null) {
            request = new CountingServerRequest(getDelegate().getRequest());
            this.request = request;
        }
        return request;
    }

    @Override
    public CountingServerResponse getResponse() {
        return this.response;
    }

    long start() {
        return this.start;
    }

    long requestBytes() {
        CountingServerRequest request = this.request;
        return (request != null) ? request.bytesRead() : 0;
    }

    @Nullable Throwable error() {
        return this.error;
    }

    /**
     * Note an error that escaped the chain, or was thrown while it was subscribed to.
     * @param error the error
     */
    void failed(Throwable error) {
        this.error = error;
        this.filter.thrown(error);
    }

    /**
     * Record this exchange as its chain ended.
     * @param subscriber the exchange's subscriber, whose context is read only when
     * exemplars are taken
     */
    void record(CoreSubscriber<?> subscriber) {
        this.filter.record(this, subscriber);
    }

}
