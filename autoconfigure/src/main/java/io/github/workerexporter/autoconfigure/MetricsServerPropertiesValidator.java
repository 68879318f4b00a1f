package io.github.workerexporter.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import com.sun.net.httpserver.Authenticator;
import org.jspecify.annotations.Nullable;

import io.github.workerexporter.server.MetricsServerBasicAuthenticator;
import io.github.workerexporter.server.MetricsServerLimits;
import io.github.workerexporter.server.MetricsServerSettings;

import org.springframework.util.StringUtils;

/**
 * Checks the {@code exporter.prometheus.*}, {@code exporter.ssl.*},
 * {@code exporter.prometheus.auth.*} and {@code exporter.prometheus.server.*} properties
 * and turns them into the metrics server's {@link MetricsServerSettings} and
 * {@link MetricsServerLimits}. A bad value is an
 * {@link InvalidExporterPropertyException}, thrown when the manager bean is created,
 * before anything listens.
 *
 * @author Worker Exporter
 */
final class MetricsServerPropertiesValidator {

    private static final String PREFIX = "exporter.prometheus.";

    private static final String SERVER = PREFIX + "server.";

    /** Far more than the few Prometheus servers that scrape one port need at once. */
    private static final int MAX_THREADS = 1000;

    private static final int MAX_QUEUE_CAPACITY = 10_000;

    /** Below it, healthy scrapes over a real network would be cut. */
    private static final Duration MIN_NETWORK_TIMEOUT = Duration.ofMillis(100);

    /** Far beyond any scrape timeout of Prometheus. */
    private static final Duration MAX_NETWORK_TIMEOUT = Duration.ofHours(1);

    private MetricsServerPropertiesValidator() {
    }

    /**
     * Check the properties.
     * @param properties the properties
     * @return the settings of the metrics server
     * @throws InvalidExporterPropertyException on a bad value
     */
    static MetricsServerSettings validate(ExporterProperties properties) {
        ExporterProperties.Prometheus prometheus = properties.getPrometheus();
        int port = prometheus.getMetricsPort();
        if (port < 0 || port > 65535) {
            throw new InvalidExporterPropertyException(PREFIX + "metrics-port", port, "not a port",
                    "a whole number from 1 to 65535, or 0 for any free port");
        }
        String bindAddress = checkBindAddress(prometheus.getBindAddress());
        String path = prometheus.getMetricsPath();
        if (!StringUtils.hasLength(path) || path.charAt(0) != '/') {
            throw new InvalidExporterPropertyException(PREFIX + "metrics-path", path, "does not start with '/'",
                    "a path starting with '/', such as /metrics");
        }
        if (prometheus.getBindAttempts() < 1) {
            throw new InvalidExporterPropertyException(PREFIX + "bind-attempts", prometheus.getBindAttempts(),
                    "is less than 1", "a whole number of at least 1");
        }
        if (prometheus.getBindBackoff().isNegative()) {
            throw new InvalidExporterPropertyException(PREFIX + "bind-backoff", prometheus.getBindBackoff(),
                    "is negative", "a duration of 0 or more, such as 2s");
        }
        return new MetricsServerSettings(bindAddress, port, path, prometheus.getBindAttempts(),
                prometheus.getBindBackoff(), prometheus.getOnBindFailure() == ExporterProperties.OnBindFailure.FAIL,
                MetricsServerSslSettings.resolve(properties.getSsl(), prometheus.getSsl()),
                authenticator(prometheus.getAuth()));
    }

    /**
     * Check the limits of the metrics server.
     * @param server the {@code exporter.prometheus.server.*} properties
     * @return the limits
     * @throws InvalidExporterPropertyException on a bad value
     */
    static MetricsServerLimits limits(ExporterProperties.MetricsServer server) {
        checkRange("max-threads", server.getMaxThreads(), MAX_THREADS, 32);
        checkRange("max-queue-capacity", server.getMaxQueueCapacity(), MAX_QUEUE_CAPACITY, 512);
        Duration timeout = server.getNetworkTimeout();
        if (timeout.compareTo(MIN_NETWORK_TIMEOUT) < 0 || timeout.compareTo(MAX_NETWORK_TIMEOUT) > 0) {
            throw new InvalidExporterPropertyException(SERVER + "network-timeout", shown(timeout),
                    (timeout.compareTo(MIN_NETWORK_TIMEOUT) < 0) ? "too short" : "too long",
                    "a duration from 100ms to 1h, such as 10s");
        }
        return new MetricsServerLimits(server.getMaxThreads(), server.getMaxQueueCapacity(), timeout);
    }

    /**
     * A duration as a user writes it: {@code 0s}, {@code 50ms}, {@code 7200s}; whole
     * seconds when it is too long to count in smaller units without overflow.
     */
    private static String shown(Duration duration) {
        long seconds = duration.getSeconds();
        if (duration.getNano() == 0 || seconds > 1_000_000_000L || seconds < -1_000_000_000L) {
            return seconds + "s";
        }
        return (duration.getNano() % 1_000_000 == 0) ? duration.toMillis() + "ms" : duration.toNanos() + "ns";
    }

    private static void checkRange(String name, int value, int max, int example) {
        if (value < 1 || value > max) {
            throw new InvalidExporterPropertyException(SERVER + name, value, (value < 1) ? "less than 1" : "too large",
                    "a whole number from 1 to %d, such as %d".formatted(max, example));
        }
    }

    private static String checkBindAddress(String address) {
        String allowed = "an IP address such as 0.0.0.0 or 127.0.0.1, or a host name that resolves";
        if (!StringUtils.hasText(address)) {
            throw new InvalidExporterPropertyException(PREFIX + "bind-address", address, "is empty", allowed);
        }
        try {
            InetAddress.getByName(address);
            return address;
        }
        catch (UnknownHostException ex) {
            throw new InvalidExporterPropertyException(PREFIX + "bind-address", address,
                    "not an IP address or a resolvable host name", allowed, ex);
        }
    }

    private static @Nullable Authenticator authenticator(ExporterProperties.Auth auth) {
        boolean hasUsername = StringUtils.hasLength(auth.getUsername());
        boolean hasPassword = StringUtils.hasLength(auth.getPassword());
        if (hasUsername != hasPassword) {
            String missing = hasUsername ? "password" : "username";
            String present = hasUsername ? "username" : "password";
            throw new InvalidExporterPropertyException(PREFIX + "auth." + missing, null,
                    "required when '%sauth.%s' is set".formatted(PREFIX, present),
                    "set both user name and password, or neither");
        }
        return hasUsername ? new MetricsServerBasicAuthenticator("metrics", auth.getUsername(), auth.getPassword())
                : null;
    }

}
