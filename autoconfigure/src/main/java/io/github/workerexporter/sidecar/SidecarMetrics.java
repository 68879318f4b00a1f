package io.github.workerexporter.sidecar;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The sidecar's own families, as gunicorn-prometheus-exporter's sidecar, without labels:
 * <ul>
 * <li>{@code <prefix>_sidecar_uptime_seconds};</li>
 * <li>{@code <prefix>_sidecar_multiproc_dir_size_bytes} and
 * {@code <prefix>_sidecar_multiproc_files_count} ({@link DirectoryUsage}; 0 without a
 * directory, as in Redis mode);</li>
 * <li>{@code <prefix>_sidecar_redis_connected}, only in Redis mode: 1 when the store
 * could be read, else 0.</li>
 * </ul>
 * Computed when scraped; the directory walk and the Redis check are done at most once per
 * update interval. The uptime and the interval follow the monotonic clock after start, so
 * a wall clock set back never makes the uptime negative.
 *
 * @author Worker Exporter
 */
public final class SidecarMetrics implements MultiCollector {

    private final String prefix;

    private final long startedNanos;

    private final LongSupplier nanoTime;

    private final PeriodicValue<DirectoryUsage> directory;

    private final @Nullable PeriodicValue<Boolean> redisConnected;

    /**
     * Create the sidecar's families.
     * @param prefix the metric prefix
     * @param startTime when the sidecar started
     * @param directory the shared directory, or {@code null} in Redis mode
     * @param redisConnected whether Redis can be read, or {@code null} when Redis is not
     * used
     * @param updateInterval how long a directory walk or a Redis check is reused
     * @param clock the wall clock, read once to measure the time since the start
     */
    public SidecarMetrics(String prefix, Instant startTime, @Nullable Path directory,
            @Nullable BooleanSupplier redisConnected, Duration updateInterval, Clock clock) {
        this(prefix, startTime, directory, redisConnected, updateInterval, clock, System::nanoTime);
    }

    /**
     * Create the sidecar's families on the given clocks.
     * @param prefix the metric prefix
     * @param startTime when the sidecar started
     * @param directory the shared directory, or {@code null} in Redis mode
     * @param redisConnected whether Redis can be read, or {@code null} when Redis is not
     * used
     * @param updateInterval how long a directory walk or a Redis check is reused
     * @param clock the wall clock, read once to measure the time since the start
     * @param nanoTime a monotonic clock in nanoseconds, such as {@link System#nanoTime()}
     */
    public SidecarMetrics(String prefix, Instant startTime, @Nullable Path directory,
            @Nullable BooleanSupplier redisConnected, Duration updateInterval, Clock clock, LongSupplier nanoTime) {
        this.prefix = prefix;
        this.nanoTime = nanoTime;
        long sinceStart = Math.max(0, Duration.between(startTime, clock.instant()).toNanos());
        this.startedNanos = nanoTime.getAsLong() - sinceStart;
        this.directory = new PeriodicValue<>(
                () -> (directory != null) ? DirectoryUsage.of(directory) : DirectoryUsage.NONE, updateInterval,
                nanoTime);
        this.redisConnected = (redisConnected != null)
                ? new PeriodicValue<>(redisConnected::getAsBoolean, updateInterval, nanoTime) : null;
    }

    @Override
    public MetricSnapshots collect() {
        DirectoryUsage usage = this.directory.get();
        double uptime = (this.nanoTime.getAsLong() - this.startedNanos) / 1_000_000 / 1000.0;
        MetricSnapshots.Builder result = MetricSnapshots.builder()
            .metricSnapshot(gauge("uptime_seconds", "Sidecar container uptime in seconds", uptime))
            .metricSnapshot(gauge("multiproc_dir_size_bytes", "Size of multiprocess directory in bytes", usage.bytes()))
            .metricSnapshot(
                    gauge("multiproc_files_count", "Number of files in multiprocess directory", usage.entries()));
        if (this.redisConnected != null) {
            result.metricSnapshot(gauge("redis_connected", "Redis connection status (1=connected, 0=disconnected)",
                    this.redisConnected.get() ? 1 : 0));
        }
        return result.build();
    }

    private GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder()
            .name(this.prefix + "_sidecar_" + name)
            .help(help)
            .dataPoint(new GaugeDataPointSnapshot(value, Labels.EMPTY, null))
            .build();
    }

}
