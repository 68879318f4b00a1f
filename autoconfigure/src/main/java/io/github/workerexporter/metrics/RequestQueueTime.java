package io.github.workerexporter.metrics;

import java.util.List;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Time a request waited between the load balancer and this worker, from the header the
 * load balancer stamps when it receives the request ({@code X-Request-Start} or
 * {@code X-Queue-Start}): {@code <prefix>_worker_request_queue_seconds}, and
 * {@code <prefix>_worker_request_queue_header_invalid_total} for values that say nothing
 * true.
 * <p>
 * The value is a time since the epoch, optionally after {@code t=}, with an optional
 * fraction: {@code t=1733356800123} (Heroku, milliseconds), {@code t=1733356800.123}
 * (nginx's {@code $msec}, seconds), {@code t=1733356800123456} (microseconds, as New
 * Relic and Apache's {@code %t} write it). The unit is decided by magnitude: below 10^11
 * seconds, below 10^14 milliseconds, below 10^17 microseconds, else nanoseconds (10^11 s
 * is in the year 5138; 10^11 ms was in 1973). The queue time is now minus that time,
 * measured when the request reaches the first filter.
 * <p>
 * Never failing a request, a value is counted as invalid when it cannot be parsed, when
 * it lies in the future (a clock ahead of this one: recorded as 0, clamped) or when it is
 * more than an hour old (not recorded: an hour in a queue is a wrong clock or a wrong
 * unit, and would distort the sum).
 *
 * @author Worker Exporter
 */
public final class RequestQueueTime {

    /** Longest queue time believed, in milliseconds. */
    static final double MAX_MILLIS = 3_600_000;

    private static final double[] BUCKETS = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };

    private final String[] headers;

    private final ClassicHistogram histogram;

    private final StripedCounter invalid;

    /**
     * Create the two families and register them.
     * @param registry the registry that is scraped
     * @param prefix the prefix of every family name
     * @param workerId the {@code worker_id} label of this worker
     * @param headers the header names to read, the first present wins
     */
    public RequestQueueTime(PrometheusRegistry registry, String prefix, String workerId, List<String> headers) {
        this.headers = headers.toArray(String[]::new);
        this.histogram = new ClassicHistogram(prefix + "_worker_request_queue_seconds",
                "Time requests waited between the load balancer and this worker, from the load balancer's "
                        + "request start header, in seconds",
                BUCKETS, "worker_id", workerId);
        registry.register(this.histogram);
        this.invalid = new StripedCounter(prefix + "_worker_request_queue_header_invalid_total",
                "Request start headers that could not be parsed, were in the future (recorded as 0) or "
                        + "more than an hour old (not recorded)",
                "worker_id", workerId);
        registry.register(this.invalid);
    }

    /**
     * The header names to read, the first present wins.
     * @return the header names (not to be modified)
     */
    public String[] headers() {
        return this.headers;
    }

    /**
     * Record the queue time of a request reaching the worker now.
     * @param header the header's value, or {@code null} when the request has none
     */
    public void record(@Nullable String header) {
        if (header != null) {
            record(header, System.currentTimeMillis());
        }
    }

    void record(String header, long nowMillis) {
        double startMillis = startMillis(header);
        double queued = nowMillis - startMillis;
        if (Double.isNaN(startMillis) || queued > MAX_MILLIS) {
            this.invalid.inc();
        }
        else if (queued < 0) {
            this.invalid.inc();
            this.histogram.observe(0);
        }
        else {
            this.histogram.observe(queued / 1000);
        }
    }

    /**
     * The time in a header value, in milliseconds since the epoch, parsed without
     * allocating.
     * @param header the value, such as {@code t=1733356800123}
     * @return the time, or NaN when the value is not a positive number
     */
    static double startMillis(String header) {
        int i = 0;
        int end = header.length();
        while (i < end && header.charAt(i) == ' ') {
            i++;
        }
        while (end > i && header.charAt(end - 1) == ' ') {
            end--;
        }
        if (header.startsWith("t=", i)) {
            i += 2;
        }
        long whole = 0;
        int digits = 0;
        while (i < end && isDigit(header.charAt(i)) && digits < 19) {
            whole = whole * 10 + (header.charAt(i++) - '0');
            digits++;
        }
        double fraction = 0;
        if (i < end && header.charAt(i) == '.') {
            i++;
            double scale = 0.1;
            while (i < end && isDigit(header.charAt(i))) {
                fraction += (header.charAt(i++) - '0') * scale;
                scale /= 10;
            }
        }
        if (digits == 0 || i != end || whole == 0) {
            return Double.NaN;
        }
        double value = whole + fraction;
        if (value < 1e11) {
            return value * 1000;
        }
        if (value < 1e14) {
            return value;
        }
        return (value < 1e17) ? value / 1000 : value / 1_000_000;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

}
