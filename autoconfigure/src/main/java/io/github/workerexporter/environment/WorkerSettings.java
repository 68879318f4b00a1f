package io.github.workerexporter.environment;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The original's gunicorn settings, validated, as the embedded web server takes them.
 *
 * @param workers the number of workers, which becomes the maximum of request threads, or
 * {@code null} to keep the server's default
 * @param bind where the server listens, or {@code null} to keep {@code server.address}
 * and {@code server.port}
 * @param timeout the worker timeout, which becomes the connection timeout
 * @param keepalive how long an idle keep-alive connection is kept
 * @param workerClass platform or virtual request threads
 * @author Worker Exporter
 */
public record WorkerSettings(@Nullable Integer workers, @Nullable BindAddress bind, Duration timeout,
        Duration keepalive, WorkerClass workerClass) {

}
