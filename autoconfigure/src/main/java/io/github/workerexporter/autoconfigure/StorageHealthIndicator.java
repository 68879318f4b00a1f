package io.github.workerexporter.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.merge.HeartbeatAges;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;
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
 * error message, which never contains a password; down when this worker's id is shared
 * with another live process ({@link WorkerIdConflict}), with the reason.
 *
 * @author Worker Exporter
 */
class StorageHealthIndicator extends AbstractHealthIndicator {

    private static final boolean REDIS_PRESENT = ClassUtils.isPresent(
            "org.springframework.data.redis.connection.RedisConnectionFactory",
            StorageHealthIndicator.class.getClassLoader());

    private final MetricStore store;

    private final Duration heartbeatTimeout;

    private final HeartbeatAges ages;

    private final @Nullable WorkerIdConflict conflict;

    StorageHealthIndicator(MetricStore store, Duration heartbeatTimeout, Clock clock) {
        this(store, heartbeatTimeout, clock, null);
    }

    StorageHealthIndicator(MetricStore store, Duration heartbeatTimeout, Clock clock,
            @Nullable WorkerIdConflict conflict) {
        super("Metric store health check failed");
        this.store = store;
        this.heartbeatTimeout = heartbeatTimeout;
        this.ages = new HeartbeatAges(clock);
        this.conflict = conflict;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("store", this.store.name());
        String location = location();
        if (location != null) {
            builder.withDetail("location", location);
        }
        String conflict = (this.conflict != null) ? this.conflict.reason() : null;
        if (conflict != null) {
            builder.down().withDetail("conflict", conflict);
            return;
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
        List<WorkerRecord> records = this.store.readAll();
        Map<String, Duration> ages = this.ages.observe(records);
        for (WorkerRecord record : records) {
            // The states of MergingCollector.
            workers.merge(HeartbeatAges.stateOf(record, ages.get(record.workerId()), this.heartbeatTimeout), 1,
                    Integer::sum);
        }
        return workers;
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
