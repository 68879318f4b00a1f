package io.github.workerexporter.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.WorkerStatus;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.redis.RedisMetricStore;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.util.ClassUtils;

/**
 * Health of the metric store, the {@code exporter} component of {@code /actuator/health}:
 * up with the store's name, its location (directory or Redis address) and the number of
 * workers it holds by state ({@code alive}, {@code stopped}, {@code lost}, as in
 * {@code <prefix>_master_workers}); down when the store cannot be read, with the store's
 * error message, which never contains a password.
 *
 * @author Worker Exporter
 */
class StorageHealthIndicator extends AbstractHealthIndicator {

    private static final boolean REDIS_PRESENT = ClassUtils.isPresent(
            "org.springframework.data.redis.connection.RedisConnectionFactory",
            StorageHealthIndicator.class.getClassLoader());

    private final MetricStore store;

    private final Duration heartbeatTimeout;

    private final Clock clock;

    StorageHealthIndicator(MetricStore store, Duration heartbeatTimeout, Clock clock) {
        super("Metric store health check failed");
        this.store = store;
        this.heartbeatTimeout = heartbeatTimeout;
        this.clock = clock;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("store", this.store.name());
        String location = location();
        if (location != null) {
            builder.withDetail("location", location);
        }
        try {
            builder.up().withDetail("workers", countByState());
        }
        catch (StoreException ex) {
            builder.down().withDetail("error", String.valueOf(ex.getMessage()));
        }
    }

    private Map<String, Integer> countByState() {
        Map<String, Integer> workers = new LinkedHashMap<>();
        workers.put("alive", 0);
        workers.put("stopped", 0);
        workers.put("lost", 0);
        long now = this.clock.millis();
        for (WorkerRecord record : this.store.readAll()) {
            workers.merge(stateOf(record, now), 1, Integer::sum);
        }
        return workers;
    }

    // The states of MergingCollector.
    private String stateOf(WorkerRecord record, long now) {
        if (WorkerStatus.STOPPED.equals(record.state())) {
            return "stopped";
        }
        return (now - record.heartbeatMillis() <= this.heartbeatTimeout.toMillis()) ? "alive" : "lost";
    }

    private @Nullable String location() {
        if (this.store instanceof FileMetricStore file) {
            return file.directory().toString();
        }
        if (REDIS_PRESENT && this.store instanceof RedisMetricStore redis) {
            return redis.location();
        }
        return null;
    }

}
