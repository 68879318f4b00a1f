package io.github.workerexporter.instrument;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.HandlerResult;
import org.springframework.web.reactive.HandlerResultHandler;
import org.springframework.web.server.ServerWebExchange;

/**
 * WebFlux result handler, first in order, that notes in an exchange attribute when a
 * result comes from an {@code @ExceptionHandler} method, then hands the result to the
 * application's result handlers. WebFlux does not expose the exception that such a method
 * handled, so {@code error_type} is the exception type the method declares (its single
 * {@code @ExceptionHandler} value, else its single exception parameter), or
 * {@code Exception}.
 *
 * @author Worker Exporter
 */
public final class HandledExceptionResultHandler implements HandlerResultHandler, Ordered {

    private static final String ATTRIBUTE = HandledExceptionResultHandler.class.getName() + ".ERROR_TYPE";

    private final ObjectProvider<HandlerResultHandler> handlers;

    /**
     * Create a result handler.
     * @param handlers all result handlers, this one included
     */
    public HandledExceptionResultHandler(ObjectProvider<HandlerResultHandler> handlers) {
        this.handlers = handlers;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public boolean supports(HandlerResult result) {
        return errorType(result) != null && delegate(result) != null;
    }

    @Override
    public Mono<Void> handleResult(ServerWebExchange exchange, HandlerResult result) {
        exchange.getAttributes().put(ATTRIBUTE, Objects.requireNonNull(errorType(result)));
        return Objects.requireNonNull(delegate(result)).handleResult(exchange, result);
    }

    static @Nullable String handled(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE);
    }

    private @Nullable HandlerResultHandler delegate(HandlerResult result) {
        return this.handlers.orderedStream()
            .filter((handler) -> handler != this && handler.supports(result))
            .findFirst()
            .orElse(null);
    }

    private static @Nullable String errorType(HandlerResult result) {
        if (!(result.getHandler() instanceof HandlerMethod handlerMethod)) {
            return null;
        }
        Method method = handlerMethod.getMethod();
        ExceptionHandler annotation = method.getAnnotation(ExceptionHandler.class);
        if (annotation == null) {
            return null;
        }
        if (annotation.value().length == 1) {
            return annotation.value()[0].getSimpleName();
        }
        List<Class<?>> thrown = Arrays.stream(method.getParameterTypes())
            .filter(Throwable.class::isAssignableFrom)
            .toList();
        return (thrown.size() == 1) ? thrown.get(0).getSimpleName() : "Exception";
    }

}
