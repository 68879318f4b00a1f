package io.github.workerexporter.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.autoconfigure.ExporterProperties.Gunicorn;
import io.github.workerexporter.environment.BindAddress;
import io.github.workerexporter.environment.WorkerClass;
import io.github.workerexporter.environment.WorkerSettings;

/**
 * Checks the {@code exporter.gunicorn.*} properties before the embedded web server is
 * created, failing with an {@link InvalidExporterPropertyException} that names the
 * property, the value and what is allowed.
 *
 * @author Worker Exporter
 */
final class EmbeddedServerPropertiesValidator {

    private static final String PREFIX = "exporter.gunicorn.";

    private EmbeddedServerPropertiesValidator() {
    }

    /**
     * Validate the gunicorn properties.
     * @param gunicorn the properties
     * @return the settings they describe
     * @throws InvalidExporterPropertyException on the first bad value
     */
    static WorkerSettings validate(Gunicorn gunicorn) {
        Integer workers = gunicorn.getWorkers();
        if (workers != null && workers < 1) {
            throw new InvalidExporterPropertyException(PREFIX + "workers", workers, "must be at least 1",
                    "a whole number of 1 or more");
        }
        Duration timeout = gunicorn.getTimeout();
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidExporterPropertyException(PREFIX + "timeout", seconds(timeout),
                    "must be at least 1 second", "a duration of 1 second or more, such as 30 (seconds) or 30s");
        }
        Duration keepalive = gunicorn.getKeepalive();
        if (keepalive.isNegative()) {
            throw new InvalidExporterPropertyException(PREFIX + "keepalive", seconds(keepalive), "must not be negative",
                    "a duration of 0 seconds or more, such as 2 (seconds) or 2s");
        }
        return new WorkerSettings(workers, bind(gunicorn.getBind()), timeout, keepalive,
                workerClass(gunicorn.getWorkerClass()));
    }

    private static WorkerClass workerClass(String value) {
        try {
            return WorkerClass.parse(value).requireSupported();
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidExporterPropertyException(PREFIX + "worker-class", value, ex.getMessage(),
                    "one of " + WorkerClass.allowedValues() + " (virtual on Java "
                            + WorkerClass.VIRTUAL_THREADS_JAVA_VERSION + " or later)",
                    ex);
        }
    }

    private static @Nullable BindAddress bind(@Nullable String value) {
        if (value == null) {
            return null;
        }
        try {
            BindAddress bind = BindAddress.parse(value);
            bind.resolve();
            return bind;
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidExporterPropertyException(PREFIX + "bind", value, ex.getMessage(),
                    "HOST:PORT, [IPv6]:PORT or :PORT (all interfaces) with a port of 0-65535, such as 0.0.0.0:8000",
                    ex);
        }
    }

    private static String seconds(Duration duration) {
        return (duration.toMillisPart() == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

}
