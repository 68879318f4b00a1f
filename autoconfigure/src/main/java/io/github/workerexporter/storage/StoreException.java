package io.github.workerexporter.storage;

/**
 * Shared storage could not be read or written (Redis down, a file that cannot be mapped).
 * Messages never contain a password.
 *
 * @author Worker Exporter
 */
public class StoreException extends RuntimeException {

    /**
     * Create an exception.
     * @param message what failed
     * @param cause the cause
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Create an exception.
     * @param message what failed
     */
    public StoreException(String message) {
        super(message);
    }

}
