package io.github.workerexporter.metrics;

import java.util.List;
import java.util.stream.IntStream;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import org.jspecify.annotations.Nullable;

/**
 * The request families of gunicorn-prometheus-exporter, registered on a
 * {@link PrometheusRegistry}. Names, HELP texts, labels and buckets are the original's;
 * the prefix ({@code gunicorn} in the original) is configurable.
 * <p>
 * Every request is recorded once with {@link #record}. The {@code worker_id} data points
 * are resolved at construction, so recording a successful request allocates nothing, and
 * the request counter and the three histograms are {@link StripedCounter} and
 * {@link ClassicHistogram} (or {@link NativeHistogram}, see {@link HistogramSettings}),
 * so request threads recording at the same time do not contend. The error families are
 * touched only on errors:
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
 * <p>
 * With {@link RouteLabels} other than {@code OFF}, the request counter and the three
 * histograms are labelled by {@code method}, {@code endpoint} and {@code status} too (see
 * {@link RouteFamilies}); off, they are exposed exactly as the original's. Requests in
 * flight ({@link #started()} and not yet {@link #finished()}) are a gauge on
 * {@link Stripes}, and the request queue time an optional {@link RequestQueueTime}.
 *
 * @author Worker Exporter
 */
public final class RequestMetrics {

    /** Endpoint of a request that no handler matched. */
    public static final String UNMATCHED = "UNMATCHED";

    /**
     * Whether the request counter and histograms are labelled by route, and how the
     * status is written.
     */
    public enum RouteLabels {

        /** Only {@code worker_id}, as the original. */
        OFF,

        /**
         * {@code method}, {@code endpoint} and {@code status} as the code, such as 200.
         */
        STATUS_CODE,

        /**
         * {@code method}, {@code endpoint} and {@code status} as the class, such as 2xx.
         */
        STATUS_CLASS

    }

    private static final double[] DURATION_BUCKETS = { 0.1, 0.5, 1, 2.5, 5, 10, 30, 60 };

    private static final double[] SIZE_BUCKETS = { 1024, 4096, 16384, 65536, 262144, 1048576, 4194304 };

