package io.github.workerexporter.server;

import java.time.Duration;

/**
 * How much the metrics server gives to its clients, so that slow, stalled or hostile ones
 * cannot stall it for long: the JDK's HTTP server reads each request and writes each
 * response on a thread of its own, and a client can hold that thread by sending half a
 * request or by never reading its response.
 * <p>
 * The auto-configured server takes them from {@code exporter.prometheus.server.*}
 * ({@code max-threads}, {@code max-queue-capacity}, {@code network-timeout}).
 *
 * @param threads how many exchanges run at once (at least 1)
 * @param queueCapacity how many more exchanges wait for a thread (at least 1); past that
 * a new connection is closed at once, without an answer
 * @param networkTimeout how long one exchange may spend on the network, reading its
 * request and writing its response (collecting the metrics does not count); past that its
 * connection is closed and its thread freed
 * @author Worker Exporter
 */
public record MetricsServerLimits(int threads, int queueCapacity, Duration networkTimeout) {

    /**
     * The default limits of a metrics server, those of the properties: 32 threads, 512
     * waiting exchanges, and 10 seconds on the network, Prometheus' default scrape
     * timeout.
     */
    public static final MetricsServerLimits DEFAULTS = new MetricsServerLimits(32, 512, Duration.ofSeconds(10));

    /**
     * Check the limits.
     * @param threads how many exchanges run at once
     * @param queueCapacity how many more exchanges wait for a thread
     * @param networkTimeout how long one exchange may spend on the network
     */
    public MetricsServerLimits {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException(
                    "threads and queueCapacity must be at least 1, not %d and %d".formatted(threads, queueCapacity));
        }
        if (networkTimeout.isNegative() || networkTimeout.isZero()) {
            throw new IllegalArgumentException("networkTimeout must be positive, not " + networkTimeout);
        }
    }

}
