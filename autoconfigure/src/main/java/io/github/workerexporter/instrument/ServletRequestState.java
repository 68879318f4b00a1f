package io.github.workerexporter.instrument;

import io.github.workerexporter.metrics.RequestMetrics;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.web.servlet.HandlerMapping;

/**
 * What is known about one servlet request, from its first dispatch to its completion.
 * Recorded once: at the end of the original dispatch, or on async completion.
 *
 * @author Worker Exporter
 */
final class ServletRequestState implements AsyncListener {

    private final RequestMetrics metrics;

    private final long start = System.nanoTime();

    private final CountingRequest request;

    private final CountingResponse response;

    private @Nullable Throwable unhandled;

    private boolean recorded;

    ServletRequestState(RequestMetrics metrics, HttpServletRequest request, HttpServletResponse response) {
        this.metrics = metrics;
        this.request = new CountingRequest(request);
        this.response = new CountingResponse(response);
    }

    CountingRequest request() {
        return this.request;
    }

    CountingResponse response() {
        return this.response;
    }

    void failed(Throwable ex) {
        this.unhandled = ex;
    }

    synchronized void record() {
        if (this.recorded) {
            return;
        }
        this.recorded = true;
        String method = this.request.getMethod();
        String endpoint = endpoint(this.request);
        Throwable handled = HandledExceptionRecorder.handled(this.request);
        if (handled != null && this.unhandled == null) {
            this.metrics.recordHandled(method, endpoint, handled.getClass().getSimpleName());
        }
        this.metrics.record(method, endpoint, this.response.getStatus(), System.nanoTime() - this.start,
                this.request.bytesRead(), this.response.bytesWritten(), this.unhandled);
    }

    private static String endpoint(HttpServletRequest request) {
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        return (pattern != null) ? pattern.toString() : RequestMetrics.UNMATCHED;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        record();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
    }

    @Override
    public void onError(AsyncEvent event) {
        if (this.unhandled == null && event.getThrowable() != null) {
            this.unhandled = event.getThrowable();
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this);
    }

}
