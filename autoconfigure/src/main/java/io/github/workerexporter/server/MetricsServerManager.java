package io.github.workerexporter.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the dedicated metrics HTTP server: client_java's {@link HTTPServer} serving a
 * {@link PrometheusRegistry} in the text, OpenMetrics and protobuf formats (negotiated by
 * {@code Accept}) and gzip-compressed on request. Only the metrics path and
 * {@code /-/healthy} answer; any other path is a 404
 * ({@link MetricsServerNotFoundHandler}), and a collector that fails a scrape gives a 500
 * without its stack trace ({@link MetricsServerRegistry}).
 * <p>
 * {@link #start()} binds the port, retrying a port in use with a linear back-off;
 * {@link #stop()} closes the server and frees the port, and also ends a retry that is
 * waiting. A manager runs its server at most once: after {@link #stop()} it does not
 * start again.
 *
 * @author Worker Exporter
 */
public class MetricsServerManager implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(MetricsServerManager.class);

    private final PrometheusRegistry registry;

    private final MetricsServerSettings settings;

    private final Object monitor = new Object();

    private @Nullable HTTPServer server;

    private boolean stopped;

    /**
     * Create a manager.
     * @param registry the registry to serve
     * @param settings where and how to serve it
     */
    public MetricsServerManager(PrometheusRegistry registry, MetricsServerSettings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    /**
     * Start the server, unless it runs or this manager was stopped. A port in use is
     * tried again, waiting the back-off times the attempt number.
     * @return whether the server runs
     * @throws MetricsServerBindException if the port cannot be bound after all attempts
     * and a bind failure is an error
     * @throws UncheckedIOException if the server cannot be started for another reason
     */
    public boolean start() {
        synchronized (this.monitor) {
            for (int attempt = 1; this.server == null && !this.stopped; attempt++) {
                try {
                    this.server = createServer();
                    logger.info("Metrics server started on {}:{} at {} ({})", this.settings.bindAddress(),
                            this.server.getPort(), this.settings.path(),
                            (this.settings.https() != null) ? "https" : "http");
                }
                catch (BindException ex) {
                    if (attempt >= this.settings.bindAttempts() || !awaitRetry(attempt, ex)) {
                        return bindFailed(attempt, ex);
                    }
                }
                catch (IOException ex) {
                    throw new UncheckedIOException("Metrics server could not start on %s:%d"
                        .formatted(this.settings.bindAddress(), this.settings.port()), ex);
                }
            }
            return this.server != null;
        }
    }

    /**
     * Stop the server and free its port; a waiting retry gives up.
     */
    public void stop() {
        synchronized (this.monitor) {
            this.stopped = true;
            this.monitor.notifyAll();
            if (this.server != null) {
                int port = this.server.getPort();
                this.server.close();
                this.server = null;
                logger.info("Metrics server on port {} stopped", port);
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Whether the server runs.
     * @return whether it runs
     */
    public boolean isRunning() {
        synchronized (this.monitor) {
            return this.server != null;
        }
    }

    /**
     * The port the server listens on, the real one when 0 was configured.
     * @return the port, or -1 when the server does not run
     */
    public int getPort() {
        synchronized (this.monitor) {
            return (this.server != null) ? this.server.getPort() : -1;
        }
    }

    private HTTPServer createServer() throws IOException {
        HTTPServer.Builder builder = HTTPServer.builder()
            .hostname(this.settings.bindAddress())
            .port(this.settings.port())
            .metricsHandlerPath(this.settings.path())
            .registry(new MetricsServerRegistry(this.registry))
            .defaultHandler(new MetricsServerNotFoundHandler());
        if (this.settings.https() != null) {
            builder.httpsConfigurator(this.settings.https());
        }
        if (this.settings.authenticator() != null) {
            builder.authenticator(this.settings.authenticator());
        }
        return builder.buildAndStart();
    }

    private boolean awaitRetry(int attempt, BindException ex) {
        Duration delay = this.settings.bindBackoff().multipliedBy(attempt);
        logger.warn("Metrics server could not bind port {} on {} ({}), attempt {}/{}; retrying in {} ms",
                this.settings.port(), this.settings.bindAddress(), ex.getMessage(), attempt,
                this.settings.bindAttempts(), delay.toMillis());
        long deadline = System.nanoTime() + delay.toNanos();
        long left = delay.toNanos();
        try {
            while (!this.stopped && left > 0) {
                TimeUnit.NANOSECONDS.timedWait(this.monitor, left);
                left = deadline - System.nanoTime();
            }
            return !this.stopped;
        }
        catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean bindFailed(int attempts, BindException ex) {
        if (this.stopped) {
            return false;
        }
        if (this.settings.failOnBindFailure()) {
            throw new MetricsServerBindException(this.settings.bindAddress(), this.settings.port(), attempts, ex);
        }
        logger.warn(
                "Metrics server not started: port {} on {} could not be bound after {} attempts ({}); "
                        + "the application runs without it",
                this.settings.port(), this.settings.bindAddress(), attempts, ex.getMessage());
        return false;
    }

}
