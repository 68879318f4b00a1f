package io.github.workerexporter.sidecar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SidecarMetrics}.
 *
 * @author Worker Exporter
 */
class SidecarMetricsTests {

    private static final Duration INTERVAL = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    @Test
    void reportsUptimeAndTheDirectoryWithTheOriginalsNamesAndHelp() throws IOException {
        Files.write(this.dir.resolve("a.metrics"), new byte[100]);
        Files.createDirectories(this.dir.resolve("sub"));
        Files.write(this.dir.resolve("sub/b.metrics"), new byte[20]);
        SidecarMetrics metrics = new SidecarMetrics("gunicorn", this.clock.instant(), this.dir, null, INTERVAL,
                this.clock, this.clock::nanoTime);
        this.clock.advance(Duration.ofMillis(2500));
        assertThat(Exposition.text(metrics.collect()))
            .contains("# HELP gunicorn_sidecar_uptime_seconds Sidecar container uptime in seconds")
            .contains("gunicorn_sidecar_uptime_seconds 2.5")
            .contains("# HELP gunicorn_sidecar_multiproc_dir_size_bytes Size of multiprocess directory in bytes")
            .contains("gunicorn_sidecar_multiproc_dir_size_bytes 120.0")
            .contains("# HELP gunicorn_sidecar_multiproc_files_count Number of files in multiprocess directory")
            .contains("gunicorn_sidecar_multiproc_files_count 3.0")
            .doesNotContain("redis_connected");
    }

    @Test
    void walksTheDirectoryAtMostOncePerUpdateInterval() throws IOException {
        SidecarMetrics metrics = new SidecarMetrics("gunicorn", this.clock.instant(), this.dir, null, INTERVAL,
                this.clock, this.clock::nanoTime);
        assertThat(Exposition.text(metrics.collect())).contains("gunicorn_sidecar_multiproc_files_count 0.0");
        Files.write(this.dir.resolve("a.metrics"), new byte[1]);
        this.clock.advance(INTERVAL.minusSeconds(1));
        assertThat(Exposition.text(metrics.collect())).contains("gunicorn_sidecar_multiproc_files_count 0.0");
        this.clock.advance(Duration.ofSeconds(1));
        assertThat(Exposition.text(metrics.collect())).contains("gunicorn_sidecar_multiproc_files_count 1.0");
    }

    @Test
    void reportsZeroForAnAbsentDirectoryAndForRedisMode() {
        SidecarMetrics absent = new SidecarMetrics("gunicorn", this.clock.instant(), this.dir.resolve("absent"), null,
                INTERVAL, this.clock, this.clock::nanoTime);
        SidecarMetrics redis = new SidecarMetrics("gunicorn", this.clock.instant(), null, () -> true, INTERVAL,
                this.clock, this.clock::nanoTime);
        assertThat(Exposition.text(absent.collect())).contains("gunicorn_sidecar_multiproc_dir_size_bytes 0.0")
            .contains("gunicorn_sidecar_multiproc_files_count 0.0");
        assertThat(Exposition.text(redis.collect())).contains("gunicorn_sidecar_multiproc_dir_size_bytes 0.0")
            .contains("gunicorn_sidecar_multiproc_files_count 0.0");
    }

    @Test
    void reportsTheRedisConnectionOnlyInRedisMode() {
        AtomicBoolean connected = new AtomicBoolean(true);
        SidecarMetrics metrics = new SidecarMetrics("app", this.clock.instant(), null, connected::get, INTERVAL,
                this.clock, this.clock::nanoTime);
        assertThat(Exposition.text(metrics.collect()))
            .contains("# HELP app_sidecar_redis_connected Redis connection status (1=connected, 0=disconnected)")
            .contains("app_sidecar_redis_connected 1.0");
        connected.set(false);
        this.clock.advance(INTERVAL);
        assertThat(Exposition.text(metrics.collect())).contains("app_sidecar_redis_connected 0.0");
    }

}
