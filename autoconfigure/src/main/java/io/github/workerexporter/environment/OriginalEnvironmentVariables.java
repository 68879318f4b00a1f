package io.github.workerexporter.environment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The original's environment variables and the properties each one sets. Spring's own
 * forms ({@code EXPORTER_PROMETHEUS_METRICSPORT}) work as well, through Spring's relaxed
 * binding.
 *
 * @author Worker Exporter
 */
public final class OriginalEnvironmentVariables {

    /**
     * The variables that name the original's configuration file, in order of preference.
     */
    public static final List<String> CONFIG_FILE_VARIABLES = List.of("EXPORTER_CONFIG_FILE", "PROMETHEUS_CONFIG_FILE");

    private static final Map<String, List<String>> MAPPING = new LinkedHashMap<>();

    static {
        map("PROMETHEUS_METRICS_PORT", "exporter.prometheus.metrics-port");
        map("PROMETHEUS_BIND_ADDRESS", "exporter.prometheus.bind-address");
        map("PROMETHEUS_MULTIPROC_DIR", "exporter.prometheus.multiproc-dir");
        // Both TLS locations, so that the variable overrides either without a conflict.
        for (String key : List.of("enabled", "certfile", "keyfile", "client-cafile", "client-capath",
                "client-auth-required")) {
            String variable = "PROMETHEUS_SSL_" + key.toUpperCase().replace('-', '_');
            map(variable, "exporter.ssl." + key, "exporter.prometheus.ssl." + key);
        }
        map("REDIS_ENABLED", "exporter.redis.enabled");
        map("REDIS_HOST", "exporter.redis.host");
        map("REDIS_PORT", "exporter.redis.port");
        map("REDIS_DB", "exporter.redis.db");
        map("REDIS_USERNAME", "exporter.redis.username");
        map("REDIS_PASSWORD", "exporter.redis.password");
        map("REDIS_KEY_PREFIX", "exporter.redis.key-prefix");
        map("REDIS_TTL_SECONDS", "exporter.redis.ttl-seconds");
        map("REDIS_TTL_DISABLED", "exporter.redis.ttl-disabled");
        map("REDIS_SSL", "exporter.redis.ssl");
        map("GUNICORN_WORKERS", "exporter.gunicorn.workers");
        map("GUNICORN_TIMEOUT", "exporter.gunicorn.timeout");
        map("GUNICORN_KEEPALIVE", "exporter.gunicorn.keepalive");
        map("GUNICORN_BIND", "exporter.gunicorn.bind");
        map("GUNICORN_WORKER_CLASS", "exporter.gunicorn.worker-class");
        map("CLEANUP_DB_FILES", "exporter.cleanup.db-files");
        map("SIDECAR_MODE", "exporter.sidecar.enabled");
        map("SIDECAR_UPDATE_INTERVAL", "exporter.sidecar.update-interval");
    }

    private OriginalEnvironmentVariables() {
    }

    private static void map(String variable, String... properties) {
        MAPPING.put(variable, List.of(properties));
    }

    /**
     * Every variable and the properties it sets.
     * @return the mapping, in a stable order
     */
    public static Map<String, List<String>> mapping() {
        return MAPPING;
    }

    /**
     * The properties set by the variables that are present.
     * @param environment how to read a variable
     * @return the properties, each with the name of the variable it came from
     */
    public static Map<String, Source> resolve(Function<String, @Nullable String> environment) {
        Map<String, Source> properties = new LinkedHashMap<>();
        MAPPING.forEach((variable, targets) -> {
            String value = environment.apply(variable);
            if (value != null) {
                targets.forEach((target) -> properties.put(target, new Source(variable, value)));
            }
        });
        return properties;
    }

    /**
     * A value and the variable it came from.
     *
     * @param variable the variable
     * @param value its value
     */
    public record Source(String variable, String value) {
    }

}
