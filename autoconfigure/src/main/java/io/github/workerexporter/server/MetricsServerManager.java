package io.github.workerexporter.server;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.prometheus.metrics.exporter.httpserver.HealthyHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the dedicated metrics HTTP server: the JDK's {@link HttpServer} with client_java's
 * handlers, as client_java's {@code HTTPServer} sets them up (its metrics handler, see
 * {@link MetricsServerHandler}, at the metrics path, {@link HealthyHandler} at
 * {@code /-/healthy}, each behind the authenticator if any), serving a
 * {@link PrometheusRegistry} in the text, OpenMetrics and protobuf formats (negotiated by
 * {@code Accept}) and gzip-compressed on request. Only those two paths answer; any other
 * path is a 404 ({@link MetricsServerNotFoundHandler}, not client_java's HTML page), and
 * a collector that fails a scrape gives a 500 without its stack trace
 * ({@link MetricsServerRegistry}).
 * <p>
 * {@link #start()} binds the port, retrying a port in use with a linear back-off;
 * {@link #stop()} closes the server and frees the port, and also ends a retry that is
 * waiting. A manager runs its server at most once: after {@link #stop()} it does not
 * start again.
 * <p>
 * The server runs its exchanges on its own threads, within {@link MetricsServerLimits}
 * ({@code exporter.prometheus.server.*}, see {@link MetricsServerExecutor}): a client
 * that sends half a request or never reads its response holds a thread for at most the
 * network timeout, and too many at once are turned away rather than stalling the port.
 * Its accept backlog holds as many connections as it runs and queues exchanges:
 * client_java's {@code HTTPServer} asks for 3, and a burst of scrapes then sees its
 * connections dropped by the kernel and retried a second or more later.
 *
 * @author Worker Exporter
 */
public class MetricsServerManager implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(MetricsServerManager.class);

    private final PrometheusRegistry registry;

    private final MetricsServerSettings settings;

    private final MetricsServerLimits limits;

    private final Object monitor = new Object();

    private @Nullable HttpServer server;

    private @Nullable MetricsServerExecutor executor;

    private boolean stopped;

    /**
     * Create a manager with the {@linkplain MetricsServerLimits#DEFAULTS default limits}.
     * @param registry the registry to serve
     * @param settings where and how to serve it
     */
    public MetricsServerManager(PrometheusRegistry registry, MetricsServerSettings settings) {
        this(registry, settings, MetricsServerLimits.DEFAULTS);
    }

    /**
     * Create a manager with limits of its own.
     * @param registry the registry to serve
     * @param settings where and how to serve it
     * @param limits how much the server gives to its clients
     */
    public MetricsServerManager(PrometheusRegistry registry, MetricsServerSettings settings,
            MetricsServerLimits limits) {
        this.registry = registry;
        this.settings = settings;
        this.limits = limits;
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
                    startServer();
                    logger.info("Metrics server started on {}:{} at {} ({})", this.settings.bindAddress(), getPort(),
                            this.settings.path(), (this.settings.https() != null) ? "https" : "http");
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
            if (this.server != null && this.executor != null) {
                int port = getPort();
                this.server.stop(0);
                this.executor.shutdown();
                this.server = null;
                this.executor = null;
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
            return (this.server != null) ? this.server.getAddress().getPort() : -1;
        }
    }

    private void startServer() throws IOException {
        MetricsServerExecutor executor = new MetricsServerExecutor(this.limits);
        HttpServer server = null;
        try {
            server = createServer(executor);
            // Started from a daemon thread, its dispatcher thread is a daemon too.
            executor.submit(server::start).get();
            this.server = server;
            this.executor = executor;
        }
        catch (IOException | RuntimeException ex) {
            abandon(server, executor);
            throw ex;
        }
        catch (ExecutionException ex) {
            abandon(server, executor);
            throw new IOException("Metrics server could not start its dispatcher", ex.getCause());
        }
        catch (InterruptedException ex) {
            abandon(server, executor);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while the metrics server started");
        }
    }

    private static void abandon(@Nullable HttpServer server, MetricsServerExecutor executor) {
        if (server != null) {
            server.stop(0);
        }
        executor.shutdownNow();
    }

    private HttpServer createServer(MetricsServerExecutor executor) throws IOException {
        InetSocketAddress address = new InetSocketAddress(this.settings.bindAddress(), this.settings.port());
        int backlog = this.limits.threads() + this.limits.queueCapacity();
        HttpServer server;
        if (this.settings.https() != null) {
            HttpsServer https = HttpsServer.create(address, backlog);
            https.setHttpsConfigurator(this.settings.https());
            server = https;
        }
        else {
            server = HttpServer.create(address, backlog);
        }
        server.setExecutor(executor);
        String path = this.settings.path();
        if (!path.equals("/")) {
            addContext(server, "/", new MetricsServerNotFoundHandler());
        }
        addContext(server, path, new MetricsServerHandler(new MetricsServerRegistry(this.registry), executor));
        if (!path.equals("/-/healthy")) {
            addContext(server, "/-/healthy", new HealthyHandler());
        }
        return server;
    }

    private void addContext(HttpServer server, String path, HttpHandler handler) {
        HttpContext context = server.createContext(path, handler);
        if (this.settings.authenticator() != null) {
            context.setAuthenticator(this.settings.authenticator());
        }
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
