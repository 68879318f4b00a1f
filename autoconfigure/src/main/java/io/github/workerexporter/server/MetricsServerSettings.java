package io.github.workerexporter.server;

import java.time.Duration;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpsConfigurator;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link MetricsServerManager} serves and how it binds, as plain values.
 *
 * @param bindAddress the address to bind to, an IP literal or a host name
 * @param port the port, 0 for any free port
 * @param path the path of the exposition, starting with {@code /}
 * @param bindAttempts how many times to try to bind before giving up (at least 1)
 * @param bindBackoff the back-off step: after failed attempt n, wait n times this
 * @param failOnBindFailure whether a port that cannot be bound is an error
 * ({@link MetricsServerBindException}) or only a warning
 * @param https the TLS configuration, or {@code null} for plain HTTP
 * @param authenticator the authenticator, or {@code null} for none
 * @author Worker Exporter
 */
public record MetricsServerSettings(String bindAddress, int port, String path, int bindAttempts, Duration bindBackoff,
        boolean failOnBindFailure, @Nullable HttpsConfigurator https, @Nullable Authenticator authenticator) {

}
