package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.util.StringUtils;

/**
 * Checks the core {@code exporter.*} values at start-up, before anything listens: Redis
 * connection values, the shared directory (created if missing, then checked writable),
 * and the worker id. Each failure is an {@link InvalidExporterPropertyException} naming
 * the property, the value and what is allowed. The metrics server, embedded server,
 * metrics and process settings are checked by their own configurations.
 *
 * @author Worker Exporter
 */
final class ExporterPropertiesValidator {

    private static final String PORT_RANGE = "a whole number from 1 to 65535";

    /** The longest duration the exporter takes: 100 years, far from any overflow. */
    private static final Duration MAX_DURATION = Duration.ofDays(36_500);

    private ExporterPropertiesValidator() {
    }

    static void validate(ExporterProperties properties) {
        validateDurations(properties);
        validateRedis(properties.getRedis());
        validateMultiprocDir(properties.getPrometheus().getMultiprocDir());
        String workerId = properties.getWorker().getId();
        if (workerId != null && (workerId.isBlank() || workerId.length() > 200)) {
            throw new InvalidExporterPropertyException("exporter.worker.id", workerId,
                    "must be non-blank and at most 200 characters",
                    "a short unique name such as the pod name, " + "or unset for host name and pid");
        }
    }

    /**
     * Every duration at most {@link #MAX_DURATION}: the exporter, its storage and its
     * Redis client compute with them in milliseconds and nanoseconds, where a longer one
     * overflows.
     */
    private static void validateDurations(ExporterProperties properties) {
        Map<String, Duration> durations = new LinkedHashMap<>();
        durations.put("exporter.gunicorn.timeout", properties.getGunicorn().getTimeout());
        durations.put("exporter.gunicorn.keepalive", properties.getGunicorn().getKeepalive());
        durations.put("exporter.process.timeout", properties.getProcess().getTimeout());
        durations.put("exporter.prometheus.bind-backoff", properties.getPrometheus().getBindBackoff());
        durations.put("exporter.redis.timeout", properties.getRedis().getTimeout());
        durations.put("exporter.storage.flush-interval", properties.getStorage().getFlushInterval());
        durations.put("exporter.storage.heartbeat-timeout", properties.getStorage().getHeartbeatTimeout());
        durations.put("exporter.storage.retention", properties.getStorage().getRetention());
        durations.put("exporter.sidecar.update-interval", properties.getSidecar().getUpdateInterval());
        durations.forEach((property, duration) -> {
            if (duration != null && duration.compareTo(MAX_DURATION) > 0) {
                throw new InvalidExporterPropertyException(property, duration.toSeconds() + "s", "too long",
                        "a duration of at most " + MAX_DURATION.toDays() + "d (100 years)");
            }
        });
    }

    private static void validateRedis(ExporterProperties.Redis redis) {
        if (redis.getPort() < 1 || redis.getPort() > 65535) {
            throw new InvalidExporterPropertyException("exporter.redis.port", redis.getPort(), "not a port",
                    PORT_RANGE);
        }
        if (redis.getDb() < 0) {
            throw new InvalidExporterPropertyException("exporter.redis.db", redis.getDb(),
                    "a database index cannot be negative", "a whole number of 0 or more (0 is the default database)");
        }
        if (redis.getTtlSeconds() < 0) {
            throw new InvalidExporterPropertyException("exporter.redis.ttl-seconds", redis.getTtlSeconds(),
                    "a time to live cannot be negative",
                    "a whole number of seconds of 0 or more, or exporter.redis.ttl-disabled=true");
        }
        if (redis.isEnabled() && !StringUtils.hasText(redis.getHost())) {
            throw new InvalidExporterPropertyException("exporter.redis.host", redis.getHost(),
                    "must be set when Redis is enabled", "the host name or address of the Redis server");
        }
        if (!StringUtils.hasText(redis.getKeyPrefix())) {
            throw new InvalidExporterPropertyException("exporter.redis.key-prefix", redis.getKeyPrefix(),
                    "must not be empty", "a prefix such as 'gunicorn' (':' is allowed)");
        }
        if (redis.getTimeout().isNegative() || redis.getTimeout().isZero()) {
            throw new InvalidExporterPropertyException("exporter.redis.timeout", redis.getTimeout(), "must be positive",
                    "a duration such as 2s");
        }
    }

    private static void validateMultiprocDir(String dir) {
        if (dir == null) {
            return;
        }
        String property = "exporter.prometheus.multiproc-dir";
        String allowed = "a directory this process can create and write, or unset for in-process storage";
        if (dir.isBlank()) {
            throw new InvalidExporterPropertyException(property, dir, "must not be blank", allowed);
        }
        Path path;
        try {
            path = Path.of(dir);
        }
        catch (InvalidPathException ex) {
            throw new InvalidExporterPropertyException(property, dir, "not a valid path: " + ex.getReason(), allowed);
        }
        try {
            Files.createDirectories(path);
        }
        catch (IOException | SecurityException ex) {
            throw new InvalidExporterPropertyException(property, dir, "the directory cannot be created (" + ex + ")",
                    allowed, ex);
        }
        try {
            Files.delete(Files.createTempFile(path, ".write-check-", ".tmp"));
        }
        catch (IOException | SecurityException ex) {
            throw new InvalidExporterPropertyException(property, dir, "the directory is not writable (" + ex + ")",
                    allowed, ex);
        }
    }

}
