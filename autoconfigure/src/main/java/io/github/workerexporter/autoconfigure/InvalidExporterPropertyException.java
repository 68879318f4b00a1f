package io.github.workerexporter.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * A configuration value that Worker Exporter cannot work with. Thrown at start-up, before
 * anything listens or writes, and described by
 * {@link InvalidExporterPropertyFailureAnalyzer}.
 *
 * @author Worker Exporter
 */
public class InvalidExporterPropertyException extends RuntimeException {

    private final String property;

    private final @Nullable Object value;

    private final String reason;

    private final String action;

    /**
     * Create an exception.
     * @param property the property, such as {@code exporter.prometheus.metrics-port}
     * @param value the bad value (a secret must be masked by the caller)
     * @param reason why the value is bad
     * @param action what is allowed, or how to fix it
     */
    public InvalidExporterPropertyException(String property, @Nullable Object value, String reason, String action) {
        this(property, value, reason, action, null);
    }

    /**
     * Create an exception with a cause.
     * @param property the property
     * @param value the bad value
     * @param reason why the value is bad
     * @param action what is allowed, or how to fix it
     * @param cause the cause
     */
    public InvalidExporterPropertyException(String property, @Nullable Object value, String reason, String action,
            @Nullable Throwable cause) {
        super("Invalid value '" + value + "' for property '" + property + "': " + reason, cause);
        this.property = property;
        this.value = value;
        this.reason = reason;
        this.action = action;
    }

    public String getProperty() {
        return this.property;
    }

    public @Nullable Object getValue() {
        return this.value;
    }

    public String getReason() {
        return this.reason;
    }

    public String getAction() {
        return this.action;
    }

}
