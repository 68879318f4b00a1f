package io.github.workerexporter.autoconfigure;

import java.util.List;
import java.util.Locale;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Where workers share their metrics, decided once from the properties by
 * {@link #decide(Environment)}: every configuration asks this decision
 * ({@link ConditionalOnStorage}, the sidecar, the lifecycle's {@code redis_when_ready}),
 * none reads {@code exporter.redis.enabled} or {@code exporter.prometheus.multiproc-dir}
 * itself. Redis wins when both are set, as in the original.
 *
 * @author Worker Exporter
 */
enum StorageMode {

    /**
     * No shared storage: each process serves its own metrics.
     */
    NONE,

    /**
     * A shared directory ({@code exporter.prometheus.multiproc-dir}).
     */
    FILE,

    /**
     * Redis ({@code exporter.redis.enabled=true}).
     */
    REDIS;

    private static final String DIRECTORY = "exporter.prometheus.multiproc-dir";

    private static final String REDIS_ENABLED = "exporter.redis.enabled";

    private static final List<String> REDIS_CONNECTION = List.of("host", "port", "db", "username", "password", "ssl",
            "ssl-bundle");

    /**
     * Decide the storage mode.
     * @param environment the environment
     * @return the mode and why
     */
    static Decision decide(Environment environment) {
        Binder binder = Binder.get(environment);
        String directory = binder.bind(DIRECTORY, Bindable.of(String.class))
            .map((value) -> "false".equalsIgnoreCase(value) ? null : value)
            .orElse(null);
        if (redisEnabled(binder)) {
            String also = (directory != null) ? " (" + DIRECTORY + " is also set: Redis wins, the directory is unused)"
                    : "";
            return new Decision(REDIS, REDIS_ENABLED + " is true" + also, directory != null);
        }
        if (directory != null) {
            return new Decision(FILE, DIRECTORY + " is " + directory, false);
        }
        return new Decision(NONE, "neither " + REDIS_ENABLED + "=true nor " + DIRECTORY + " is set", false);
    }

    /**
     * Whether the Redis store opens a connection of its own rather than use the
     * application's {@code RedisConnectionFactory}: one of {@code exporter.redis.host},
     * {@code port}, {@code db}, {@code username}, {@code password}, {@code ssl},
     * {@code ssl-bundle} is set (or the original's {@code REDIS_HOST}, ... variables).
     * The starter brings Spring Data Redis, whose auto-configured factory always exists,
     * so the presence of a factory alone cannot mean the application chose it.
     * @param environment the environment
     * @return whether the exporter uses its own connection
     */
    static boolean ownRedisConnection(Environment environment) {
        Binder binder = Binder.get(environment);
        return REDIS_CONNECTION.stream()
            .anyMatch((name) -> binder.bind("exporter.redis." + name, Bindable.of(String.class)).isBound());
    }

    private static boolean redisEnabled(Binder binder) {
        try {
            return binder.bind(REDIS_ENABLED, Boolean.class).orElse(false);
        }
        catch (BindException ex) {
            // Binding ExporterProperties fails start-up with the property's message.
            return false;
        }
    }

    /**
     * The storage mode and why it was chosen.
     *
     * @param mode the mode
     * @param reason the properties that decided it, for the condition report and logs
     * @param directoryUnused whether a shared directory is set but Redis wins
     */
    record Decision(StorageMode mode, String reason, boolean directoryUnused) {

        @Override
        public String toString() {
            return "storage mode " + this.mode.name().toLowerCase(Locale.ROOT) + ": " + this.reason;
        }

    }

}
