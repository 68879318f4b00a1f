package io.github.workerexporter.server;

import java.net.BindException;

import io.github.workerexporter.hooks.FatalHookFailure;

/**
 * The metrics server could not bind its port after all attempts. Fails start-up even from
 * a hook.
 *
 * @author Worker Exporter
 */
public class MetricsServerBindException extends RuntimeException implements FatalHookFailure {

    private final String bindAddress;

    private final int port;

    private final int attempts;

    /**
     * Create an exception.
     * @param bindAddress the address the server tried to bind to
     * @param port the port
     * @param attempts how many attempts were made
     * @param cause the last failure
     */
    public MetricsServerBindException(String bindAddress, int port, int attempts, BindException cause) {
        super("Metrics server could not bind port %d on %s after %d attempts: %s".formatted(port, bindAddress, attempts,
                cause.getMessage()), cause);
        this.bindAddress = bindAddress;
        this.port = port;
        this.attempts = attempts;
    }

    public String getBindAddress() {
        return this.bindAddress;
    }

    public int getPort() {
        return this.port;
    }

    public int getAttempts() {
        return this.attempts;
    }

}