    /**
     * The {@code method} labels: the standard HTTP methods, then {@code OTHER} for any
     * other, by {@link #methodIndex(String)}.
     */
    static final String[] METHODS = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
            LabelSetCap.OTHER };

    private static final String[] ERROR_LABELS = { "worker_id", "method", "endpoint", "error_type" };

    private static final String[] SERVER_ERROR_TYPES = IntStream.range(500, 600)
        .mapToObj((status) -> "HTTP_" + status)
        .toArray(String[]::new);

    private final @Nullable StripedCounter requests;

    private final @Nullable RequestHistogram duration;

    private final @Nullable RequestHistogram requestSize;

    private final @Nullable RequestHistogram responseSize;

    private final @Nullable RouteFamilies routes;

    private final StripedGauge inFlight;

    private final @Nullable RequestQueueTime queueTime;

    private final LabelSetCap failed;

    private final LabelSetCap handled;

    private final boolean exemplars;

    /**
     * Create the families of the original and the in-flight gauge, and register them.
     * @param registry the registry that is scraped
     * @param prefix the prefix of every family name, such as {@code gunicorn}
     * @param workerId the {@code worker_id} label of this worker
     * @param maxLabelSets the maximum label sets of each labelled family (at least 1)
     */
    public RequestMetrics(PrometheusRegistry registry, String prefix, String workerId, int maxLabelSets) {
        this(registry, prefix, workerId, maxLabelSets, RouteLabels.OFF, List.of());
    }

    /**
     * Create the families and register them.
     * @param registry the registry that is scraped
     * @param prefix the prefix of every family name, such as {@code gunicorn}
     * @param workerId the {@code worker_id} label of this worker
     * @param maxLabelSets the maximum label sets of each labelled family (at least 1)
     * @param routeLabels whether the request counter and histograms have route labels
     * @param queueTimeHeaders the request start headers to read, none to record no queue
     * time
     */
    public RequestMetrics(PrometheusRegistry registry, String prefix, String workerId, int maxLabelSets,
            RouteLabels routeLabels, List<String> queueTimeHeaders) {
        this(registry, prefix, workerId, maxLabelSets, routeLabels, queueTimeHeaders, RequestExemplars.NONE);
    }

    /**
     * Create the families and register them.
     * @param registry the registry that is scraped
     * @param prefix the prefix of every family name, such as {@code gunicorn}
     * @param workerId the {@code worker_id} label of this worker
     * @param maxLabelSets the maximum label sets of each labelled family (at least 1)
     * @param routeLabels whether the request counter and histograms have route labels
     * @param queueTimeHeaders the request start headers to read, none to record no queue
     * time
     * @param exemplars where the exemplars of the request counter and the duration
     * histogram come from
     */
    public RequestMetrics(PrometheusRegistry registry, String prefix, String workerId, int maxLabelSets,
            RouteLabels routeLabels, List<String> queueTimeHeaders, RequestExemplars exemplars) {
        this(registry, prefix, workerId, maxLabelSets, routeLabels, queueTimeHeaders, exemplars,
                HistogramSettings.CLASSIC);
    }

    /**
     * Create the families and register them.
     * @param registry the registry that is scraped
     * @param prefix the prefix of every family name, such as {@code gunicorn}
     * @param workerId the {@code worker_id} label of this worker
     * @param maxLabelSets the maximum label sets of each labelled family (at least 1)
     * @param routeLabels whether the request counter and histograms have route labels
     * @param queueTimeHeaders the request start headers to read, none to record no queue
     * time
     * @param exemplars where the exemplars of the request counter and the duration
     * histogram come from
     * @param histograms whether the three request histograms are classic, native or both
     */
    public RequestMetrics(PrometheusRegistry registry, String prefix, String workerId, int maxLabelSets,
            RouteLabels routeLabels, List<String> queueTimeHeaders, RequestExemplars exemplars,
            HistogramSettings histograms) {
        MetricMetadata requests = new MetricMetadata(prefix + "_worker_requests",
                "Total number of requests handled by this worker");
        MetricMetadata duration = new MetricMetadata(prefix + "_worker_request_duration_seconds",
                "Request duration in seconds");
        MetricMetadata requestSize = new MetricMetadata(prefix + "_worker_request_size_bytes", "Request size in bytes");
        MetricMetadata responseSize = new MetricMetadata(prefix + "_worker_response_size_bytes",
                "Response size in bytes");
        if (routeLabels == RouteLabels.OFF) {
            this.routes = null;
            this.requests = new StripedCounter(requests.getName(), requests.getHelp(), "worker_id", workerId);
            registry.register(this.requests);
            this.duration = histogram(registry, duration, DURATION_BUCKETS, workerId, histograms, exemplars);
            this.requests.exemplarsOf(this.duration);
            this.requestSize = histogram(registry, requestSize, SIZE_BUCKETS, workerId, histograms,
                    RequestExemplars.NONE);
            this.responseSize = histogram(registry, responseSize, SIZE_BUCKETS, workerId, histograms,
                    RequestExemplars.NONE);
        }
        else {
            this.requests = null;
            this.duration = null;
            this.requestSize = null;
            this.responseSize = null;
            this.routes = new RouteFamilies(new MetricMetadata[] { requests, duration, requestSize, responseSize },
                    DURATION_BUCKETS, SIZE_BUCKETS, workerId, maxLabelSets, routeLabels == RouteLabels.STATUS_CLASS,
                    exemplars, histograms);
            registry.register(this.routes);
        }
        this.exemplars = exemplars.enabled();
        this.inFlight = new StripedGauge(prefix + "_worker_requests_in_flight",
                "Requests started and not yet finished by this worker", "worker_id", workerId);
        registry.register(this.inFlight);
        this.queueTime = queueTimeHeaders.isEmpty() ? null
                : new RequestQueueTime(registry, prefix, workerId, queueTimeHeaders);
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
        RouteFamilies routes = this.routes;
        if (routes != null) {
            routes.record(methodIndex(method), endpoint, status, durationNanos / 1e9, requestBytes, responseBytes);
        }
        else {
            recordUnlabelled(durationNanos, requestBytes, responseBytes);
        }
        if (unhandled != null) {
            this.failed.inc(method(method), endpoint, unhandled.getClass().getSimpleName());
        }
        else if (status >= 500) {
            this.failed.inc(method(method), endpoint, serverErrorType(status));
        }
    }

    // all four are set when routes is null
    private void recordUnlabelled(long durationNanos, long requestBytes, long responseBytes) {
        double seconds = durationNanos / 1e9;
        int stripe = Stripes.claim();
        try {
            this.requests.inc(stripe);
            this.duration.count(stripe, seconds);
            this.requestSize.count(stripe, requestBytes);
            this.responseSize.count(stripe, responseBytes);
        }
        finally {
            Stripes.release(stripe);
        }
        this.duration.sample(seconds);
    }

    /**
     * Note a request that started: it is in flight until {@link #finished()}.
     */
    public void started() {
        this.inFlight.add(1);
    }

    /**
     * Note a request that {@link #started()} and finished, whether it is recorded or not.
     */
    public void finished() {
        this.inFlight.add(-1);
    }

    /**
     * The request queue time, when it is recorded.
     * @return the queue time, or {@code null} when it is off
     */
    public @Nullable RequestQueueTime queueTime() {
        return this.queueTime;
    }

    /**
     * Whether a recording takes exemplars from the current span of a tracer.
     * @return whether it does
     */
    public boolean exemplars() {
        return this.exemplars;
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
        return METHODS[methodIndex(method)];
    }

    /**
     * The number of a method's label in {@link #METHODS}.
     */
    static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "PATCH" -> 4;
            case "DELETE" -> 5;
            case "OPTIONS" -> 6;
            case "TRACE" -> 7;
            case "CONNECT" -> 8;
            default -> 9;
        };
    }

    private static Counter.Builder counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars();
    }

    private static RequestHistogram histogram(PrometheusRegistry registry, MetricMetadata metadata, double[] buckets,
            String workerId, HistogramSettings settings, RequestExemplars exemplars) {
        RequestHistogram histogram = (settings.kind() == HistogramSettings.Kind.CLASSIC)
                ? new ClassicHistogram(metadata.getName(), metadata.getHelp(), buckets, "worker_id", workerId,
                        exemplars)
                : new NativeHistogram(metadata, settings, buckets, "worker_id", workerId, exemplars);
        registry.register(histogram);
        return histogram;
    }

}
