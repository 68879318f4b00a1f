package io.github.workerexporter.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;

import com.sun.net.httpserver.Authenticator;
import org.jspecify.annotations.Nullable;

import io.github.workerexporter.server.MetricsServerBasicAuthenticator;
import io.github.workerexporter.server.MetricsServerSettings;

import org.springframework.util.StringUtils;

/**
 * Checks the {@code exporter.prometheus.*}, {@code exporter.ssl.*} and
 * {@code exporter.prometheus.auth.*} properties and turns them into the metrics server's
 * {@link MetricsServerSettings}. A bad value is an
 * {@link InvalidExporterPropertyException}, thrown when the manager bean is created,
 * before anything listens.
 *
 * @author Worker Exporter
 */
final class MetricsServerPropertiesValidator {

    private static final String PREFIX = "exporter.prometheus.";

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
