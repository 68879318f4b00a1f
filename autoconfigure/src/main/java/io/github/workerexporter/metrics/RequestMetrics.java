package io.github.workerexporter.metrics;

import java.util.stream.IntStream;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The request families of gunicorn-prometheus-exporter, registered on a
 * {@link PrometheusRegistry}. Names, HELP texts, labels and buckets are the original's;
 * the prefix ({@code gunicorn} in the original) is configurable.
 * <p>
 * Every request is recorded once with {@link #record}. The {@code worker_id} data points
 * are resolved at construction, so recording a successful request allocates nothing, and
 * the request counter and the three histograms are {@link StripedCounter} and
 * {@link ClassicHistogram}, so request threads recording at the same time do not contend.
 * The error families are touched only on errors:
 * <ul>
 * <li>{@code _worker_failed_requests_total}: an exception escaped the application
 * ({@code error_type} is its simple class name), or else the response status is 5xx
 * ({@code error_type} is {@code HTTP_<status>}, such as {@code HTTP_503});</li>
 * <li>{@code _worker_error_handling_total}: an exception the framework turned into a
 * response ({@code @ExceptionHandler}, {@code ResponseStatusException}...), recorded with
 * {@link #recordHandled}. A handled exception whose response is 5xx counts in both.</li>
 * </ul>
 * {@code method} is one of the standard HTTP methods or {@code OTHER}; {@code endpoint}
 * is the route template, or {@link #UNMATCHED} when no handler matched.
 *
 * @author Worker Exporter
 */
public final class RequestMetrics {

    /** Endpoint of a request that no handler matched. */
    public static final String UNMATCHED = "UNMATCHED";

    private static final double[] DURATION_BUCKETS = { 0.1, 0.5, 1, 2.5, 5, 10, 30, 60 };

    private static final double[] SIZE_BUCKETS = { 1024, 4096, 16384, 65536, 262144, 1048576, 4194304 };

    private static final String[] ERROR_LABELS = { "worker_id", "method", "endpoint", "error_type" };

    private static final String[] SERVER_ERROR_TYPES = IntStream.range(500, 600)
        .mapToObj((status) -> "HTTP_" + status)
        .toArray(String[]::new);

    private final StripedCounter requests;

    private final ClassicHistogram duration;

    private final ClassicHistogram requestSize;

    private final ClassicHistogram responseSize;

    private final LabelSetCap failed;

    private final LabelSetCap handled;

    /**
     * Create the families and register them.
     * @param registry the registry that is scraped
     * @param prefix the prefix of every family name, such as {@code gunicorn}
     * @param workerId the {@code worker_id} label of this worker
     * @param maxLabelSets the maximum label sets of each error family (at least 1)
     */
    public RequestMetrics(PrometheusRegistry registry, String prefix, String workerId, int maxLabelSets) {
        this.requests = new StripedCounter(prefix + "_worker_requests_total",
                "Total number of requests handled by this worker", "worker_id", workerId);
        registry.register(this.requests);
        this.duration = histogram(registry, prefix + "_worker_request_duration_seconds", "Request duration in seconds",
                DURATION_BUCKETS, workerId);
        this.requestSize = histogram(registry, prefix + "_worker_request_size_bytes", "Request size in bytes",
                SIZE_BUCKETS, workerId);
        this.responseSize = histogram(registry, prefix + "_worker_response_size_bytes", "Response size in bytes",
                SIZE_BUCKETS, workerId);
        this.failed = new LabelSetCap(
                counter(prefix + "_worker_failed_requests_total",
                        "Total number of failed requests handled by this worker", ERROR_LABELS)
                    .register(registry),
                workerId, maxLabelSets);
        this.handled = new LabelSetCap(counter(prefix + "_worker_error_handling_total",
                "Total number of errors handled by this worker", ERROR_LABELS)
            .register(registry), workerId, maxLabelSets);
    }

    /**
     * Record one finished request.
     * @param method the HTTP method
     * @param endpoint the route template, or {@link #UNMATCHED}
     * @param status the response status
     * @param durationNanos how long the request took
     * @param requestBytes body bytes received
     * @param responseBytes body bytes sent
     * @param unhandled the exception that escaped the application, if any
     */
    public void record(String method, String endpoint, int status, long durationNanos, long requestBytes,
            long responseBytes, @Nullable Throwable unhandled) {
        this.requests.inc();
        this.duration.observe(durationNanos / 1e9);
        this.requestSize.observe(requestBytes);
        this.responseSize.observe(responseBytes);
        if (unhandled != null) {
            this.failed.inc(method(method), endpoint, unhandled.getClass().getSimpleName());
        }
        else if (status >= 500) {
            this.failed.inc(method(method), endpoint, serverErrorType(status));
        }
    }

    /**
     * Record an exception that the framework turned into a response.
     * @param method the HTTP method
     * @param endpoint the route template, or {@link #UNMATCHED}
     * @param errorType the simple class name of the exception
     */
    public void recordHandled(String method, String endpoint, String errorType) {
        this.handled.inc(method(method), endpoint, errorType);
    }

    /**
     * The error type of a 5xx response, {@code HTTP_<status>}, from a table so that a
     * failed request allocates nothing.
     */
    static String serverErrorType(int status) {
        return (status >= 500 && status < 600) ? SERVER_ERROR_TYPES[status - 500] : "HTTP_" + status;
    }

    static String method(String method) {
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT" -> method;
            default -> LabelSetCap.OTHER;
        };
    }

    private static Counter.Builder counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars();
    }

    private static ClassicHistogram histogram(PrometheusRegistry registry, String name, String help, double[] buckets,
            String workerId) {
        ClassicHistogram histogram = new ClassicHistogram(name, help, buckets, "worker_id", workerId);
        registry.register(histogram);
        return histogram;
    }

}
