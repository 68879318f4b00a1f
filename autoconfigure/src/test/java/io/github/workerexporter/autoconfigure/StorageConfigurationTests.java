package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.InMemoryMetricStore;
import io.github.workerexporter.merge.MergedViewRegistry;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StorageConfiguration}.
 *
 * @author Worker Exporter
 */
class StorageConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, MergedViewAutoConfiguration.class,
                PrometheusMetricsExportAutoConfiguration.class, WorkerExporterAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void leavesTheRegistryAloneWithoutSharedStorage() {
        this.contextRunner.run((context) -> {
            assertThat(context).doesNotHaveBean(MetricStore.class).doesNotHaveBean(WorkerPublisher.class);
            assertThat(context.getBean(PrometheusRegistry.class)).isNotInstanceOf(MergedViewRegistry.class);
        });
    }

    @Test
    void servesTheMergedViewOfTheSharedDirectory() {
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.worker.id=w-1")
            .run((context) -> {
                assertThat(context).hasSingleBean(FileMetricStore.class).hasSingleBean(MergingCollector.class);
                context.getBean(MeterRegistry.class).counter("orders").increment(2);
                context.getBean(WorkerPublisher.class).flushNow();
                String served = Exposition.text(context.getBean(PrometheusRegistry.class).scrape());
                assertThat(served).contains("orders_total{worker_id=\"w-1\"} 2.0")
                    .doesNotContain("orders_total 2.0")
                    .contains("gunicorn_master_workers{state=\"alive\"} 1.0");
            });
    }

    @Test
    void healthAndTheMergedViewCountTheWorkersOfOneCensusAlike() {
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.worker.id=w-1")
            .run((context) -> {
                MetricStore store = context.getBean(MetricStore.class);
                byte[] none = new BinarySnapshotCodec().encode(MetricSnapshots.of());
                long now = System.currentTimeMillis();
                store.publish(new WorkerRecord("stopped", 2, 0, now, WorkerState.STOPPED, StopReason.TERM, none));
                store.publish(new WorkerRecord("lost", 3, 0, now - 60_000, WorkerState.RUNNING, null, none));
                store.publish(new WorkerRecord("bad", 4, 0, now, WorkerState.RUNNING, null, new byte[] { 1 }));
                String served = Exposition.text(context.getBean(PrometheusRegistry.class).scrape());
                Health health = context.getBean("exporterHealthIndicator", StorageHealthIndicator.class).health(true);
                assertThat(served).contains("gunicorn_master_workers{state=\"alive\"} 0.0")
                    .contains("gunicorn_master_workers{state=\"stopped\"} 1.0")
                    .contains("gunicorn_master_workers{state=\"lost\"} 1.0");
                assertThat(health.getDetails()).containsEntry("workers", Map.of("alive", 0, "stopped", 1, "lost", 1))
                    .containsEntry("undecodable", 1);
            });
    }

    @Test
    void aSidecarReadsButDoesNotPublish() {
        this.contextRunner
            .withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.sidecar.enabled=true")
            .run((context) -> assertThat(context).hasSingleBean(MergingCollector.class)
                .doesNotHaveBean(WorkerPublisher.class));
    }

    @Test
    void deletesExpiredFilesOnlyWhenCleanupDbFilesIsTrue() throws IOException {
        Path expired = expiredWorkerFile();
        this.contextRunner
            .withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.cleanup.db-files=false")
            .run((context) -> assertThat(expired).exists());
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir)
            .run((context) -> assertThat(expired).doesNotExist());
    }

    @Test
    void redisWinsOverTheDirectory() {
        this.contextRunner
            .withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.redis.enabled=true")
            .withUserConfiguration(RedisStandInConfiguration.class)
            .run((context) -> assertThat(context).doesNotHaveBean(FileMetricStore.class)
                .hasSingleBean(MetricStore.class)
                .hasSingleBean(WorkerPublisher.class));
    }

    private Path expiredWorkerFile() throws IOException {
        try (FileMetricStore store = new FileMetricStore(this.dir, Duration.ofMinutes(5), Clock.systemUTC(), false)) {
            store.publish(new WorkerRecord("gone", 1, 0, 0, WorkerState.STOPPED, StopReason.TERM, new byte[0]));
        }
        try (Stream<Path> files = Files.list(this.dir)) {
            return files.findFirst().orElseThrow();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RedisStandInConfiguration {

        /**
         * Stands in for the Redis store of {@link RedisStorageConfiguration}.
         * @return the store
         */
        @Bean
        MetricStore redisStandInStore() {
            return new InMemoryMetricStore();
        }

    }

}
