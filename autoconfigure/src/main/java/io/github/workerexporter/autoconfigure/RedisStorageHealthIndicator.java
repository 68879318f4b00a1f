package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.redis.RedisMetricStore;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the metric store: up with the number of workers it holds, down with the
 * store's error message (which never contains a password).
 *
 * @author Worker Exporter
 */
class RedisStorageHealthIndicator extends AbstractHealthIndicator {

    private final MetricStore store;

    RedisStorageHealthIndicator(MetricStore store) {
        super("Metric store health check failed");
        this.store = store;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("store", this.store.name());
        if (this.store instanceof RedisMetricStore redis) {
            builder.withDetail("location", redis.location());
        }
        try {
            builder.up().withDetail("workers", this.store.readAll().size());
        }
        catch (StoreException ex) {
            builder.down().withDetail("error", String.valueOf(ex.getMessage()));
        }
    }

}
