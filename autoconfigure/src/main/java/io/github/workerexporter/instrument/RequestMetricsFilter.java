package io.github.workerexporter.instrument;

import java.io.IOException;

import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.RequestQueueTime;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

/**
 * Servlet filter that records every request once in {@link RequestMetrics}. Register it
 * first, for the REQUEST, ASYNC and ERROR dispatches: only the original REQUEST dispatch
 * records (at its end, or on async completion); later dispatches only note an exception
 * that escapes them.
 * <p>
 * Request size is the bytes read from the request's input stream; when the application
 * never opened it (form parameters, a reader, an ignored body) it is the Content-Length,
 * or 0. Response size is the bytes written through the response's output stream or
 * writer, streaming and async responses included. An error page that the container
 * renders after an exception escaped the filter is not counted. An
 * {@link OutOfMemoryError} that escapes the application notes the stop reason {@code oom}
 * in the {@link WorkerLifecycle}.
 * <p>
 * The request is in flight from the start of its first dispatch to its recording. With
 * request queue time on, the first request start header present is read as the request
 * reaches this filter. The endpoint is the route template of the framework that matched
 * (see {@link ServletRoutes}), so every servlet application is measured, Spring MVC,
 * Jersey or plain servlets.
 *
 * @author Worker Exporter
 */
public final class RequestMetricsFilter implements Filter {

    private static final String STATE_ATTRIBUTE = RequestMetricsFilter.class.getName() + ".STATE";

    private final RequestMetrics metrics;

    private final WorkerLifecycle lifecycle;

    /**
     * Create a filter.
     * @param metrics where requests are recorded
     * @param lifecycle where an {@link OutOfMemoryError} is noted
     */
    public RequestMetricsFilter(RequestMetrics metrics, WorkerLifecycle lifecycle) {
        this.metrics = metrics;
        this.lifecycle = lifecycle;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getDispatcherType() != DispatcherType.REQUEST
                || !(request instanceof HttpServletRequest httpRequest)
                || !(response instanceof HttpServletResponse httpResponse)) {
            laterDispatch(request, response, chain);
            return;
        }
        RequestQueueTime queueTime = this.metrics.queueTime();
        if (queueTime != null) {
            queueTime.record(firstHeader(httpRequest, queueTime.headers()));
        }
        ServletRequestState state = new ServletRequestState(this.metrics, httpRequest, httpResponse);
        try {
            chain.doFilter(state, state.response());
        }
        catch (IOException | ServletException | RuntimeException | Error ex) {
            this.lifecycle.thrown(ex);
            state.failed(unwrap(ex));
            throw ex;
        }
        finally {
            if (request.isAsyncStarted()) {
                // Later dispatches start once this one returned: they find the state
                // here.
                request.setAttribute(STATE_ATTRIBUTE, state);
                request.getAsyncContext().addListener(state);
            }
            else {
                state.record();
            }
        }
    }

    private void laterDispatch(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        }
        catch (IOException | ServletException | RuntimeException | Error ex) {
            this.lifecycle.thrown(ex);
            if (request.getDispatcherType() == DispatcherType.ASYNC
                    && request.getAttribute(STATE_ATTRIBUTE) instanceof ServletRequestState state) {
                state.failed(unwrap(ex));
            }
            throw ex;
        }
    }

    private static @Nullable String firstHeader(HttpServletRequest request, String[] names) {
        for (String name : names) {
            String value = request.getHeader(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static Throwable unwrap(Throwable ex) {
        return (ex instanceof ServletException && ex.getCause() != null) ? ex.getCause() : ex;
    }

}
