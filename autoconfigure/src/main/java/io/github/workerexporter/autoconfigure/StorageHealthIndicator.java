package io.github.workerexporter.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.merge.Census;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.redis.RedisMetricStore;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.util.ClassUtils;

/**
 * Health of the metric store, the {@code exporter} component of {@code /actuator/health}:
 * up with the store's name, its location (directory or Redis address) and the number of
 * workers it holds by state ({@code alive}, {@code stopped}, {@code lost}), taken from
 * the same {@link WorkerCensus} as {@code <prefix>_master_workers}, and the number of
 * workers whose metrics cannot be decoded when there are any; down when the store cannot
 * be read, with the store's error message, which never contains a password; down when
 * this worker's id is shared with another live process ({@link WorkerIdConflict}), with
 * the reason.
 *
 * @author Worker Exporter
 */
class StorageHealthIndicator extends AbstractHealthIndicator {

    private static final boolean REDIS_PRESENT = ClassUtils.isPresent(
            "org.springframework.data.redis.connection.RedisConnectionFactory",
            StorageHealthIndicator.class.getClassLoader());

    private final WorkerCensus census;

    private final @Nullable WorkerIdConflict conflict;

    StorageHealthIndicator(WorkerCensus census) {
        this(census, null);
    }

    StorageHealthIndicator(WorkerCensus census, @Nullable WorkerIdConflict conflict) {
        super("Metric store health check failed");
        this.census = census;
        this.conflict = conflict;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        MetricStore store = this.census.store();
        builder.withDetail("store", store.name());
        String location = location(store);
        if (location != null) {
            builder.withDetail("location", location);
        }
        String conflict = (this.conflict != null) ? this.conflict.reason() : null;
        if (conflict != null) {
            builder.down().withDetail("conflict", conflict);
            return;
        }
        try {
            Census census = this.census.take();
            Map<String, Integer> workers = new LinkedHashMap<>();
            census.countByLiveness().forEach((liveness, count) -> workers.put(liveness.label(), count));
            builder.up().withDetail("workers", workers);
            if (!census.undecodable().isEmpty()) {
                builder.withDetail("undecodable", census.undecodable().size());
            }
        }
        catch (StoreException ex) {
            builder.down().withDetail("error", String.valueOf(ex.getMessage()));
        }
    }

    private static @Nullable String location(MetricStore store) {
        if (store instanceof FileMetricStore file) {
            return file.directory().toString();
        }
        if (REDIS_PRESENT && store instanceof RedisMetricStore redis) {
            return redis.location();
        }
        return null;
    }

}
