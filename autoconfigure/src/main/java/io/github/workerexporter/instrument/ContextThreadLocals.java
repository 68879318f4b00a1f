package io.github.workerexporter.instrument;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import reactor.util.context.ContextView;

import org.springframework.util.ClassUtils;

/**
 * The thread locals of a Reactor context, set while a WebFlux exchange is recorded. On
 * WebFlux the current observation, and with it a tracer's current span, lives in the
 * Reactor context; a recording that takes exemplars reads the span from a thread local
 * (Spring Boot's {@code SpanContext}), which Reactor sets only where it restores thread
 * locals ({@code spring.reactor.context-propagation=auto}, or the operators that ask for
 * it). Micrometer's context-propagation library sets them, with the thread-local
 * accessors that Micrometer Observation and the tracers register, and restores the
 * previous values afterwards. Used only when the library is present.
 *
 * @author Worker Exporter
 */
final class ContextThreadLocals {

    private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

    private ContextThreadLocals() {
    }

    /**
     * Whether Micrometer's context-propagation library is on the class path.
     * @param classLoader the class loader to look in
     * @return whether it is
     */
    static boolean present(ClassLoader classLoader) {
        return ClassUtils.isPresent("io.micrometer.context.ContextSnapshotFactory", classLoader);
    }

    /**
     * Record an exchange with the thread locals of a Reactor context set.
     * @param filter the filter that records
     * @param exchange the exchange
     * @param context the context of the exchange's subscriber
     */
    static void record(RequestMetricsWebFilter filter, CountingServerWebExchange exchange, ContextView context) {
        try (ContextSnapshot.Scope scope = SNAPSHOTS.setThreadLocalsFrom(context)) {
            filter.record(exchange);
        }
    }

}
