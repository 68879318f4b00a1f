package io.github.workerexporter.instrument;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Exception resolver that runs first, notes the exception in a request attribute and
 * resolves nothing, so the application's resolvers still run. If the request then ends
 * without the exception escaping, Spring MVC handled it ({@code @ExceptionHandler},
 * {@code ResponseStatusException}, {@code DefaultHandlerExceptionResolver}...).
 *
 * @author Worker Exporter
 */
public final class HandledExceptionRecorder implements HandlerExceptionResolver, Ordered {

    @Override
    public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
            @Nullable Object handler, Exception ex) {
        request.setAttribute(ServletRequestState.HANDLED_ATTRIBUTE, ex);
        return null;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

}
